#include "lab/model/trace_parser.hpp"

#include "lab/model/sanitize.hpp"

#include <charconv>

namespace lab {
namespace {

template <class T>
bool to_number(std::string_view s, T& out) {
    if (s.empty()) return false;
    auto r = std::from_chars(s.data(), s.data() + s.size(), out);
    return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

bool unescape(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c != '\\') {
            out += c;
            continue;
        }
        if (++i == in.size()) return false;
        switch (in[i]) {
        case '\\':
            out += '\\';
            break;
        case 't':
            out += '\t';
            break;
        case 'n':
            out += '\n';
            break;
        default:
            return false;
        }
    }
    return true;
}

bool valid_kind(std::string_view k) {
    if (k.empty() || k.size() > 32) return false;
    for (char c : k)
        if (!((c >= 'a' && c <= 'z') || c == '-')) return false;
    return true;
}

} // namespace

std::string_view TraceEvent::get(std::string_view key) const {
    for (const auto& [k, v] : fields)
        if (k == key) return v;
    return {};
}

int TraceEvent::get_int(std::string_view key, int fallback) const {
    int v;
    return to_number(get(key), v) ? v : fallback;
}

std::int64_t TraceEvent::get_int64(std::string_view key, std::int64_t fallback) const {
    std::int64_t v;
    return to_number(get(key), v) ? v : fallback;
}

std::optional<TraceEvent> parse_trace_line(std::string_view line) {
    TraceEvent e;
    std::size_t field = 0;
    while (!line.empty() || field < 3) {
        std::size_t tab = line.find('\t');
        std::string_view part = line.substr(0, tab);
        line = tab == std::string_view::npos ? std::string_view{} : line.substr(tab + 1);
        switch (field++) {
        case 0:
            if (!to_number(part, e.t_ns) || e.t_ns < 0) return std::nullopt;
            break;
        case 1:
            if (!to_number(part, e.tid) || e.tid < -1) return std::nullopt;
            break;
        case 2:
            if (!valid_kind(part)) return std::nullopt;
            e.kind = trace::parse<trace::Kind>(part);
            break;
        default: {
            std::size_t eq = part.find('=');
            if (eq == 0 || eq == std::string_view::npos) return std::nullopt;
            std::string value;
            if (!unescape(part.substr(eq + 1), value)) return std::nullopt;
            // Text from another process: valid UTF-8 from here on (bad bytes become U+FFFD),
            // so JSON, exports and the GUI can take it. Terminals get terminal_safe() too.
            e.fields.emplace_back(valid_utf8(part.substr(0, eq)), valid_utf8(value));
        }
        }
        if (tab == std::string_view::npos) break;
    }
    if (field < 3) return std::nullopt;
    return e;
}

} // namespace lab
