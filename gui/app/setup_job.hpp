// setup_job.hpp — "Set up real Python" in the app: lab::setup_python (the same code as
// `daemonlab setup-python`) on a thread of its own, its progress and its outcome read by the
// frame. No drawing here (app_python.cpp draws the bar).
#pragma once

#include "lab/run/setup_python.hpp"

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gui {

class SetupJob {
  public:
    struct State {
        bool started = false, running = false;
        double share = 0;       // of the work done, 0 to 1
        std::string line;       // the step it is at (setup_python's progress line)
        std::string error;      // what went wrong and how to fix it; "" when it went well
        bool cancelled = false; // Cancel ended it (error says so too)
        std::vector<lab::RealPython> made;
    };
    SetupJob() = default;
    SetupJob(const SetupJob&) = delete;
    SetupJob& operator=(const SetupJob&) = delete;
    // Cancels a set-up still going and waits for it: venv and pip, with all they started,
    // are ended within 100 ms, and nothing half-made stays (no process outlives the app).
    ~SetupJob();
    // Starts it unless one runs already.
    void start(lab::SetupOptions o);
    // "Cancel": ends the set-up running (setup_python's `cancel`); the state says so once it
    // has stopped.
    void cancel() { cancel_ = true; }
    State state() const;

  private:
    mutable std::mutex mu_;
    State st_;
    std::atomic<bool> cancel_ = false;
    std::thread thread_;
};

} // namespace gui
