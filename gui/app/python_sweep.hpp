// python_sweep.hpp — the CPython engine's interpreters as the app offers them: those found on
// this machine (lab::find_interpreters: python3.X on PATH, pyenv, the active venv) and the
// environments "Set up real Python" made (lab::real_pythons: "websockets 12.0 (real)"); and
// "Run on every Python": the program on one interpreter of each version in turn, each run
// kept to be drawn one above the other. No drawing here (app_python.cpp draws).
#pragma once

#include "lab/model/run_options.hpp"
#include "lab/run/interpreters.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gui {

// One entry of the picker.
struct PythonChoice {
    std::string path;
    std::string version;    // "3.11.2", "3.11"; "" for the real-websockets environments
    std::string where;      // "PATH", "pyenv", "venv"; "real" for an environment of ours
    std::string websockets; // the real environments: their websockets version ("" newest)
};

// What the picker lists: each interpreter found, then each real-websockets environment.
std::vector<PythonChoice> python_choices();

class PythonSweep {
  public:
    // Starts a sweep over these interpreters (one per version, oldest first).
    void begin(std::vector<lab::Interpreter> todo) {
        todo_ = std::move(todo);
        next_ = 0;
        done_.clear();
        last_ = 0;
        active_ = !todo_.empty();
    }
    bool active() const { return active_; }
    // The interpreter of the run to start now.
    const lab::Interpreter& current() const { return todo_[next_]; }
    std::size_t index() const { return next_; }
    std::size_t size() const { return todo_.size(); }
    // The run just started is the sweep's (Session::serial tells it from a run of the user's).
    void started(std::uint64_t serial) { last_ = serial; }
    // The sweep's run before the one just started has ended: keep it (its final state).
    void keep(lab::RunState finished) { done_.push_back(std::move(finished)); }
    // Moves on to the next interpreter; false (and the sweep ends) after the last.
    bool advance() {
        if (++next_ < todo_.size()) return true;
        active_ = false;
        return false;
    }
    void stop() { active_ = false; }
    // The run on show is the sweep's last one: the sweep's runs are what the timeline shows.
    bool owns(std::uint64_t on_show) const { return last_ != 0 && on_show == last_; }
    const std::vector<lab::RunState>& done() const { return done_; }

  private:
    std::vector<lab::Interpreter> todo_;
    std::size_t next_ = 0;
    std::vector<lab::RunState> done_; // the sweep's finished runs, in order
    std::uint64_t last_ = 0;          // the serial of the sweep's last run (0: none)
    bool active_ = false;
};

} // namespace gui
