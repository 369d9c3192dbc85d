// The font atlas: what gui::build_fonts costs as the app calls it (time, heap it keeps, atlas
// size), beside the same atlas built from the CJK font file mapped once, which is the fix
// docs/PERFORMANCE.md proposes for the app's memory and start-up figures. Both build exactly
// the same glyphs at the same sizes (the app's: 17 px UI, 16.15 px code, 22.1 px headings).
#include "fonts.hpp"
#include "lessons.hpp"
#include "strings.hpp"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <imgui.h>
#include <imgui_freetype.h>
#include <malloc.h>
#include <string>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace {

struct Setup {
    lab::Content content;
    std::vector<const std::string*> texts;
    gui::FontChoice choice;
    Setup() {
        ImGui::CreateContext();
        content = lab::load_content(lab::content_dir());
        content.strings.load(lab::content_dir() + "/ui.toml");
        // The same sentences as App::rebuild_fonts.
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
            for (const lab::Step& s : l.steps) add(s.text);
            for (const lab::Text& x : l.takeaways) add(x);
            texts.push_back(&l.python);
        }
        for (const lab::Page& p : content.pages) add(p.title), add(p.body);
        choice = gui::find_fonts();
    }
};

Setup& setup() {
    static Setup s;
    return s;
}

double heap_mb() {
    struct mallinfo2 m = mallinfo2();
    return double(m.uordblks + m.hblkhd) / (1024.0 * 1024.0);
}

void report(benchmark::State& state, double held_mb) {
    ImFontAtlas* a = ImGui::GetIO().Fonts;
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    a->GetTexDataAsAlpha8(&px, &w, &h);
    state.counters["heap_kept_MB"] = held_mb;
    state.counters["atlas_w"] = w;
    state.counters["atlas_h"] = h;
    state.counters["rgba32_MB"] = double(w) * h * 4 / (1024.0 * 1024.0);
    state.counters["glyphs"] = a->Fonts.empty() ? 0 : a->Fonts[0]->Glyphs.Size;
}

// As the app does it today: gui::build_fonts (AddFontFromFileTTF for each of the three sizes,
// and the CJK face merged into the code font: the 19.5 MB .ttc is read into memory each time
// and kept by the atlas).
void BM_AtlasAsApp(benchmark::State& state) {
    Setup& s = setup();
    double held = 0;
    for (auto _ : state) {
        ImGui::GetIO().Fonts->Clear();
        const double before = heap_mb();
        gui::build_fonts(s.choice, 17.0f, s.texts);
        held = heap_mb() - before;
    }
    report(state, held);
    ImGui::GetIO().Fonts->Clear();
}
BENCHMARK(BM_AtlasAsApp)->Unit(benchmark::kMillisecond)->Iterations(5);

// The proposed fix: map each font file once (read-only, shared with the page cache), hand the
// same bytes to every size without a copy, and drop the input data after Build(). (Dear ImGui
// 1.86's AddFont() copies the bytes when FontDataOwnedByAtlas is false, so the atlas is told
// it owns them and is relieved of them right after Build(), before anything could free them.)
struct Mapped {
    void* p = MAP_FAILED;
    std::size_t n = 0;
    explicit Mapped(const std::string& path) {
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        struct stat st {};
        if (fd >= 0 && ::fstat(fd, &st) == 0) {
            n = std::size_t(st.st_size);
            p = ::mmap(nullptr, n, PROT_READ, MAP_PRIVATE, fd, 0);
        }
        if (fd >= 0) ::close(fd);
    }
    ~Mapped() {
        if (p != MAP_FAILED) ::munmap(p, n);
    }
};

// state.range(0) == 1: and rasterized by FreeType (Dear ImGui's imgui_freetype builder, in
// Debian's libimgui) instead of stb_truetype, which is slow on CFF outlines like Noto CJK's.
void BM_AtlasMappedOnce(benchmark::State& state) {
    Setup& s = setup();
    const bool freetype = state.range(0) == 1;
    const gui::FontChoice& c = s.choice;
    double held = 0;
    for (auto _ : state) {
        ImGuiIO& io = ImGui::GetIO();
        io.Fonts->Clear();
        io.Fonts->FontBuilderIO = freetype ? ImGuiFreeType::GetBuilderForFreeType() : nullptr;
        const double before = heap_mb();
        Mapped cjk(c.cjk.path), mono(c.mono.path);
        ImVector<ImWchar> ranges;
        ImFontGlyphRangesBuilder b;
        b.AddRanges(io.Fonts->GetGlyphRangesDefault());
        for (const std::string* t : s.texts) b.AddText(t->c_str(), t->c_str() + t->size());
        b.AddText("▶■●○◀←→…—·•│✓✗⏸");
        b.BuildRanges(&ranges);
        auto add = [&](Mapped& m, int index, float size, bool merge, int oversample) {
            ImFontConfig cfg;
            cfg.FontDataOwnedByAtlas = true; // no copy: taken back below
            cfg.FontNo = index;
            cfg.OversampleH = oversample;
            cfg.MergeMode = merge;
            io.Fonts->AddFontFromMemoryTTF(m.p, int(m.n), size, &cfg, ranges.Data);
        };
        const float px = 17.0f;
        add(cjk, c.cjk.index, px, false, 2);           // ui
        add(mono, c.mono.index, px * 0.95f, false, 2); // code
        add(cjk, c.cjk.index, px * 0.95f, true, 1);    // + CJK merged into code
        add(cjk, c.cjk.index, px * 1.3f, false, 2);    // headings
        io.Fonts->Build();
        for (ImFontConfig& cfg : io.Fonts->ConfigData) { // the mapping is ours again
            cfg.FontData = nullptr;
            cfg.FontDataOwnedByAtlas = false;
        }
        io.Fonts->ClearInputData(); // the glyphs are in the atlas now
        held = heap_mb() - before;
        benchmark::DoNotOptimize(io.Fonts->TexPixelsAlpha8);
    }
    report(state, held);
    ImGui::GetIO().Fonts->Clear();
    ImGui::GetIO().Fonts->FontBuilderIO = nullptr;
}
BENCHMARK(BM_AtlasMappedOnce)
    ->ArgName("freetype")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

} // namespace

BENCHMARK_MAIN();
