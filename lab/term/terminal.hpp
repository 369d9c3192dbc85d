// terminal.hpp — text for a terminal: how many columns it takes, and the lessons' Markdown
// (**bold**, `code`) drawn with the terminal's own means.
#pragma once

#include <string>
#include <string_view>

namespace lab {

// Columns that UTF-8 text takes in a terminal: East Asian wide and full-width characters
// count two, combining marks and zero-width characters none, everything else one (the block
// glyphs of the timeline, █ ▓ ▒ ░, count one). Invalid bytes count one each.
std::size_t display_width(std::string_view s);
// `s` followed by spaces up to `columns` display columns.
std::string pad_to(std::string s, std::size_t columns);

// A lesson's inline Markdown for a terminal: **bold** in bold and `code` in cyan when
// `styled` (a tty), the plain words otherwise; the markers are gone either way. Text that
// only looks like a marker (a lone ** or `) stays as it is.
std::string render_inline(std::string_view markdown, bool styled);

} // namespace lab
