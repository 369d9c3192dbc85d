#include "fonts.hpp"

#include <fontconfig/fontconfig.h>
#include <imgui.h>

namespace gui {
namespace {

// The best match for `pattern`, if it really covers `must_have` (fontconfig always answers
// with *some* font, so the answer is checked).
FontFile match(const char* pattern, FcChar32 must_have) {
    FontFile out;
    FcPattern* pat = FcNameParse(reinterpret_cast<const FcChar8*>(pattern));
    if (!pat) return out;
    FcConfigSubstitute(nullptr, pat, FcMatchPattern);
    FcDefaultSubstitute(pat);
    FcResult result;
    FcPattern* font = FcFontMatch(nullptr, pat, &result);
    FcPatternDestroy(pat);
    if (!font) return out;
    FcChar8* file = nullptr;
    FcCharSet* cs = nullptr;
    int index = 0;
    if (FcPatternGetString(font, FC_FILE, 0, &file) == FcResultMatch &&
        FcPatternGetCharSet(font, FC_CHARSET, 0, &cs) == FcResultMatch &&
        FcCharSetHasChar(cs, must_have)) {
        FcPatternGetInteger(font, FC_INDEX, 0, &index);
        std::string path = reinterpret_cast<const char*>(file);
        // Dear ImGui's rasterizer reads TrueType/OpenType, not bitmap or Type 1 fonts.
        if (path.ends_with(".ttf") || path.ends_with(".ttc") || path.ends_with(".otf") ||
            path.ends_with(".otc"))
            out = {path, index};
    }
    FcPatternDestroy(font);
    return out;
}

} // namespace

FontChoice find_fonts() {
    FontChoice c;
    if (!FcInit()) return c;
    constexpr FcChar32 kZhong = 0x4E2D; // 中
    for (const char* p :
         {"Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", ":lang=zh-cn"}) {
        c.cjk = match(p, kZhong);
        if (!c.cjk.path.empty()) break;
    }
    // One face for Latin and CJK reads evenly: Noto Sans CJK has Latin glyphs too.
    c.sans = c.cjk.path.empty() ? match("DejaVu Sans", 'A') : c.cjk;
    c.mono = match("DejaVu Sans Mono", 'A');
    return c;
}

Fonts build_fonts(const FontChoice& choice, float px,
                  const std::vector<const std::string*>& texts) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    // The glyphs actually used, kept alive until the atlas is built (it reads them then).
    static ImVector<ImWchar> cjk_ranges;
    cjk_ranges.clear();
    ImFontGlyphRangesBuilder b;
    b.AddRanges(io.Fonts->GetGlyphRangesDefault());
    for (const std::string* t : texts) b.AddText(t->c_str(), t->c_str() + t->size());
    for (const char* sym : {"▶■●○◀←→…—·•│✓✗⏸"}) b.AddText(sym);
    b.BuildRanges(&cjk_ranges);

    Fonts f;
    f.has_cjk = !choice.cjk.path.empty();
    auto add = [&](const FontFile& main, float size) -> ImFont* {
        ImFont* font = nullptr;
        if (!main.path.empty()) {
            ImFontConfig cfg;
            cfg.FontNo = main.index;
            cfg.OversampleH = 2;
            font = io.Fonts->AddFontFromFileTTF(main.path.c_str(), size, &cfg, cjk_ranges.Data);
        }
        if (!font) {
            ImFontConfig cfg;
            cfg.SizePixels = size;
            font = io.Fonts->AddFontDefault(&cfg);
        }
        if (f.has_cjk && main.path != choice.cjk.path) { // merge the CJK glyphs in
            ImFontConfig cfg;
            cfg.MergeMode = true;
            cfg.FontNo = choice.cjk.index;
            cfg.OversampleH = 1;
            io.Fonts->AddFontFromFileTTF(choice.cjk.path.c_str(), size, &cfg, cjk_ranges.Data);
        }
        return font;
    };
    f.ui = add(choice.sans, px);
    f.mono = add(choice.mono.path.empty() ? choice.sans : choice.mono, px * 0.95f);
    f.big = add(choice.sans, px * 1.3f);
    io.Fonts->Build();
    return f;
}

} // namespace gui
