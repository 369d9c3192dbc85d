// trace_parser.hpp — reads the trace protocol (demos/trace/protocol.hpp, docs/TRACE-PROTOCOL.md).
#pragma once

#include "demos/trace/protocol.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

struct TraceEvent {
    std::int64_t t_ns = 0;
    int tid = 0;
    std::optional<trace::Kind> kind; // nullopt: a kind this host does not know (ignored)
    std::vector<std::pair<std::string, std::string>> fields; // unescaped values

    std::string_view get(std::string_view key) const; // "" when absent
    int get_int(std::string_view key, int fallback = -1) const;
    std::int64_t get_int64(std::string_view key, std::int64_t fallback = -1) const;
    // The field as one of E's protocol names; nullopt when absent or unknown.
    template <class E>
    std::optional<E> get_enum(std::string_view key) const {
        return trace::parse<E>(get(key));
    }
};

// One line, without its '\n'. std::nullopt when it does not follow the protocol.
std::optional<TraceEvent> parse_trace_line(std::string_view line);

// Cuts a byte stream into lines, across reads of any size. Lines longer than the protocol
// allows are dropped and counted as malformed, as are lines that do not parse.
class TraceReader {
  public:
    template <class OnEvent>
    void feed(std::string_view bytes, OnEvent&& on_event) {
        for (char c : bytes) {
            if (c != '\n') {
                if (partial_.size() < trace::kMaxLine - 1) // the LF is the last byte
                    partial_ += c;
                else
                    overlong_ = true;
                continue;
            }
            if (!overlong_) {
                if (auto e = parse_trace_line(partial_))
                    on_event(std::move(*e));
                else
                    ++malformed_;
            } else {
                ++malformed_;
            }
            partial_.clear();
            overlong_ = false;
        }
    }
    // At end of stream a partial last line is malformed (a demo died mid-write).
    void finish() {
        if (!partial_.empty() || overlong_) ++malformed_;
        partial_.clear();
        overlong_ = false;
    }
    std::size_t malformed() const { return malformed_; }

  private:
    std::string partial_;
    bool overlong_ = false;
    std::size_t malformed_ = 0;
};

} // namespace lab
