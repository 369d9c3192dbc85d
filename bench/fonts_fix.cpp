// fonts_fix.cpp — bench only: the app's gui/fonts.cpp with the fix docs/PERFORMANCE.md
// proposes, linked into `daemonlab_fontfix` ahead of libdl_gui.a (so the archive's fonts.cpp.o
// is never pulled in) to measure the whole app with it. find_fonts() is gui/fonts.cpp's,
// unchanged; build_fonts() maps each font file once and hands the same bytes to every size
// without a copy, instead of reading the file into memory for every size, and drops the
// atlas's input data after Build(). DL_FONTFIX_FREETYPE=1 also rasterizes with FreeType
// instead of stb_truetype.
#include "fonts.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <imgui_freetype.h>
#include <map>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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

namespace {

// A read-only mapping of a whole file, alive while the atlas is being built.
struct Mapped {
    void* p = MAP_FAILED;
    std::size_t n = 0;
    explicit Mapped(const std::string& path) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd >= 0 && ::fstat(fd, &st) == 0 && st.st_size > 0) {
            n = std::size_t(st.st_size);
            p = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
        }
        if (fd >= 0) ::close(fd);
    }
    Mapped(const Mapped&) = delete;
    Mapped& operator=(const Mapped&) = delete;
    ~Mapped() {
        if (p != MAP_FAILED) ::munmap(p, n);
    }
    bool ok() const { return p != MAP_FAILED; }
};

} // namespace

Fonts build_fonts(const FontChoice& choice, float px,
                  const std::vector<const std::string*>& texts) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    const char* ft = std::getenv("DL_FONTFIX_FREETYPE");
    io.Fonts->FontBuilderIO =
        ft && std::string(ft) == "1" ? ImGuiFreeType::GetBuilderForFreeType() : nullptr;
    static ImVector<ImWchar> cjk_ranges;
    cjk_ranges.clear();
    ImFontGlyphRangesBuilder b;
    b.AddRanges(io.Fonts->GetGlyphRangesDefault());
    for (const std::string* t : texts) b.AddText(t->c_str(), t->c_str() + t->size());
    for (const char* sym : {"▶■●○◀←→…—·•│✓✗⏸"}) b.AddText(sym);
    b.BuildRanges(&cjk_ranges);

    std::map<std::string, std::unique_ptr<Mapped>> files; // each file mapped once
    auto data = [&](const std::string& path) -> Mapped* {
        auto& m = files[path];
        if (!m) m = std::make_unique<Mapped>(path);
        return m->ok() ? m.get() : nullptr;
    };
    Fonts f;
    f.has_cjk = !choice.cjk.path.empty();
    auto add = [&](const FontFile& main, float size) -> ImFont* {
        ImFont* font = nullptr;
        if (Mapped* m = main.path.empty() ? nullptr : data(main.path)) {
            ImFontConfig cfg;
            cfg.FontDataOwnedByAtlas = true; // so AddFont() does not copy it (see below)
            cfg.FontNo = main.index;
            cfg.OversampleH = 2;
            font = io.Fonts->AddFontFromMemoryTTF(m->p, int(m->n), size, &cfg, cjk_ranges.Data);
        }
        if (!font) {
            ImFontConfig cfg;
            cfg.SizePixels = size;
            font = io.Fonts->AddFontDefault(&cfg);
        }
        if (f.has_cjk && main.path != choice.cjk.path)
            if (Mapped* m = data(choice.cjk.path)) {
                ImFontConfig cfg;
                cfg.FontDataOwnedByAtlas = true;
                cfg.MergeMode = true;
                cfg.FontNo = choice.cjk.index;
                cfg.OversampleH = 1;
                io.Fonts->AddFontFromMemoryTTF(m->p, int(m->n), size, &cfg, cjk_ranges.Data);
            }
        return font;
    };
    f.ui = add(choice.sans, px);
    f.mono = add(choice.mono.path.empty() ? choice.sans : choice.mono, px * 0.95f);
    f.big = add(choice.sans, px * 1.3f);
    io.Fonts->Build();
    // Dear ImGui 1.86's AddFont() copies the font bytes unless the atlas owns them; it "owns"
    // the mapping only until here: take it back before anything could free it, then drop the
    // rest of the input data (the glyphs are in the atlas now).
    for (ImFontConfig& cfg : io.Fonts->ConfigData) {
        cfg.FontData = nullptr;
        cfg.FontDataOwnedByAtlas = false;
    }
    io.Fonts->ClearInputData();
    return f;
}

} // namespace gui
