#include "gui/app/quiz.hpp"

#include <utility>

namespace gui {

void Quiz::predict(bool exits, bool undecided) {
    if (undecided && !said_)
        said_ = exits; // a live run nobody has bet on yet
    else
        next_ = exits;
}

std::optional<bool> Quiz::pending(bool undecided) const {
    return undecided && said_ ? said_ : next_;
}

void Quiz::next_settings(const std::string& key) {
    if (!next_key_.empty() && key != next_key_) next_.reset();
    next_key_ = key;
}

void Quiz::run_started() {
    said_ = std::exchange(next_, std::nullopt);
    scored_ = false;
    right_.reset();
}

void Quiz::run_opened() {
    said_.reset();
    scored_ = true;
    right_.reset();
}

void Quiz::score(const lab::RunState& run, const std::string& cell) {
    if (scored_ || !said_ || !run.finished()) return;
    scored_ = true;
    const lab::Outcome o = run.verdict.outcome;
    if (o != lab::Outcome::exited && o != lab::Outcome::hung) return; // nothing to judge
    right_ = *said_ == (o == lab::Outcome::exited);
    ++total_;
    right_count_ += *right_;
    answers_[cell] = *said_;
}

void Quiz::reset() {
    right_count_ = total_ = 0;
    answers_.clear();
    said_.reset();
    right_.reset();
    scored_ = true; // the run on show is not judged again
}

} // namespace gui
