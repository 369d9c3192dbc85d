// strings.hpp — every sentence a person reads, in Chinese and English, from content/.
//
// content/strings.toml holds one table per key with `zh` and `en`. Placeholders are
// written {name} and filled by format(). A missing key shows as the key itself, so a gap
// is visible, never a crash.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

enum class Lang { zh, en };

struct Arg {
    std::string_view name;
    std::string value;
};

class Strings {
  public:
    // Loads a TOML file of { key = { zh = "...", en = "..." } }. Returns false and sets
    // error() (file, line and what is wrong) when it cannot be read, or when a key is
    // already defined by another file loaded earlier (that first definition stays); keys
    // already loaded stay. Loading the same file again re-reads it.
    bool load(const std::string& path);
    const std::string& error() const { return error_; }

    bool has(std::string_view key) const;
    std::string get(std::string_view key, Lang lang) const;
    std::string format(std::string_view key, Lang lang, const std::vector<Arg>& args) const;
    const std::map<std::string, std::pair<std::string, std::string>, std::less<>>& all() const {
        return table_;
    }
    void set(std::string key, std::string zh, std::string en);

  private:
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> table_; // zh, en
    std::map<std::string, std::pair<std::string, int>, std::less<>> origin_;        // file, line
    std::string error_;
};

// Fills {name} placeholders.
std::string fill(std::string_view text, const std::vector<Arg>& args);

// Where content/ is: $DAEMONLAB_CONTENT, the installed share dir, or the source tree.
std::string content_dir();

} // namespace lab
