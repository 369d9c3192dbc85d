// run_options.hpp — a run's settings and what is known of it so far: the data that the
// runner (lab/run/) fills and the rules in lab/model/ read. No processes here.
#pragma once

#include "demos/trace/protocol.hpp"
#include "lab/model/run_limits.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/verdict.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace lab {

// The interpreter of a CPython run, as its trace tells (the tracer's `process python=`,
// `library`, `refused`), or as check_python() found it.
struct PythonCheck {
    std::string python;     // the interpreter as given
    std::string version;    // "3.11.2", or "" when it could not run (or has not yet said)
    std::string websockets; // its websockets version, or "" when it has none (or not known)
    std::string error;      // what is wrong and how to fix it, or ""
};

struct RunOptions {
    trace::Engine engine = trace::Engine::model; // the C++ model, or the real CPython
    std::string scenario;                        // "" with a program of the user's (cpython)
    trace::Receiver receiver = trace::Receiver::inherit;
    std::optional<bool> close;                            // unset: the scenario's default
    trace::ConnectIn connect_in = trace::ConnectIn::main; // sandbox: who calls connect()
    trace::Worker worker = trace::Worker::daemon;         // sandbox: the worker thread
    bool with_block = false;                              // sandbox
    int grace_ms = 300; // confirm a suspected hang after this long (run_limits.hpp)
    // A suspected hang that waits on I/O (io_wait.hpp) with no process of the program's own tree
    // left to answer: confirmed after this long with no data (programs of the user's only; a
    // lesson keeps grace_ms). kMinGraceMs..kMaxGraceMs.
    int io_grace_ms = kDefaultIoGraceMs;
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

// The receiver policies each engine can run, in the order they are offered: the C++ model
// has inherit, daemon and non-daemon (kMatrixReceivers); CPython also has library,
// websockets as installed, first.
std::span<const trace::Receiver> receivers_for(trace::Engine engine);
// The receiver a run starts with when none is asked for: library on CPython (a program runs
// with the websockets it has), inherit on the model (websockets <= 12.0, the lessons' case).
trace::Receiver default_receiver(trace::Engine engine);
// The receiver a run on `engine` uses when `wanted` was chosen: wanted, unless the engine
// cannot run it (library, "as installed", on the model), then inherit. For a choice that
// outlives a change of engine (the app); validate() refuses library on the model, because a
// command line that asks for it is a mistake to say.
trace::Receiver effective_receiver(trace::Engine engine, trace::Receiver wanted);
trace::Receiver effective_receiver(const RunOptions& o);
// "" when the engine can run the receiver asked for, else what to do (validate() says it too).
std::string check_receiver(const RunOptions& o);
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

// The verdict matrix: every scenario of chapter 1 × receiver inherit / daemon / non-daemon ×
// close off, then on; in the order `daemonlab matrix` prints them, on `engine`. Chapter 2 is
// not in it: it has no receiver to vary, and its programs with timed waits (a Timer, a
// poller) run until the time limit, which would make the matrix wait 20 s instead of ~3.
std::vector<RunOptions> matrix_cells(int grace_ms = 300,
                                     trace::Engine engine = trace::Engine::model);
// How many matrix runs at once by default: 2 × cores + 2 (a run mostly waits).
int default_matrix_jobs();

} // namespace lab
