#include "gui/app/stepper.hpp"

#include <algorithm>

namespace gui {

std::vector<int> step_lines(std::string_view text, const std::vector<std::string>& needles) {
    std::vector<int> out;
    for (const std::string& needle : needles)
        for (int n : lab::find_lines(text, needle)) out.push_back(n);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

void Stepper::reset() {
    hits_.clear();
    stops_.clear();
    shown_ = -1;
    follow_ = true;
    waiting_ = waiting_unknown_ = false;
    markers_ = released_ = 0;
}

void Stepper::update(const lab::Lesson* lesson, const lab::RunState* run) {
    hits_.clear();
    stops_.clear();
    waiting_ = waiting_unknown_ = false;
    if (!lesson || lesson->steps.empty()) {
        shown_ = -1;
        return;
    }
    if (!run) { // no run: the lesson's steps, to read through
        for (std::size_t i = 0; i < lesson->steps.size(); ++i) stops_.push_back(i);
        if (shown_ >= int(stops_.size())) shown_ = -1;
        return;
    }
    hits_ = lab::match_steps(*lesson, run->timeline);
    for (const StepHit& h : hits_) stops_.push_back(h.index);
    markers_ = lab::step_markers(run->timeline);
    // Paused: the demo emits the step marker, then its thread reports "paused" on that pause
    // point and waits; the runner keeps that in paused_at until the same thread goes on.
    if (const std::string& at = run->paused_at; !at.empty() && markers_ > released_) {
        if (!hits_.empty() && hits_.back().marker == markers_ && hits_.back().pause == at)
            waiting_ = true;
        else
            waiting_unknown_ = true;
    }
    if (follow_ || shown_pos() < 0) {
        shown_ = hits_.empty() ? -1 : int(hits_.back().index);
        follow_ = true;
    }
}

int Stepper::shown_pos() const {
    for (std::size_t i = 0; i < stops_.size(); ++i)
        if (int(stops_[i]) == shown_) return int(i);
    return -1;
}

bool Stepper::can_next() const {
    const int pos = shown_pos();
    if (pos < 0) return !stops_.empty() && hits_.empty() && shown_ < 0; // the first, with no run
    return pos + 1 < int(stops_.size()) || waiting_;
}

bool Stepper::next() {
    const int pos = shown_pos();
    if (pos < 0) {
        if (!stops_.empty() && hits_.empty()) { // no run: read through the lesson
            shown_ = int(stops_.front());
            follow_ = false;
        }
        return false;
    }
    if (pos + 1 < int(stops_.size())) {
        shown_ = int(stops_[std::size_t(pos) + 1]);
        follow_ = pos + 2 == int(stops_.size()); // back at the latest: follow the demo again
        return false;
    }
    if (waiting_) {
        follow_ = true;
        return true;
    }
    return false;
}

void Stepper::prev() {
    const int pos = shown_pos();
    if (pos > 0) {
        shown_ = int(stops_[std::size_t(pos) - 1]);
        follow_ = false;
    }
}

} // namespace gui
