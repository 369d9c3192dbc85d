#include "lab/model/run_limits.hpp"

#include <algorithm>

namespace lab {

int run_timeout_ms(int grace_ms, int timeout_ms) {
    return timeout_ms > grace_ms ? timeout_ms : grace_ms + 10'000;
}

std::string parse_grace_ms(const std::string& text, int& out, std::string_view flag_name) {
    const std::string flag(flag_name);
    const std::string range =
        std::to_string(kMinGraceMs) + ".." + std::to_string(kMaxGraceMs) + " ms";
    if (text.empty()) return flag + " needs a number of milliseconds, " + range;
    if (text.find_first_not_of("0123456789") != std::string::npos) {
        std::string why = flag +
                          " takes a whole number of milliseconds written in decimal "
                          "digits only (e.g. 300), not '" +
                          text + "'";
        if (text.find_first_of("eE") != std::string::npos &&
            text.find_first_of("xX") == std::string::npos)
            why += ": exponents like 1e3 are not accepted, so that a typo cannot silently "
                   "mean a very different time; write 1000";
        else if (text.size() > 1 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
            why += ": hexadecimal is not accepted; write the value in decimal";
        else if (text.find_first_of("-+") == 0)
            why += ": no sign";
        return why;
    }
    // Digits only: compare as a number without overflow.
    const std::size_t first = std::min(text.find_first_not_of('0'), text.size() - 1);
    const std::string digits = text.substr(first);
    long value = digits.size() > 6 ? kMaxGraceMs + 1L : std::stol(digits);
    if (value < kMinGraceMs)
        return flag + " " + text + " is too short to trust: below " + std::to_string(kMinGraceMs) +
               " ms a demo that is only slow to move on is called hung. Use " + range;
    if (value > kMaxGraceMs) return flag + " " + text + " is too long: use " + range;
    out = int(value);
    return {};
}

} // namespace lab
