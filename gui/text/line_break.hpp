// line_break.hpp — where a paragraph's lines break, for Chinese and English together: Latin
// text between words, CJK text between any two characters, never before closing punctuation
// (，。：；！？）」』、…) nor after opening punctuation (（「『“‘《) — the usual kinsoku rules, so
// no line starts with "，" and no "。" sits alone on a line. Plain code, no ImGui
// (gui/text/markdown.cpp lays its runs out with it; tests/test_session.cpp checks it).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace gui {

bool no_line_start(char32_t c);
bool no_line_end(char32_t c);
// A character a line may break before or after (CJK ideographs, kana, full-width forms, CJK
// punctuation); the rest (Latin, ’ “ ” — …) belongs to its word.
bool breaks_anywhere(char32_t c);
char32_t decode_utf8(std::string_view s, std::size_t i); // the code point at byte i
std::size_t utf8_length(unsigned char lead);

// One unbreakable piece: a CJK character, or a word with its trailing spaces.
struct Piece {
    std::size_t b = 0, e = 0; // bytes of the text
    float w = 0;              // its width
    float space = 0;          // of which its trailing spaces (they may hang past a line's end)
    char32_t first = 0, last = 0;
};
// Cuts `text` into pieces measured by `width`.
std::vector<Piece> pieces(std::string_view text,
                          const std::function<float(std::string_view)>& width);

// For each piece, whether it starts a new line when laid out from x = `x` in lines `wrap`
// wide. A line may hang over by the punctuation glued to its end.
std::vector<bool> line_starts(const std::vector<Piece>& p, float wrap, float x = 0);

// The text's lines (trailing spaces kept), for tests and plain layouts. A word wider than
// `wrap` is cut between its characters, so every line fits (but for its trailing spaces).
std::vector<std::string> wrap_lines(std::string_view text, float wrap,
                                    const std::function<float(std::string_view)>& width);

// `text` as a printf format that prints it as it is ('%' doubled), for an ImGui widget that
// takes a format (a slider's "30 秒 / 30 s"): translated text never becomes a conversion.
std::string printf_literal(std::string_view text);

} // namespace gui
