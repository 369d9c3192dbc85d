#include "gui/text/line_break.hpp"

#include <algorithm>

namespace gui {

bool no_line_start(char32_t c) {
    static constexpr std::u32string_view closing =
        U"，。、：；！？）」』】》〉〕］｝”’…—・·,.:;!?)]}%";
    return closing.find(c) != std::u32string_view::npos;
}

bool no_line_end(char32_t c) {
    static constexpr std::u32string_view opening = U"（「『【《〈〔［｛“‘([{";
    return opening.find(c) != std::u32string_view::npos;
}

bool breaks_anywhere(char32_t c) {
    return (c >= 0x2E80 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFAFF) ||
           (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFFEF) || c >= 0x20000;
}

std::size_t utf8_length(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

char32_t decode_utf8(std::string_view s, std::size_t i) {
    const auto b = [&](std::size_t k) {
        return k < s.size() ? char32_t(static_cast<unsigned char>(s[k]) & 0x3F) : 0;
    };
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (utf8_length(c)) {
    case 1:
        return c;
    case 2:
        return (char32_t(c & 0x1F) << 6) | b(i + 1);
    case 3:
        return (char32_t(c & 0x0F) << 12) | (b(i + 1) << 6) | b(i + 2);
    default:
        return (char32_t(c & 0x07) << 18) | (b(i + 1) << 12) | (b(i + 2) << 6) | b(i + 3);
    }
}

std::vector<Piece> pieces(std::string_view text,
                          const std::function<float(std::string_view)>& width) {
    std::vector<Piece> out;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t j = i;
        if (breaks_anywhere(decode_utf8(text, i)))
            j = i + utf8_length(static_cast<unsigned char>(text[i]));
        else {
            while (j < text.size() && text[j] != ' ' && !breaks_anywhere(decode_utf8(text, j)))
                j += utf8_length(static_cast<unsigned char>(text[j]));
            while (j < text.size() && text[j] == ' ') ++j;
        }
        j = std::min(std::max(j, i + 1), text.size());
        Piece p{i, j, width(text.substr(i, j - i)), 0, decode_utf8(text, i), 0};
        std::size_t q = j;
        while (q > i && text[q - 1] == ' ') --q;
        if (q < j) p.space = p.w - width(text.substr(i, q - i));
        if (q > i) {
            --q;
            while (q > i && (static_cast<unsigned char>(text[q]) & 0xC0) == 0x80) --q;
            p.last = decode_utf8(text, q);
        }
        out.push_back(p);
        i = j;
    }
    return out;
}

std::vector<bool> line_starts(const std::vector<Piece>& p, float wrap, float x) {
    std::vector<bool> starts(p.size(), false);
    for (std::size_t n = 0; n < p.size(); ++n) {
        // What must go on this line with the piece: the closing punctuation after it, and
        // the piece after an opening one.
        // Trailing spaces may hang past the end (code aligns its comments with them).
        float need = p[n].w;
        std::size_t last = n;
        for (std::size_t m = n + 1; m < p.size(); ++m) {
            if (!no_line_start(p[m].first) && !no_line_end(p[m - 1].last)) break;
            need += p[m].w;
            last = m;
        }
        need -= p[last].space;
        const bool may_break = n > 0 && !no_line_start(p[n].first) && !no_line_end(p[n - 1].last);
        if (may_break && x > 0 && x + need > wrap) {
            starts[n] = true;
            x = 0;
        }
        x += p[n].w;
    }
    return starts;
}

std::vector<std::string> wrap_lines(std::string_view text, float wrap,
                                    const std::function<float(std::string_view)>& width) {
    std::vector<Piece> p;
    std::vector<std::size_t> long_words; // where each word cut into characters starts
    for (const Piece& q : pieces(text, width)) {
        if (q.w - q.space <= wrap) {
            p.push_back(q);
            continue;
        }
        // A word wider than a whole line (a URL, a long identifier): it starts a line of its
        // own and is cut between characters (as a browser's overflow-wrap: break-word).
        if (!p.empty()) long_words.push_back(p.size());
        for (std::size_t i = q.b; i < q.e;) {
            const std::size_t j =
                std::min(q.e, i + utf8_length(static_cast<unsigned char>(text[i])));
            const char32_t c = decode_utf8(text, i);
            const float w = width(text.substr(i, j - i));
            p.push_back({i, j, w, c == ' ' ? w : 0, c, c});
            i = j;
        }
    }
    std::vector<bool> starts = line_starts(p, wrap);
    for (std::size_t n : long_words) // unless the kinsoku rules keep it with the piece before
        if (!no_line_start(p[n].first) && !no_line_end(p[n - 1].last)) starts[n] = true;
    std::vector<std::string> lines;
    for (std::size_t n = 0; n < p.size(); ++n) {
        if (lines.empty() || starts[n]) lines.emplace_back();
        lines.back() += std::string(text.substr(p[n].b, p[n].e - p[n].b));
    }
    return lines;
}

std::string printf_literal(std::string_view text) {
    std::string out;
    for (char c : text) {
        out += c;
        if (c == '%') out += '%';
    }
    return out;
}

} // namespace gui
