// quiz.hpp — "Will it exit?": the learner's answer before a run, judged by the verdict, and
// the tally of the session. No drawing here.
#pragma once

#include "lab/run/runner.hpp"

#include <map>
#include <optional>
#include <string>

namespace gui {

class Quiz {
  public:
    // The learner answers: true "it exits", false "it hangs". `undecided`: the run on show has
    // no verdict yet (a hang kept alive to be seen is decided). The undecided run takes the
    // answer while nobody has bet on it yet; otherwise the next run does.
    void predict(bool exits, bool undecided);
    // The answer drawn as chosen: the undecided run's when it has one, else the next run's.
    std::optional<bool> pending(bool undecided) const;
    // Every frame: the settings of the next run (its cell key). An answer given for the next
    // run belongs to the settings it was given for: when they change, it is cleared, visibly.
    void next_settings(const std::string& key);
    // A run starts: the answer given for "the next run" is this run's.
    void run_started();
    // A finished run is opened (a matrix cell): there is nothing to bet on.
    void run_opened();
    // Judges the run on show once it has a verdict, once: exited or hung against the answer.
    // Other outcomes (killed, crashed) are not judged. `cell` is the run's matrix cell key.
    void score(const lab::RunState& run, const std::string& cell);

    // Starts the score again: the tally and the answers the matrix shows. An answer given
    // for the next run stays.
    void reset();

    // The answer for the run on show, and (once judged) whether it was right.
    std::optional<bool> said() const { return said_; }
    std::optional<bool> right() const { return right_; }
    int right_count() const { return right_count_; }
    int total() const { return total_; }
    // Cell key → what the learner said for it, for the matrix.
    const std::map<std::string, bool>& answers() const { return answers_; }

  private:
    std::optional<bool> next_; // for the next run
    std::string next_key_;     // ... with these settings
    std::optional<bool> said_; // for the run on show
    bool scored_ = false;
    std::optional<bool> right_;
    int right_count_ = 0, total_ = 0;
    std::map<std::string, bool> answers_;
};

} // namespace gui
