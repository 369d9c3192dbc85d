// fonts.hpp — finding fonts through fontconfig and building an atlas with only the glyphs
// the content uses (CJK has ~20k glyphs; a lesson set uses a few hundred).
#pragma once

#include "lab/model/lessons.hpp"

#include <cstddef>
#include <string>
#include <vector>

struct ImFont;
struct ImFontAtlas;

namespace gui {

struct FontFile {
    std::string path;
    int index = 0; // face inside a collection (.ttc)
};

struct FontChoice {
    FontFile cjk;  // empty path: none found
    FontFile sans; // Latin UI text (empty: Dear ImGui's built-in font)
    FontFile mono; // code
    FontFile bold; // **bold** (Noto Sans CJK Bold; empty: the regular face, emboldened)
    // English curly quotes ‘ ’ “ ”: a Latin face, not the CJK face's full-width glyphs
    // (empty: the UI face has proportional ones already).
    FontFile quotes;
};

// A read-only mapping of a whole font file (data is null when it cannot be read). The CJK
// font is some 20 MB: mapped once and shared by every size, not read in once per size.
struct MappedFile {
    void* data = nullptr;
    std::size_t size = 0;
    explicit MappedFile(const std::string& path);
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();
};

// Noto Sans CJK SC, then WenQuanYi, then any font covering Chinese; DejaVu for Latin; Noto
// Sans CJK SC Bold for bold; DejaVu Sans's curly quotes when the UI face is a CJK one.
FontChoice find_fonts();

struct Fonts {
    ImFont* ui = nullptr;
    ImFont* mono = nullptr;
    ImFont* big = nullptr;  // headings and the verdict banner
    ImFont* bold = nullptr; // **bold** in lessons: only the glyphs bold text uses
    bool has_cjk = false;
};

// (Re)builds `atlas` at `px` pixels, holding the glyphs of `texts` (UTF-8) plus ASCII and
// the symbols the UI draws; the bold face holds only the glyphs of `**…**` spans in them. Needs no
// ImGui context, so it can run on another thread before there is one; on a live atlas call it
// before the frame, then re-upload the texture.
Fonts build_fonts(ImFontAtlas& atlas, const FontChoice& choice, float px,
                  const std::vector<const std::string*>& texts);

// Every sentence the app can show (UI strings, lessons, pages), for build_fonts().
std::vector<const std::string*> content_texts(const lab::Content& content);

} // namespace gui
