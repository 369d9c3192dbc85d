// runner.hpp — runs one scenario as a real process and watches it until it ends.
//
// The demo is spawned without a shell (posix_spawn), with three pipes: the trace (one
// event per line, fd 3), its stdout+stderr, and in step mode a control pipe (fd 4) that
// lets it past each pause point. The end of the process is seen through a pidfd, in the
// same poll() as the trace, so the verdict follows the exit at once. When the interpreter's
// shutdown waits on a thread and no thread can move (verdict.hpp: stuck_waits), the hang is
// suspected; if nothing at all happens for `grace_ms`, it is confirmed and the demo killed.
// The demo dies with the host too (PR_SET_PDEATHSIG in the demo): no orphans.
#pragma once

#include "python_engine.hpp"
#include "timeline.hpp"
#include "verdict.hpp"

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

struct RunOptions {
    trace::Engine engine = trace::Engine::model; // the C++ model, or the real CPython
    std::string scenario;                        // "" with a program of the user's (cpython)
    trace::Receiver receiver = trace::Receiver::inherit;
    std::optional<bool> close;                            // unset: the scenario's default
    trace::ConnectIn connect_in = trace::ConnectIn::main; // sandbox: who calls connect()
    trace::Worker worker = trace::Worker::daemon;         // sandbox: the worker thread
    bool with_block = false;                              // sandbox
    int grace_ms = 300;     // confirm a suspected hang after this long (run_limits.hpp)
    int timeout_ms = 20000; // kill a run that neither ends nor hangs (not in step mode); when
                            // not longer than grace_ms, grace_ms + 10 s (run_timeout_ms)
    bool step = false;      // pause at each pause point until go()
    // After a confirmed hang, leave the process alive this long (the GUI: a hang must look
    // like one), until kill() or the destructor; the verdict is `hung` at confirmation all
    // the same. 0: kill it at once (the CLI's fast verdict). 0..kMaxKeepHungMs.
    int keep_hung_ms = 0;
    trace::Fault fault = trace::Fault::none; // injected into the demo (tests of the host)
    std::string python = "python3";          // cpython: the interpreter (a path, or a name on PATH)
    std::string program;                     // cpython: a program of the user's, run as it is
    std::vector<std::string> args;           // ... and its arguments
};

// Checks the options against the catalog; returns an error message, or "" when valid.
std::string validate(const RunOptions& o);
// The close switch as it will apply (the scenario's default when unset).
bool effective_close(const RunOptions& o);

struct ServerInfo {
    std::string uri;
    std::string ca_pem;
};

struct RunState {
    RunOptions options;
    PythonCheck python; // cpython: the interpreter's and websockets' versions
    // cpython: every thread's Python stack at the suspected hang, by the thread's ident
    Stacks stacks;
    Timeline timeline;
    Verdict verdict;
    std::string output;        // the demo's stdout and stderr (the last 64 KiB)
    std::size_t malformed = 0; // trace lines that did not parse
    std::int64_t spawned_ns = 0;
    std::int64_t now_ns = 0; // when this snapshot was taken
    int pid = -1;
    std::string paused_at; // step mode: the pause point the demo waits at, or ""
    // The process runs: from the spawn to the host's observation of its end. A confirmed
    // hang kept alive (keep_hung_ms) is finished() (its verdict is known) and alive.
    bool alive = false;
    bool finished() const { return verdict.outcome != Outcome::running; }
};

std::int64_t monotonic_ns();

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
    // before) and blocks until the process is gone; the snapshot is then final.
    void end();

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

// The verdict matrix: every scenario of the catalog × receiver inherit / daemon /
// non-daemon × close off, then on; in the order `daemonlab matrix` prints them.
std::vector<RunOptions> matrix_cells(int grace_ms = 300);
// How many matrix runs at once by default: 2 × cores + 2 (a run mostly waits).
int default_matrix_jobs();

// The demo's command line for these options (argv[0] is the demo path), for people. For the
// CPython engine: the interpreter, the tracer and the program, without the fds' options.
std::vector<std::string> demo_argv(const RunOptions& o, const ServerInfo& server);

} // namespace lab
