#include "lab/term/terminal.hpp"

#include <array>
#include <utility>

namespace lab {
namespace {

// Decodes one code point at s[i]; advances i. Invalid bytes decode as themselves (one).
char32_t next_code_point(std::string_view s, std::size_t& i) {
    const auto b = static_cast<unsigned char>(s[i]);
    const int len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
    if (len <= 1 || i + std::size_t(len) > s.size()) {
        ++i;
        return b;
    }
    char32_t cp = len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    for (int k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + std::size_t(k)]);
        if ((c >> 6) != 2) {
            ++i;
            return b;
        }
        cp = (cp << 6) | (c & 0x3F);
    }
    i += std::size_t(len);
    return cp;
}

constexpr std::array<std::pair<char32_t, char32_t>, 12> kWide = {{
    {0x1100, 0x115F},   // Hangul Jamo initials
    {0x2E80, 0x303E},   // CJK radicals, punctuation (。，、「」…)
    {0x3041, 0x33FF},   // kana, CJK symbols
    {0x3400, 0x4DBF},   // CJK extension A
    {0x4E00, 0x9FFF},   // CJK unified ideographs
    {0xA000, 0xA4CF},   // Yi
    {0xAC00, 0xD7A3},   // Hangul syllables
    {0xF900, 0xFAFF},   // CJK compatibility ideographs
    {0xFE30, 0xFE4F},   // CJK compatibility forms
    {0xFF00, 0xFF60},   // full-width forms (，：（）)
    {0xFFE0, 0xFFE6},   // full-width signs
    {0x20000, 0x3FFFD}, // CJK extensions B..
}};

int columns(char32_t cp) {
    if (cp == 0x200B || (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0xFE00 && cp <= 0xFE0F))
        return 0; // zero width space, combining marks, variation selectors
    for (const auto& [lo, hi] : kWide)
        if (cp >= lo && cp <= hi) return 2;
    return 1;
}

} // namespace

std::size_t display_width(std::string_view s) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < s.size();) w += std::size_t(columns(next_code_point(s, i)));
    return w;
}

std::string pad_to(std::string s, std::size_t cols) {
    const std::size_t w = display_width(s);
    if (w < cols) s.append(cols - w, ' ');
    return s;
}

std::string render_inline(std::string_view md, bool styled) {
    std::string out;
    out.reserve(md.size());
    for (std::size_t i = 0; i < md.size();) {
        const bool bold = md.compare(i, 2, "**") == 0;
        const bool code = !bold && md[i] == '`';
        if (bold || code) {
            const std::string_view mark = bold ? "**" : "`";
            const std::size_t end = md.find(mark, i + mark.size());
            if (end != std::string_view::npos && end > i + mark.size()) {
                const std::string_view inner = md.substr(i + mark.size(), end - i - mark.size());
                if (styled) out += bold ? "\033[1m" : "\033[36m";
                out += bold ? render_inline(inner, styled) : std::string(inner);
                if (styled) out += bold ? "\033[22m" : "\033[39m";
                i = end + mark.size();
                continue;
            }
        }
        out += md[i++];
    }
    return out;
}

} // namespace lab
