// watch.hpp — the state of a run being watched: when the hang was suspected and confirmed,
// whether the stacks were asked for, the time limit, a hang kept alive, who killed it and
// whether that kill has taken effect. It does no I/O: the runner feeds it what it saw (trace
// read, a command, the time) and performs the actions it returns; deadline() says when it
// must be ticked next. The verdict itself is judge()'s (lab/model/judge.hpp).
#pragma once

#include "lab/model/judge.hpp"
#include "lab/model/run_options.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace lab {

// What the runner must do after an event or a tick.
struct WatchActions {
    std::optional<KilledBy> kill;          // SIGKILL the demo and its group (again, if it lives on)
    bool request_stacks = false;           // cpython: ask for every thread's stack (a new dump)
    std::vector<std::string_view> control; // words for the step-mode control pipe
    bool close_control = false;            // ... then EOF on it: run on, whatever comes
    bool verdict_changed = false;          // publish verdict(); waiters may wake
};

// What the user or the host asks of the run (Run::kill/end/go/run_to_end/end_kept_hang).
// end_kept_hang: the host moves on from a confirmed hang it kept alive (the next run of "Run
// on every Python"): ended by DaemonLab after the hang was confirmed (KilledBy::hang), as at
// the keep-alive limit; before a confirmation it is the host's end.
enum class WatchCommand { kill, end, go, run_to_end, end_kept_hang };

class Watch {
  public:
    // A kill that has not taken effect yet is sent again this often, until the process is gone.
    static constexpr std::int64_t kKillAgainNs = 100'000'000;
    // A suspected hang past its grace that is not one yet (a wait on I/O whose other end is a
    // live process of the program's tree) is judged again this often.
    static constexpr std::int64_t kRecheckNs = 100'000'000;

    Watch(const RunOptions& options, std::int64_t spawned_ns);

    // New trace was read at `now` (its events are in `t`): the process moved.
    WatchActions on_trace(const Timeline& t, std::int64_t now);
    WatchActions on_command(WatchCommand c, std::int64_t now);
    // The process tree was read again at `now` (it is in `t`): a process of the program's own
    // tree that ended counts as a movement, as the data it sent last may still be on its way
    // to a thread that waits on I/O (io_wait.hpp).
    void on_tree(const Timeline& t, std::int64_t now);
    // Time passed: the grace, the stacks' half-grace, the time limit, the kept hang's limit,
    // a kill still to take effect. Harmless to call early.
    WatchActions on_tick(const Timeline& t, std::int64_t now);
    // The process is gone: the final verdict.
    void on_exit(const Timeline& t, const ProcessEnd& end);

    // The next time on_tick must run, or -1 (nothing pending: only events matter).
    std::int64_t deadline() const;
    const Verdict& verdict() const { return verdict_; }
    // A hang is suspected and not confirmed: the runner keeps the process tree up to date (the
    // other end of a wait on I/O may be one of its processes).
    bool suspecting() const { return suspected_ >= 0 && confirmed_ < 0 && !killed_by_; }
    bool killed() const { return killed_by_.has_value(); }

  private:
    void kill(KilledBy by, std::int64_t now, WatchActions& a);
    Facts facts(const Timeline& t, std::int64_t now) const;

    RunOptions options_;
    std::int64_t timeout_at_ = -1;  // kill at this time (-1 in step mode)
    std::int64_t last_trace_ = -1;  // the last movement
    std::int64_t suspected_ = -1;   // the process stopped making progress then
    std::int64_t progress_ns_ = -1; // last_progress_ns() at the last movement
    std::int64_t stacks_for_ = -1;  // the suspicion the stacks were asked for
    std::size_t peers_ = 0;         // live processes of the tree besides the program, last seen
    int suspect_grace_ms_ = 0;      // the suspicion's grace (io_wait.hpp: longer on I/O)
    std::int64_t recheck_at_ = -1;  // past that grace, not a hang yet: judge again then
    std::int64_t confirmed_ = -1;   // the hang was confirmed then
    std::int64_t kill_sent_ = -1;   // the last kill sent
    std::optional<KilledBy> killed_by_;
    bool stepping_ = false;
    Verdict verdict_; // as published: `hung` at confirmation only when the hang is kept alive
};

} // namespace lab
