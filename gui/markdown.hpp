// markdown.hpp — lesson prose (Markdown, parsed with md4c) drawn with Dear ImGui: headings,
// emphasis, inline code, code blocks, lists, links. Text wraps word by word (and between
// CJK characters), so mixed styles flow in one paragraph.
#pragma once

#include <string_view>

struct ImFont;

namespace gui {

struct MarkdownFonts {
    ImFont* body;
    ImFont* mono;
    ImFont* heading;
};

void markdown(std::string_view text, const MarkdownFonts& fonts);

} // namespace gui
