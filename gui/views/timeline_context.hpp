// timeline_context.hpp — the timeline's drawing, inside gui/views (not for the app): the
// state one run is drawn with, carried as one TimelineContext (as Tracy's TimelineContext)
// instead of a dozen parameters, and the rows that draw with it, one class per kind of row:
//
//   timeline_view.cpp    the pane: zoom and pan, both runs one above the other, the legend
//   timeline_axis.cpp    RunHeaderRow (verdict and settings), AxisRow (ticks, origin, breaks)
//   timeline_lanes.cpp   LaneRow: a thread's label, its state bars, its markers, hover tips
//   timeline_marks.cpp   MarkLayer: over and under the lanes (breaks, the join arrow, main's
//                        end, the exit, atexit, the live counter) and the captions' layout
//   timeline_stages.cpp  StageRow: the exit's stages (main, hooks, join, atexit, finalize)
#pragma once

#include "gui/views/timeline_view.hpp"

#include "lab/model/chain.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace gui {

// One run, as it is being drawn.
struct TimelineContext {
    ImDrawList* dl = nullptr;
    const lab::RunState* run = nullptr;
    const TimeMap* map = nullptr;
    const TimelineText* text = nullptr;
    const std::vector<StepMark>* steps = nullptr; // the lesson's step badges on this run
    std::vector<DrawnText>* drawn = nullptr;      // what was drawn, for --screenshot; or null
    Viewport vp;              // the time on show; x0 and x1: the bars' left and right edges
    float left = 0;           // the timeline's left edge (the label column's)
    float width = 0;          // the labels and the bars
    float line = 0;           // the text's line height
    float dim = 1;            // the previous run is drawn dimmer
    bool interactive = false; // on screen: hover tips (not in the export)

    float bar_x0() const { return vp.x0; }
    float bar_x1() const { return vp.x1; }
    // Where the mouse is, for hover tips; far off the timeline when not interactive (the
    // export), so nothing is hovered there.
    ImVec2 mouse() const { return interactive ? ImGui::GetIO().MousePos : ImVec2(-1e9f, -1e9f); }
    // Records a text drawn at `rect` that had to fit `region`.
    void note(const char* what, const std::string& s, ImVec4 rect, ImVec4 region) const {
        if (drawn) drawn->push_back({what, s, rect, region});
    }
};

inline double ms_since(const lab::RunState& run, std::int64_t ns) {
    return double(ns - run.spawned_ns) / 1e6;
}
inline ImVec4 rect4(ImVec2 a, ImVec2 b) {
    return ImVec4(a.x, a.y, b.x, b.y);
}
ImU32 with_alpha(ImU32 c, float a);
// A zigzag from top to bottom at x: the edge of a break.
void zigzag(ImDrawList* dl, float x, float y0, float y1, ImU32 c);

class RunHeaderRow {
  public:
    void draw(const TimelineContext& ctx, ImVec2 a, ImVec2 b, const RunView& rv, ImU32 color) const;
};

class AxisRow {
  public:
    // The axis from y, h tall: ticks, the origin's note, the breaks' labels.
    void draw(const TimelineContext& ctx, float y, float h) const;

  private:
    void ticks(const TimelineContext& ctx, ImVec2 a, ImVec2 b,
               const std::vector<std::pair<float, float>>& chips) const;
    std::vector<std::pair<float, float>> break_labels(const TimelineContext& ctx, float y,
                                                      float h) const;
};

// Where each lane's centre is, by thread id (the join arrow and the counter point there). A
// reused tid has two lanes; the newest is the thread that has it now (Timeline::lane).
struct LaneCentres {
    std::vector<std::pair<int, float>> y;
    float of(int tid) const {
        for (auto it = y.rbegin(); it != y.rend(); ++it)
            if (it->first == tid) return it->second;
        return -1.0f;
    }
};

class LaneRow {
  public:
    // Lines of the lane's label (name, then the daemon badge wrapped to `width`).
    static std::vector<std::string> label_lines(const lab::Lane& lane, const TimelineText& text,
                                                float width);
    // Draws the lane from y, its bar h tall; hover tips when interactive.
    void draw(const TimelineContext& ctx, const lab::Lane& lane, float y, float h,
              const std::vector<std::string>& label) const;

  private:
    const lab::Segment* segments(const TimelineContext& ctx, const lab::Lane& lane, ImVec2 bar_a,
                                 ImVec2 bar_b) const;
    const StepMark* markers(const TimelineContext& ctx, const lab::Lane& lane, ImVec2 bar_a,
                            ImVec2 bar_b) const;
    void tips(const TimelineContext& ctx, const lab::Lane& lane, ImVec2 label_a, ImVec2 bar_a,
              ImVec2 bar_b, const lab::Segment* hovered, const StepMark* hovered_step) const;
};

// What is drawn across the lanes (top to bottom) and the captions beneath them.
class MarkLayer {
  public:
    // Draws over the lanes from top to y (where they end); returns the y below the captions.
    float draw(const TimelineContext& ctx, float top, float y, const LaneCentres& lanes);

  private:
    struct Caption {
        float x;
        std::string text;
        ImU32 color;
        bool ghost = false;
    };
    void vline(const TimelineContext& ctx, double real_ms, ImU32 c, float thick,
               std::string caption);
    void join_arrows(const TimelineContext& ctx, const LaneCentres& lanes) const;
    void atexit_and_end(const TimelineContext& ctx, const LaneCentres& lanes);
    void counter(const TimelineContext& ctx, const LaneCentres& lanes) const;
    float lay_out(const TimelineContext& ctx, float y);
    float top_ = 0, bottom_ = 0;
    std::vector<Caption> captions_;
};

// The exit's stages as bands along the time axis, beneath the captions (lab::stage_spans).
class StageRow {
  public:
    struct Band {
        lab::Stage stage;
        double t0 = 0, t1 = 0; // ms since the run's spawn
        std::vector<std::string> hooks;
    };
    // The stages of the run, a stage's hooks or handlers in one band; empty before main ends.
    static std::vector<Band> bands(const TimelineContext& ctx);
    // Draws the row from y; returns the y below it (y itself when there is nothing to draw).
    float draw(const TimelineContext& ctx, float y) const;
};

} // namespace gui
