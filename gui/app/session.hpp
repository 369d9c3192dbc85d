// session.hpp — the run on show and the one before it, and their lifecycle: a new run
// replaces the one on show (killed if it still runs), which stays beneath as the previous
// run; a finished run (a matrix cell) can be put on show the same way. No drawing here.
#pragma once

#include "lab/run/runner.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

namespace gui {

class Session {
  public:
    // Starts a demo with these options; the run on show becomes the previous one.
    void start(const lab::RunOptions& options, const lab::ServerInfo& server,
               std::function<void()> on_change = {});
    // Shows a run that has ended (no process); the run on show becomes the previous one.
    void open(lab::RunState finished);
    // Takes a fresh snapshot of the live run. Once per frame.
    void poll();

    bool has_run() const { return has_run_; }
    // Which run is on show: a new number with each start() and open().
    std::uint64_t serial() const { return serial_; }
    // A demo of ours still runs (not one opened from the matrix): no verdict yet, or a
    // confirmed hang kept alive (RunOptions::keep_hung_ms) until Kill or its limit.
    bool live() const { return has_run_ && run_ && (!current_.finished() || current_.alive); }
    // A confirmed hang whose process still runs: its lanes grow until Kill or the limit.
    bool hung_alive() const { return live() && current_.finished(); }
    // Live, and it stops at each step of the lesson.
    bool stepping() const { return live() && current_.options.step; }
    // The run on show (a default RunState before the first run).
    const lab::RunState& current() const { return current_; }
    const lab::RunState* previous() const { return previous_ ? &*previous_ : nullptr; }

    // The user's Kill; does nothing unless live(). A hang kept alive stays `hung`, ended by
    // the user (Verdict::killed_by). The destructor ends a live demo too: no orphan.
    void kill();
    // A confirmed hang kept alive is ended by DaemonLab, not the user (KilledBy::hang): the
    // next run of a sweep moves on from it. Does nothing unless hung_alive().
    void end_kept_hang();
    // Step mode: lets the demo past its pause point. False when there is no demo to tell.
    bool go();
    // Step mode: no more pauses. False when there is no live demo.
    bool run_to_end();

  private:
    void retire(); // the run on show becomes the previous one

    std::unique_ptr<lab::Run> run_; // the live or latest demo; none for an opened run
    bool has_run_ = false;
    std::uint64_t serial_ = 0;
    lab::RunState current_;
    std::optional<lab::RunState> previous_;
};

} // namespace gui
