// script_driver.hpp — the tests' driver, outside the App: the GUI tests run the real app
// under Xvfb with --screenshot (and --run, --step, --walk, --then-receiver, --open, --export),
// and this drives it as a user would (Next, a second run, a matrix cell, the exports), waits
// until the scene asked for is on screen, and describes what was drawn, as JSON.
#pragma once

#include "gui/app/command.hpp"

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace gui {

class App;

// What one step of the scripted walk (--walk) saw.
struct WalkRecord {
    int step = 0, of = 0;       // the number shown, and the lesson's count
    std::string label;          // the step's caption as drawn
    std::string pause;          // the lesson step's pause point
    std::string paused_at;      // the pause point the demo waits at (RunState::paused_at)
    bool thread_paused = false; // the pausing thread's lane was in the paused state there
    std::int64_t t_ns = 0;
    int tid = 0;
    std::vector<int> py, cpp, pause_lines; // highlighted as drawn
    std::string shot;                      // the PNG of that moment
};

class ScriptDriver {
  public:
    explicit ScriptDriver(const Flags& flags) : flags_(flags) {}
    // After the frame is drawn: the walk (--walk) records the step as drawn, pictures it and
    // presses Next.
    void after_render(App& app, int fb_w, int fb_h);
    // The scene asked for is on screen and settled, the exports asked for done: time for the
    // screenshot.
    bool ready(App& app, double waited_ms);
    nlohmann::json describe(const App& app) const; // what is on screen, for --screenshot
    // Every text ImGui drew in the last frame (its log; not the timeline's own painting,
    // which layout_json lists), for the bilingual test.
    void drawn_text(std::string text) { text_ = std::move(text); }

  private:
    void walk_tick(App& app);
    void open_requested_cell(App& app);
    nlohmann::json step_json(const App& app) const;
    nlohmann::json walk_json(const App& app) const;
    nlohmann::json matrix_json(const App& app) const;
    nlohmann::json python_json(const App& app) const;
    nlohmann::json layout_json(const App& app) const;

    enum class WalkPhase {
        start,    // the demo waits at a step: show its Python
        python,   // the Python is drawn: record it, show the C++
        cpp,      // the C++ is drawn: record it
        recorded, // picture this frame, then Next
    };
    Flags flags_;
    std::string text_;
    bool walk_done_ = false;
    WalkPhase walk_phase_ = WalkPhase::start;
    int walk_frames_ = 0;
    WalkRecord walk_rec_;
    std::vector<WalkRecord> walk_;
    int ready_frames_ = 0;
    bool exports_done_ = false, opened_ = false;
};

} // namespace gui
