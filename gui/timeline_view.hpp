// timeline_view.hpp — draws lab::Timeline snapshots (the model) and nothing else: one lane
// per thread, state segments, markers, the shutdown's join arrow, the live "now" edge.
// One class per kind of row, as in Tracy: AxisRow, RunHeaderRow, LaneRow.
#pragma once

#include "runner.hpp"
#include "strings.hpp"

#include <cstdint>
#include <imgui.h>
#include <string>
#include <vector>

namespace gui {

// What part of time is on screen, in ms since a run's spawn (runs are aligned at spawn).
struct Viewport {
    double t0 = 0, t1 = 100;
    bool follow = true;   // the right edge tracks "now" (or the run's end)
    float x0 = 0, x1 = 1; // screen x of t0 and t1
    float x(double t) const { return x0 + float((t - t0) / (t1 - t0)) * (x1 - x0); }
    double t(float x_) const { return t0 + double(x_ - x0) / double(x1 - x0) * (t1 - t0); }
};

// The colour of a state, shared with the legend and the tests' pixel checks.
ImU32 state_color(const lab::Segment& s);

struct TimelineText {
    const lab::Strings* strings;
    lab::Lang lang;
    std::string get(std::string_view key) const { return strings->get(key, lang); }
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

// One run to draw, with its caption and its step badges.
struct RunView {
    const lab::RunState* run = nullptr;
    std::string label;
    std::vector<StepMark> steps;
};

class AxisRow {
  public:
    void draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const Viewport& vp) const;
};

class RunHeaderRow {
  public:
    void draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const std::string& label, ImU32 color) const;
};

class LaneRow {
  public:
    // Draws the lane; returns true when the mouse is over it (tooltip shown).
    void draw(ImDrawList* dl, ImVec2 label_a, ImVec2 bar_a, ImVec2 bar_b, const lab::Lane& lane,
              const lab::RunState& run, const Viewport& vp, const TimelineText& text, float dim,
              const std::vector<StepMark>& steps) const;
};

class TimelineView {
  public:
    // current: the live or latest run; previous: the one before it (drawn beneath, dimmer).
    void draw(const RunView& current, const RunView& previous, const TimelineText& text);
    void legend(const TimelineText& text) const;
    void fit() { vp_.follow = true; }
    // Where the pane was drawn last frame, in screen pixels (for the PNG export).
    ImVec2 rect_min() const { return rect_min_; }
    ImVec2 rect_max() const { return rect_max_; }

  private:
    float draw_run(ImDrawList* dl, float y, const RunView& run, const TimelineText& text, float dim,
                   bool live);
    Viewport vp_;
    ImVec2 rect_min_{0, 0}, rect_max_{0, 0};
    AxisRow axis_;
    RunHeaderRow header_;
    LaneRow lane_;
};

} // namespace gui
