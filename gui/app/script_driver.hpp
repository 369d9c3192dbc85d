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

// --script: what a presenter does, in order, each step once the one before is done:
//   key:R (J, Escape, Space, any letter)  a key pressed: down for one frame, up the next
//   click:ITEM   a click on a control the room drew (RoomView::item: room.more,
//                room.auto-reveal, room.countdown-3, room.keep-address, room.reveal ...):
//                the mouse moves there, presses, releases, as the platform would report it
//   run          Run
//   verdict      wait until the run on show has its verdict
//   voters:N     wait until N attendees have voted in the open round
//   attendees:N  wait until N attendees are in the room
//   revealed     wait until the room has revealed the answer
// "" or what is wrong with a step (the gui command refuses it: status 2).
std::string script_step_error(const std::string& step);

class ScriptDriver {
  public:
    explicit ScriptDriver(const Flags& flags) : flags_(flags) {}
    // Between the platform's input and ImGui's NewFrame: the script's key or click of this
    // frame (--script), so ImGui sees it as it would see the user's.
    void before_frame(App& app);
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
    bool script_step(App& app, const std::string& step); // true: done
    bool script_done() const { return step_ >= flags_.script.size(); }

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
    std::size_t step_ = 0; // the script's step under way
    int step_frame_ = 0;   // frames into it (a key: down, up; a click: move, press, release)
    nlohmann::json script_log_ = nlohmann::json::array(); // each step done, when, the room then
};

} // namespace gui
