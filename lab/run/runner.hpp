// runner.hpp — runs one scenario as a real process and watches it until it ends.
//
// The demo is spawned without a shell (posix_spawn), with three pipes: the trace (one
// event per line, fd 3), its stdout+stderr, and in step mode a control pipe (fd 4) that
// lets it past each pause point. The end of the process is seen through a pidfd, in the
// same poll() as the trace, so the verdict follows the exit at once. When the interpreter's
// shutdown waits on a thread and no thread can move (verdict.hpp: stuck_waits), the hang is
// suspected; if nothing at all happens for `grace_ms`, it is confirmed and the demo killed.
// The demo dies with the host too (PR_SET_PDEATHSIG in the demo): no orphans.
// Inside: spawn.hpp starts the demo, watch.hpp decides when to ask, kill and tell, and
// lab/model/judge.hpp gives the verdict (docs/ARCHITECTURE.md, "A run's life").
#pragma once

#include "lab/model/run_options.hpp"
#include "lab/run/python_engine.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace lab {

class Run {
  public:
    // Starts the demo at once. on_change is called (from the watcher thread) whenever the
    // state changes: new trace events, output, the verdict.
    Run(RunOptions options, ServerInfo server, std::function<void()> on_change = {});
    ~Run(); // kills the demo if it still runs, and waits for it: no orphans
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;

    void kill(); // the user's Kill: verdict "killed" (a hang kept alive stays "hung", by the user)
    void go();   // step mode: past the current pause point
    void run_to_end(); // step mode: no more pauses

    RunState snapshot() const;
    Verdict wait(); // blocks until the verdict
    // Ends the demo if it still runs (as the host: KilledBy::host, or the user's kill() sent
    // before) and blocks until the process is gone; the snapshot is then final. kept_hang: a
    // confirmed hang kept alive is ended as DaemonLab's (KilledBy::hang): the host moves on.
    void end(bool kept_hang = false);

  private:
    void watch();
    void command(char c);

    ServerInfo server_;
    std::function<void()> on_change_;
    mutable std::mutex mu_;
    std::condition_variable done_cv_;
    RunState state_;
    int cmd_fd_ = -1; // eventfd-like pipe to the watcher
    int cmd_w_ = -1;
    std::thread watcher_;
};

// The demo's command line for these options (argv[0] is the demo path), for people. For the
// CPython engine: the interpreter, the tracer and the program, without the fds' options.
std::vector<std::string> demo_argv(const RunOptions& o, const ServerInfo& server);

} // namespace lab
