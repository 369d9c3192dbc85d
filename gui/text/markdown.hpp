// markdown.hpp — lesson prose (Markdown, parsed with md4c) drawn with Dear ImGui: headings,
// emphasis, inline code, code blocks, lists, links. Text wraps word by word (and between
// CJK characters, never before closing punctuation), so mixed styles flow in one paragraph.
#pragma once

#include <cstddef>
#include <functional>
#include <imgui.h>
#include <string_view>
#include <vector>

struct ImFont;

namespace gui {

struct MarkdownFonts {
    ImFont* body;
    ImFont* mono;
    ImFont* heading;
    ImFont* bold = nullptr; // **bold** (nullptr: the body face, in the strong colour)
};

void markdown(std::string_view text, const MarkdownFonts& fonts);

// A hook on the prose as laid out: after each run of text of one style, the text and where
// each of its pieces went on screen (byte range, screen rectangle). The app's glossary uses
// it for hover definitions (app_pages.cpp); markdown() knows nothing about terms.
struct TextPiece {
    std::size_t begin = 0, end = 0;
    ImVec2 min, max;
    ImFont* font = nullptr; // the face it was drawn in (to find where a byte of it is)
};
using TextHook = std::function<void(std::string_view text, const std::vector<TextPiece>& pieces)>;
void set_text_hook(TextHook hook);

} // namespace gui
