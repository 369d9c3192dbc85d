// markdown.hpp — lesson prose (Markdown, parsed with md4c) drawn with Dear ImGui: headings,
// emphasis, inline code, code blocks, lists, links. Text wraps word by word (and between
// CJK characters, never before closing punctuation), so mixed styles flow in one paragraph.
#pragma once

#include <string_view>

struct ImFont;

namespace gui {

struct MarkdownFonts {
    ImFont* body;
    ImFont* mono;
    ImFont* heading;
    ImFont* bold = nullptr; // **bold** (nullptr: the body face, in the strong colour)
};

void markdown(std::string_view text, const MarkdownFonts& fonts);

} // namespace gui
