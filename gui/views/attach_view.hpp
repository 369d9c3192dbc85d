// attach_view.hpp — "A running Python process…": the user's Python processes, and for the
// one picked a timeline of snapshots and the explanation `daemonlab attach` gives
// (lab/run/attach.hpp). Each sample runs on a thread of its own (gdb takes a second); "Sample
// again", or every second with auto-refresh, adds a sample to the timeline: what moves shows.
#pragma once

#include "gui/views/timeline_view.hpp"
#include "lab/run/attach.hpp"

#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

namespace gui {

class AttachView {
  public:
    // wake: called from the sampling thread when a sample is in.
    explicit AttachView(std::function<void()> wake) : wake_(std::move(wake)) {}
    ~AttachView();

    // Opens the window (and lists the processes): "A running Python process…" under the scenarios.
    void open();
    // ... and picks `pid` at once (`daemonlab gui --attach PID`).
    void open(int pid);
    // The first sample is in (or failed): for a scripted screenshot.
    bool settled() const;
    // What the window shows, for --screenshot's description: pid, samples, stage, error, threads.
    nlohmann::json describe() const;
    // The window (nothing when closed).
    void window(const TimelineText& text);
    bool is_open() const { return open_; }
    // Seconds until the next frame is needed (auto-refresh), 0 when none.
    double frame_interval() const;

  private:
    void list();
    void pick(int pid);
    void sample(); // starts one, unless one runs
    void take(lab::AttachResult r);
    void explanation(const TimelineText& text);

    std::function<void()> wake_;
    bool open_ = false, auto_refresh_ = false;
    std::vector<lab::Target> processes_;
    int pid_ = -1;
    // The samples of pid_, added up: one timeline; the latest result for the words.
    lab::RunState acc_;
    std::optional<lab::AttachResult> last_;
    std::string error_;
    int samples_ = 0;
    double next_at_ = 0; // ImGui time of the next auto sample
    TimelineView timeline_;

    mutable std::mutex mu_;
    std::thread worker_;
    bool busy_ = false;
    std::optional<lab::AttachResult> arrived_; // from the worker, taken in window()
};

} // namespace gui
