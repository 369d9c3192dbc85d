// The font atlas: what gui::build_fonts costs as the app calls it now (time, heap it keeps,
// atlas size) -- each font file mapped once and shared by every size, the input dropped after
// Build(), rasterized by FreeType (commit 7580a79) -- beside, in the same run, the way the app
// built it before (each size read its own copy of the font file, kept by the atlas;
// stb_truetype) and the mapped-once build with stb_truetype, which splits the gain between
// "no copies" and "FreeType". All three build exactly the same glyphs at the same sizes (the
// app's: 17 px UI, 16.15 px code, 22.1 px headings).
#include "gui/text/fonts.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/strings.hpp"

#include <benchmark/benchmark.h>
#include <imgui.h>
#include <malloc.h>
#include <string>
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
        texts = gui::content_texts(content); // the same sentences as the app
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

// The app now: gui::build_fonts as App::rebuild_fonts calls it.
void BM_AtlasAsApp(benchmark::State& state) {
    Setup& s = setup();
    double held = 0;
    for (auto _ : state) {
        ImGui::GetIO().Fonts->Clear();
        const double before = heap_mb();
        gui::build_fonts(*ImGui::GetIO().Fonts, s.choice, 17.0f, s.texts);
        held = heap_mb() - before;
    }
    report(state, held);
    ImGui::GetIO().Fonts->Clear();
    ImGui::GetIO().Fonts->FontBuilderIO = nullptr;
}

ImVector<ImWchar> glyph_ranges(const Setup& s) {
    ImVector<ImWchar> ranges;
    ImFontGlyphRangesBuilder b;
    b.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesDefault());
    for (const std::string* t : s.texts) b.AddText(t->c_str(), t->c_str() + t->size());
    b.AddText("▶■●○◀←→…—·•│✓✗⏸");
    b.BuildRanges(&ranges);
    return ranges;
}

// The baseline: gui/text/fonts.cpp before 7580a79. AddFontFromFileTTF for each of the three sizes
// and for the CJK face merged into the code font, so the 19.5 MB .ttc is read into memory
// three times and every copy is kept by the atlas; stb_truetype with OversampleH 2 (1 for
// the merged face).
void BM_AtlasBefore(benchmark::State& state) {
    Setup& s = setup();
    const gui::FontChoice& c = s.choice;
    double held = 0;
    for (auto _ : state) {
        ImGuiIO& io = ImGui::GetIO();
        io.Fonts->Clear();
        io.Fonts->FontBuilderIO = nullptr; // stb_truetype
        const double before = heap_mb();
        ImVector<ImWchar> ranges = glyph_ranges(s);
        auto add = [&](const gui::FontFile& f, float size, bool merge, int oversample) {
            ImFontConfig cfg;
            cfg.FontNo = f.index;
            cfg.OversampleH = oversample;
            cfg.MergeMode = merge;
            io.Fonts->AddFontFromFileTTF(f.path.c_str(), size, &cfg, ranges.Data);
        };
        const float px = 17.0f;
        add(c.cjk, px, false, 2);          // ui
        add(c.mono, px * 0.95f, false, 2); // code
        add(c.cjk, px * 0.95f, true, 1);   // + CJK merged into code
        add(c.cjk, px * 1.3f, false, 2);   // headings
        io.Fonts->Build();
        held = heap_mb() - before;
        benchmark::DoNotOptimize(io.Fonts->TexPixelsAlpha8);
    }
    report(state, held);
    ImGui::GetIO().Fonts->Clear();
}

// Mapped once and no copies, as the app does now, but rasterized by stb_truetype (with the
// oversampling the app used with it): how much of the gain is the copies, how much FreeType.
// (Dear ImGui 1.86's AddFont() copies the bytes when FontDataOwnedByAtlas is false, so the
// atlas is told it owns them and is relieved of them right after Build(), as in the app.)
void BM_AtlasMappedStb(benchmark::State& state) {
    Setup& s = setup();
    const gui::FontChoice& c = s.choice;
    double held = 0;
    for (auto _ : state) {
        ImGuiIO& io = ImGui::GetIO();
        io.Fonts->Clear();
        io.Fonts->FontBuilderIO = nullptr; // stb_truetype
        const double before = heap_mb();
        gui::MappedFile cjk(c.cjk.path), mono(c.mono.path);
        ImVector<ImWchar> ranges = glyph_ranges(s);
        auto add = [&](gui::MappedFile& m, int index, float size, bool merge, int oversample) {
            ImFontConfig cfg;
            cfg.FontDataOwnedByAtlas = true; // no copy: taken back below
            cfg.FontNo = index;
            cfg.OversampleH = oversample;
            cfg.MergeMode = merge;
            io.Fonts->AddFontFromMemoryTTF(m.data, int(m.size), size, &cfg, ranges.Data);
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
}

BENCHMARK(BM_AtlasBefore)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_AtlasMappedStb)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_AtlasAsApp)->Unit(benchmark::kMillisecond)->Iterations(5);

} // namespace

BENCHMARK_MAIN();
