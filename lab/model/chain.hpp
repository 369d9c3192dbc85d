// chain.hpp — the rules about who waits for whom: the stage of CPython's exit sequence a
// wait is in, the chain of waits from a thread (join → the thread joined, lock → its owner),
// a daemon thread whose only activity is a timed wait it keeps coming back to, and the daemon
// threads cut off when the process ended. Pure, like the judge (judge.hpp) that uses them.
#pragma once

#include "lab/model/strings.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/verdict.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// CPython's exit sequence, in order (docs/TRACE-PROTOCOL.md, "Shutdown, in order"): the
// main program; threading's own exit hooks (threading._register_atexit: concurrent.futures'
// pool joins); the join of the non-daemon threads (threading._shutdown; 3.13:
// _thread._shutdown); the atexit handlers (multiprocessing's _exit_function among them);
// finalization (after `exit`).
enum class Stage { main, hooks, join, atexit, finalize };
std::string_view to_string(Stage s); // the JSON's `stage`: "main", "threading-atexit", ...
std::optional<Stage> stage_from(std::string_view name); // ... and back (nullopt: unknown)

struct StageAt {
    Stage stage = Stage::main;
    std::string hook; // hooks, atexit: the hook or handler that runs
};
// The stage the process was in at `at_ns` (-1: at the latest event), from the trace's
// main-end, threading-atexit, shutdown, atexit and exit events.
StageAt stage_at(const Timeline& t, std::int64_t at_ns = -1);

// The stages as the process went through them, in order: main from the first event, then
// from main's end each stage (a hook or atexit handler each its own span) until the next
// begins; the last is open (t1 = -1). stage_at is the span at a moment; the terminal's
// H/J/A/X marks and the app's bands along the time axis are drawn from these.
struct StageSpan {
    Stage stage = Stage::main;
    std::int64_t t0 = -1, t1 = -1;
    std::string hook;
};
std::vector<StageSpan> stage_spans(const Timeline& t);

// A wait that only another thread of the process can end: an untimed join, lock, event,
// condition or queue get (not I/O, a sleep or a select: those can still end by themselves).
bool waits_in_process(const Segment& s);
// ... or, across the program's processes, an untimed wait that only a thread of one of them
// can end: for a traced child process to end (Process.join, os.waitpid; its threads are on
// the trace and judged like the program's), or on an anonymous pipe while no process of the
// tree that is not traced could be its other end (untraced_peer, below).
bool waits_in_program(const Timeline& t, const Segment& s);
// A wait for a child process that is not traced (another executable started by subprocess:
// `sleep 1.5`): like I/O, that process decides, and it may still end by itself.
bool waits_for_untraced(const Timeline& t, const Segment& s);
// "MainThread", or for a thread of a traced child "MainThread (pid 4242)".
std::string lane_label(const Lane& l);
// A live process of the tree that is neither traced nor a helper (io_wait.hpp, live_peers).
bool untraced_peer(const Timeline& t);

// A daemon thread in a timed wait that comes back to the same wait (websockets' keepalive:
// a timed join of a thread that cannot move; a heartbeat: the same timed wait as before). It
// cannot end a hang, so it does not stop one from being confirmed. Unless another thread
// waits for it (joins it, wants its lock): then its waking up may end that wait.
bool periodic(const Lane& l, const Timeline& t);
// The same, with waited_for(t) computed once for a loop over every lane.
bool periodic(const Lane& l, const Timeline& t, const std::vector<int>& waited);
// The threads some live thread waits for (joins, wants the lock of, or the first thread of
// the child process it waits for), sorted by tid.
std::vector<int> waited_for(const Timeline& t);

// The threads `tid` waits for, link by link: itself, then the thread it joins or whose lock
// it wants, or the first thread of the traced child process it waits for, and so on; it
// stops at a thread that waits for no other, or before a cycle.
std::vector<int> wait_chain(const Timeline& t, int tid);

// The newest trace time of anything but a periodic daemon thread: its own waking up is not
// progress, so it must not restart the grace of a suspected hang.
std::int64_t last_progress_ns(const Timeline& t);

// The daemon threads the process cut off as it exited: alive then (the `cut-off` event) and
// running, in I/O, asleep or in a timed wait (not idle in an untimed in-process wait).
std::vector<const Lane*> cut_off(const Timeline& t);

// The explanation's lines about chains: main's chain with its stage, the periodic daemon
// threads, the timed waits that will end (with when), the threads cut off at exit. now_ns:
// the time "ends in N s" is counted from.
std::vector<std::string> chain_explanation(const Verdict& v, const Timeline& t, const Strings& s,
                                           Lang lang);

} // namespace lab
