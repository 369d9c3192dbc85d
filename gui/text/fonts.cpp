#include "gui/text/fonts.hpp"

#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <imgui.h>
#include <imgui_freetype.h>
#include <map>
#include <memory>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

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
    // A real bold face: Noto Sans CJK has one (a different file from the regular face).
    if (!c.cjk.path.empty()) {
        c.bold = match("Noto Sans CJK SC:bold", kZhong);
        if (c.bold.path == c.cjk.path && c.bold.index == c.cjk.index) c.bold = {};
    } else {
        c.bold = match("DejaVu Sans:bold", 'A');
        if (c.bold.path == c.sans.path) c.bold = {};
    }
    // Noto Sans CJK SC draws ‘ ’ “ ” full-width (right for Chinese, gaps in English): take
    // them from a Latin face.
    constexpr FcChar32 kLeftDoubleQuote = 0x201C;
    if (!c.cjk.path.empty() && c.sans.path == c.cjk.path)
        c.quotes = match("DejaVu Sans", kLeftDoubleQuote);
    return c;
}

MappedFile::MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0 && st.st_size > 0) {
        size = std::size_t(st.st_size);
        data = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (data == MAP_FAILED) data = nullptr;
    }
    if (fd >= 0) ::close(fd);
}

MappedFile::~MappedFile() {
    if (data) ::munmap(data, size);
}

Fonts build_fonts(ImFontAtlas& atlas, const FontChoice& choice, float px,
                  const std::vector<const std::string*>& texts) {
    atlas.Clear();
    // FreeType rasterizes CJK faster than stb_truetype and needs no oversampling: the atlas
    // is half the size (docs/PERFORMANCE.md).
    atlas.FontBuilderIO = ImGuiFreeType::GetBuilderForFreeType();
    // The glyphs actually used, kept alive until the atlas is built (it reads them then).
    static ImVector<ImWchar> cjk_ranges, bold_ranges;
    static const ImWchar quote_ranges[] = {0x2018, 0x201F, 0};
    cjk_ranges.clear();
    bold_ranges.clear();
    ImFontGlyphRangesBuilder b, bb;
    b.AddRanges(atlas.GetGlyphRangesDefault());
    bb.AddRanges(atlas.GetGlyphRangesDefault());
    for (const std::string* t : texts) {
        b.AddText(t->c_str(), t->c_str() + t->size());
        // Bold spans only: the bold face holds a few hundred glyphs, not every one.
        for (std::size_t open = t->find("**"); open != std::string::npos;) {
            const std::size_t close = t->find("**", open + 2);
            if (close == std::string::npos) break;
            bb.AddText(t->c_str() + open + 2, t->c_str() + close);
            open = t->find("**", close + 2);
        }
    }
    for (const char* sym : {"▶■●○◀←→…—·•│✓✗⏸"}) b.AddText(sym);
    // The curly quotes come from the Latin face when there is one.
    if (!choice.quotes.path.empty())
        for (ImWchar c = quote_ranges[0]; c <= quote_ranges[1]; ++c) {
            b.UsedChars[c >> 5] &= ~(ImU32(1) << (c & 31));
            bb.UsedChars[c >> 5] &= ~(ImU32(1) << (c & 31));
        }
    b.BuildRanges(&cjk_ranges);
    bb.BuildRanges(&bold_ranges);

    std::map<std::string, std::unique_ptr<MappedFile>> files; // each file mapped once
    auto mapped = [&](const std::string& path) -> MappedFile* {
        auto& m = files[path];
        if (!m) m = std::make_unique<MappedFile>(path);
        return m->data ? m.get() : nullptr;
    };
    // Dear ImGui 1.86 copies font bytes it does not own; it is told it owns the mapping so
    // that it does not, and relieved of it right after Build(), before it could free it.
    auto from_memory = [&](MappedFile* m, float size, ImFontConfig cfg,
                           const ImWchar* ranges = nullptr) {
        cfg.FontDataOwnedByAtlas = true;
        return atlas.AddFontFromMemoryTTF(m->data, int(m->size), size, &cfg,
                                          ranges ? ranges : cjk_ranges.Data);
    };

    Fonts f;
    f.has_cjk = !choice.cjk.path.empty();
    auto add = [&](const FontFile& main, float size, const ImWchar* ranges = nullptr,
                   unsigned builder_flags = 0) -> ImFont* {
        ImFont* font = nullptr;
        if (MappedFile* m = main.path.empty() ? nullptr : mapped(main.path)) {
            ImFontConfig cfg;
            cfg.FontNo = main.index;
            cfg.FontBuilderFlags = builder_flags;
            font = from_memory(m, size, cfg, ranges);
        }
        if (!font) {
            ImFontConfig cfg;
            cfg.SizePixels = size;
            font = atlas.AddFontDefault(&cfg);
        }
        if (f.has_cjk && main.path != choice.cjk.path) // merge the CJK glyphs in
            if (MappedFile* m = mapped(choice.cjk.path)) {
                ImFontConfig cfg;
                cfg.MergeMode = true;
                cfg.FontNo = choice.cjk.index;
                cfg.FontBuilderFlags = builder_flags;
                from_memory(m, size, cfg, ranges);
            }
        if (MappedFile* m = choice.quotes.path.empty() ? nullptr : mapped(choice.quotes.path)) {
            ImFontConfig cfg;
            cfg.MergeMode = true;
            cfg.FontNo = choice.quotes.index;
            cfg.FontBuilderFlags = builder_flags;
            from_memory(m, size, cfg, quote_ranges);
        }
        return font;
    };
    f.ui = add(choice.sans, px);
    f.mono = add(choice.mono.path.empty() ? choice.sans : choice.mono, px * 0.95f);
    f.big = add(choice.sans, px * 1.3f);
    // Bold: the bold face, or the regular one emboldened by FreeType when there is none.
    f.bold = choice.bold.path.empty()
                 ? add(choice.sans, px, bold_ranges.Data, ImGuiFreeTypeBuilderFlags_Bold)
                 : add(choice.bold, px, bold_ranges.Data);
    atlas.Build();
    for (ImFontConfig& cfg : atlas.ConfigData)
        if (cfg.FontData && cfg.FontDataOwnedByAtlas) {
            bool ours = false;
            for (const auto& [path, m] : files) ours |= m->data && cfg.FontData == m->data;
            if (ours) {
                cfg.FontData = nullptr;
                cfg.FontDataOwnedByAtlas = false;
            }
        }
    atlas.ClearInputData(); // the glyphs are in the atlas; the input is not needed again
    return f;
}

// Every sentence the app can show, so the font atlas holds exactly those glyphs.
std::vector<const std::string*> content_texts(const lab::Content& content) {
    std::vector<const std::string*> texts;
    for (const auto& [key, zh_en] : content.strings.all()) {
        texts.push_back(&zh_en.first);
        texts.push_back(&zh_en.second);
    }
    auto add = [&](const lab::Text& x) {
        texts.push_back(&x.zh);
        texts.push_back(&x.en);
    };
    for (const lab::Lesson& l : content.lessons) {
        for (const lab::Text* x : {&l.title, &l.summary, &l.why, &l.fix, &l.predict}) add(*x);
        for (const lab::Step& st : l.steps) add(st.text);
        for (const lab::Text& x : l.takeaways) add(x);
        texts.push_back(&l.python);
    }
    for (const lab::Page& p : content.pages) add(p.title), add(p.body);
    return texts;
}

} // namespace gui
