// setup_job.hpp — "Set up real Python" in the app: lab::setup_python (the same code as
// `daemonlab setup-python`) on a thread of its own, its progress and its outcome read by the
// frame. No drawing here (app_python.cpp draws the bar).
#pragma once

#include "lab/run/setup_python.hpp"

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gui {

class SetupJob {
  public:
    struct State {
        bool started = false, running = false;
        double share = 0;  // of the work done, 0 to 1
        std::string line;  // the step it is at (setup_python's progress line)
        std::string error; // what went wrong and how to fix it; "" when it went well
        std::vector<lab::RealPython> made;
    };
    SetupJob() = default;
    SetupJob(const SetupJob&) = delete;
    SetupJob& operator=(const SetupJob&) = delete;
    // Waits for a set-up still going: it cannot be cut short, and each of its steps is
    // bounded (setup_python's own time limits), so no process of it outlives the app.
    ~SetupJob();
    // Starts it unless one runs already.
    void start(lab::SetupOptions o);
    State state() const;

  private:
    mutable std::mutex mu_;
    State st_;
    std::thread thread_;
};

} // namespace gui
