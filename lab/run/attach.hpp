// attach.hpp — `daemonlab attach PID`: a snapshot of a CPython process that is already
// running (stuck), taken without restarting it.
//
// The mechanism (docs/ATTACH.md): gdb attaches in batch mode for a moment and, on the
// main thread, maps one private page, copies a small reporter into it and queues it with
// `Py_AddPendingCall(PyRun_SimpleString, page)` — exported symbols of every CPython 3.9–3.13,
// no debug info needed. When the main thread sleeps in a lock wait (a join, an Event, a
// Condition: every exit-time wait), gdb makes that one futex call return EINTR, as a signal
// would, and detaches. CPython answers EINTR in a lock wait by running pending calls: the
// reporter (demos/python/daemonlab_attach_report.py) runs in the main thread, holding the
// GIL, at a point where a Python signal handler could run; it writes the trace protocol and
// the stacks into files the host made in a private directory, and returns. Nothing of the
// program's state is changed; nothing is interrupted half-way. When the reporter does not run
// in time (the GIL held by C code, main in a long sleep), the host gives up and removes the
// files: a late run finds them gone and does nothing.
#pragma once

#include "lab/model/chain.hpp"
#include "lab/model/run_options.hpp"
#include "lab/model/strings.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lab {

// A process as `attach` sees it before touching it (from /proc).
struct Target {
    int pid = -1;
    int uid = -1, gid = -1;
    std::string exe;     // the executable's real path
    std::string cmdline; // its arguments, spaces between (untrusted: shown sanitised)
    std::string python;  // "3.11" (from the executable's or libpython's name); "" not CPython
    int minor = 0;
    double age_s = 0; // how long it has run
};

// What /proc says of `pid`; `error` tells why it cannot be attached to ("" when it can be
// tried: the permission is only known for sure when gdb tries).
Target inspect_target(int pid, std::string& error);

// The user's CPython processes (same uid, or all when root), newest first, not this one.
std::vector<Target> python_processes();

enum class AttachStatus {
    ok,        // the snapshot is in `state`
    refused,   // not possible: `error` says why and what to do (status 2)
    timed_out, // the reporter did not run in time; gdb detached, the process is unchanged
};

struct AttachResult {
    AttachStatus status = AttachStatus::refused;
    std::string error;
    Target target;
    RunState state;            // timeline (one sample), stacks, pid; verdict running
    Stage stage = Stage::main; // as the reporter saw it (chain.hpp's stages)
    std::string trace;         // the reporter's lines as read (the app adds samples up)
    double took_ms = 0;        // the whole attach
    double gdb_ms = 0;         // ... of which gdb's part: attach, queue the reporter, detach
};

// What to do when we may not ptrace `pid` (the refusal's words).
std::string permission_fix(int pid);

// The gdb on PATH, or "".
std::string find_gdb();

// gdb's own part (start, attach, queue the reporter, detach) is given this long: it depends
// on the machine's load (~0.6 s on an idle 2-core machine, 3 s at a load of 15), not on the
// target, so a busy machine gives a late answer instead of none.
inline constexpr int kGdbLimitMs = 15000;
// Attaches to `pid`, takes one snapshot and detaches. Once the reporter is queued, the
// target's main thread has `timeout_ms` to run it (C code holding the GIL does not let it);
// then it is a time-out, and the process runs on unchanged.
AttachResult attach(int pid, int timeout_ms = 2000);

// Reads a snapshot's trace and stacks (the reporter's two files) into `r.state`; false when
// the trace has no final `snapshot` line. Used by attach() and the tests.
bool read_snapshot(std::string_view trace, std::string_view stacks, AttachResult& r);

// The stage in words ("main has finished; the interpreter's shutdown joins...").
std::string attach_stage_text(const AttachResult& r, const Strings& s, Lang lang);
// The lines attach adds to explain's explanation (what main waits for before it ends; the
// creators are unknown).
std::vector<std::string> attach_notes(const AttachResult& r, const Strings& s, Lang lang);

} // namespace lab
