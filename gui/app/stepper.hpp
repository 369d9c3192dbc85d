// stepper.hpp — the lesson's steps against a run: which steps the demo reached and when,
// which one is on show, whether the demo waits at it, and which code lines belong to it.
// No drawing here; the App shows it (app_lesson, app_code, app_controls) and turns Next
// into Session::go().
#pragma once

#include "lab/model/lessons.hpp"
#include "lab/model/steps.hpp"
#include "lab/run/runner.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gui {

// The rule that matches a run's pause points to the lesson's steps lives in lab/model/steps.hpp,
// shared with the terminal's step mode.
using lab::match_steps;
using lab::StepHit;

// The lines a step covers, 1-based, sorted, without repeats.
std::vector<int> step_lines(std::string_view text, const std::vector<std::string>& needles);

class Stepper {
  public:
    // Call every frame with the run on show (or none) and the lesson (or none).
    void update(const lab::Lesson* lesson, const lab::RunState* run);
    // A new run starts: follow its steps from the first.
    void reset();

    // The steps one can move between: those the run reached; with no run, all of them.
    const std::vector<std::size_t>& stops() const { return stops_; }
    // The lesson step on show (index into lesson.steps), or -1.
    int shown() const { return shown_; }
    // Position of shown() among stops(), or -1.
    int shown_pos() const;
    const std::vector<StepHit>& hits() const { return hits_; }

    // The demo waits at the pause point of the latest hit, and Next has not let it go yet.
    bool waiting() const { return waiting_; }
    // The demo waits at a pause point the lesson does not talk about.
    bool waiting_unknown() const { return waiting_unknown_; }

    bool can_prev() const { return shown_pos() > 0; }
    bool can_next() const;
    // Moves the view; returns true when the demo must be let go (the caller calls Run::go()).
    bool next();
    void prev();
    // The caller let the demo go past the current pause point.
    void went_on() { released_ = markers_; }

  private:
    std::vector<StepHit> hits_;
    std::vector<std::size_t> stops_;
    int shown_ = -1;
    bool follow_ = true; // the view moves with the demo until the learner moves it back
    bool waiting_ = false, waiting_unknown_ = false;
    std::size_t markers_ = 0;  // step markers seen so far
    std::size_t released_ = 0; // step markers when Next last let the demo go
};

} // namespace gui
