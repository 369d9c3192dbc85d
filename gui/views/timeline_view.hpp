// timeline_view.hpp — draws lab::Timeline snapshots (the model) and nothing else: one lane
// per thread, state segments, markers, the shutdown's join arrow, the live "now" edge.
// One class per kind of row, as in Tracy: RunHeaderRow, AxisRow, LaneRow, MarkLayer
// (timeline_context.hpp), each drawing with one TimelineContext.
//
// Time is drawn through a TimeMap (time_map.hpp): idle pauses collapsed into breaks (a toggle
// shows them), the compared runs lined up at "main ended", each with its own scale when one
// would otherwise be a sliver. paint() draws into any draw list at any size, so the export
// renders the whole timeline off-screen the same way.
#pragma once

#include "gui/views/time_map.hpp"
#include "lab/model/strings.hpp"
#include "lab/run/runner.hpp"

#include <cstdint>
#include <imgui.h>
#include <string>
#include <vector>

namespace gui {

// What part of time is on screen, in shown ms (time_map.hpp: 0 is main's end, or the start).
struct Viewport {
    double t0 = 0, t1 = 100;
    bool follow = true;   // the right edge tracks "now" (or the run's end)
    float x0 = 0, x1 = 1; // screen x of t0 and t1
    float x(double t) const { return x0 + float((t - t0) / (t1 - t0)) * (x1 - x0); }
    double t(float x_) const { return t0 + double(x_ - x0) / double(x1 - x0) * (t1 - t0); }
};

// The colour of a state, shared with the legend and the tests' pixel checks.
ImU32 state_color(const lab::Segment& s);

// The timeline's words, in every language shown: one, or Chinese and English (双语), then
// joined "中文 / English".
struct TimelineText {
    const lab::Strings* strings;
    std::vector<lab::Lang> langs;
    ImFont* big = nullptr; // each run's verdict on its header (nullptr: the current font)
    lab::Lang lang() const { return langs.front(); }
    std::string get(std::string_view key) const;
    std::string format(std::string_view key, const std::vector<lab::Arg>& args) const;
};

// A lesson step the demo reached: drawn as a numbered badge on the lane of the thread that
// reached the pause point, at the time it did.
struct StepMark {
    std::int64_t t_ns = 0; // the step marker's time (trace clock)
    int tid = 0;
    int number = 0; // 1-based, as the lesson numbers its steps
    std::string pause;
    bool current = false; // the step on show
};

// One run to draw, with its caption, its verdict in large type, and its step badges.
struct RunView {
    const lab::RunState* run = nullptr;
    std::string label;
    std::string verdict; // e.g. "继承（≤ 12.0）→ 卡住": the header's big words
    std::vector<StepMark> steps;
};

// A piece of text the timeline drew, and the region it had to fit (for --screenshot's JSON:
// the GUI test checks that nothing is clipped).
struct DrawnText {
    std::string what; // "lane", "header", "verdict", "caption", "counter"
    std::string text;
    ImVec4 rect;   // x0, y0, x1, y1
    ImVec4 region; // where it must fit
};

struct TimelineContext; // timeline_context.hpp: one run as it is drawn

class TimelineView {
  public:
    // current: the live or latest run; previous: the one before it (drawn beneath, dimmer).
    // height: the pane's (0: what is left of the window).
    void draw(const RunView& current, const RunView& previous, const TimelineText& text,
              float height = 0);
    // Any number of runs, one above the other, none dimmed ("Run on every Python").
    void draw(const std::vector<const RunView*>& runs, const TimelineText& text, float height = 0);
    // Paints both runs from `a`, `width` wide, into any draw list (the export's too); returns
    // the height used. Interactive: hover tips and the hint (on screen only).
    float paint(ImDrawList* dl, ImVec2 a, float width, const RunView& current,
                const RunView& previous, const TimelineText& text, bool interactive,
                std::vector<DrawnText>* drawn);
    // The runs with a view (run set), top to bottom; dim: of every run after the first.
    float paint(ImDrawList* dl, ImVec2 a, float width, const std::vector<const RunView*>& runs,
                const TimelineText& text, bool interactive, std::vector<DrawnText>* drawn,
                float dim = 0.75f);
    void legend(const TimelineText& text) const;
    void fit() { vp_.follow = true; }
    bool show_paused = false; // draw paused time as it was (else collapsed into breaks)
    // Where the pane was drawn last frame, in screen pixels.
    ImVec2 rect_min() const { return rect_min_; }
    ImVec2 rect_max() const { return rect_max_; }
    const std::vector<DrawnText>& drawn() const { return drawn_; }
    float content_height() const { return height_; } // what the runs took, last frame

  private:
    void draw_runs(const std::vector<const RunView*>& runs, const TimelineText& text, float height,
                   float dim);
    float draw_run(TimelineContext& ctx, const RunView& rv, float y, float label_w, bool own_scale);
    Viewport vp_;
    ImVec2 rect_min_{0, 0}, rect_max_{0, 0};
    std::vector<DrawnText> drawn_;
    float height_ = 0;
};

} // namespace gui
