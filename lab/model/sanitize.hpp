// sanitize.hpp — text that came from another process, made safe to keep and to show.
//
// A demo (and soon a user's own program) chooses its thread names and its output. The host
// keeps every such string as valid UTF-8 (so JSON and the GUI can take it), and never lets a
// control character reach a terminal (an escape sequence could retitle the window, clear the
// screen or fake a verdict).
#pragma once

#include <string>
#include <string_view>

namespace lab {

// Valid UTF-8: every byte that does not start a well-formed sequence (overlong forms,
// surrogates, code points above U+10FFFF, truncated sequences) becomes U+FFFD.
std::string valid_utf8(std::string_view s);
// Whether `s` is valid UTF-8 (what valid_utf8() leaves unchanged).
bool is_valid_utf8(std::string_view s);

// For a terminal: valid_utf8(), then every C0 control (but '\n' when keep_newlines), DEL and
// C1 control (U+0080..U+009F) written as a visible escape: \e, \t, \r, \n, \xNN, \u{NN}.
// The result holds no byte below 0x20 (but '\n' when kept) and no 0x7F, and no C1 code point.
std::string terminal_safe(std::string_view s, bool keep_newlines = false);

} // namespace lab
