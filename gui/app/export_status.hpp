// export_status.hpp — the line under the Export buttons: where the last file went, or why
// it could not be written. Kept as its parts (a saved_* key and the path, or the error) and
// worded when drawn, so it follows a change of language.
#pragma once

#include "lab/model/strings.hpp"

#include <string>
#include <vector>

namespace gui {

class ExportStatus {
  public:
    // "Saved to PATH" (saved_key, path) when `error` is empty, else "Could not save: ERROR".
    void set(const std::string& error, const std::string& saved_key, const std::string& path) {
        error_ = !error.empty();
        key_ = saved_key;
        arg_ = error.empty() ? path : error;
    }
    void clear() { key_.clear(); }
    bool error() const { return error_; }
    // The line in each language on show, " / " between; "" when there is none.
    std::string text(const lab::Strings& strings, const std::vector<lab::Lang>& langs) const {
        std::string out;
        if (key_.empty()) return out;
        for (lab::Lang l : langs)
            out += (out.empty() ? "" : " / ") +
                   (error_ ? strings.format("ui.export.failed", l, {{"error", arg_}})
                           : strings.format(key_, l, {{"path", arg_}}));
        return out;
    }

  private:
    std::string key_, arg_; // a saved_* key and the path, or the error
    bool error_ = false;
};

} // namespace gui
