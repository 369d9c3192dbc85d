// timeline.hpp — what happened in a demo process, as plain data: one lane per thread with
// its state intervals, and point markers. Built from trace events (the demo's own account)
// plus the host's observation of the exit. The GUI and the CLI only read it.
#pragma once

#include "lab/model/trace_parser.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace lab {

using ThreadState = trace::State;
using Wait = trace::Wait;
using DaemonSource = trace::DaemonSource;

struct Segment {
    std::int64_t t0 = 0;
    std::int64_t t1 = -1; // -1 while the segment is still open
    ThreadState state = ThreadState::running;
    std::optional<Wait> on; // blocked: what it waits for (nullopt: a wait this host does not know)
    std::string on_text;    // ... as the writer named it
    std::string step;       // paused: the pause point's name
    std::string at;         // blocked: where (file:line), when the writer says
    int target = -1;        // join: the thread waited for
    int pending = -1;       // socket read: replies still expected
    bool timeout = false;   // the wait has a deadline
    std::int64_t deadline = -1; // ... at this CLOCK_MONOTONIC time, when the writer knows it
    std::string call;           // blocked: the function the program called that waits
    // Thinning (Timeline's memory cap): the same wait entered again this many more times
    // after short runs, merged into this segment; or, when `thinned`, this segment stands
    // for `repeats` + 1 older segments drawn as one (their states are not kept).
    int repeats = 0;
    bool thinned = false;
};

// How a segment is drawn: the legend's categories, the same in the GUI (a colour) and in the
// terminal (a glyph). Socket reads; waits for a message, event, condition or queue item; a
// join; the rest of the waits (connect, send, close, sleep, select, a lock) as "other".
enum class Look { running, socket, message, join, paused, other, done };
Look look(const Segment& s);

struct Lane {
    int tid = 0;
    std::string name;
    bool daemon = false;
    DaemonSource source = DaemonSource::inherited;
    std::string creator; // the creating thread's name ("" for the main thread)
    int creator_tid = -1;
    std::string ident;  // Python's Thread.ident (decimal), to match a stack dump
    std::string site;   // where the Thread object was created (file:line)
    std::string origin; // the program's own line on that stack, when site is in a library
    std::string target; // the target's qualified name
    std::int64_t started_ns = 0;
    std::string cut_off_at; // a daemon thread alive as the process ended: where it stopped
    bool cut_off = false;   // ... (a cut-off event came)
    int pid = -1;           // the process it is a thread of (-1: not said; the program's)
    bool child = false;     // ... a traced child process of the program, not the program
    std::vector<Segment> segments;

    const Segment* current() const { return segments.empty() ? nullptr : &segments.back(); }
    bool alive() const { return !segments.empty() && segments.back().state != ThreadState::done; }
    // The program's main thread (a child process's first thread is its own `main`).
    bool is_main() const { return source == DaemonSource::main && !child; }
};

// The point events drawn on the timeline are trace events (trace::Kind).
using MarkKind = trace::Kind;

struct Marker {
    std::int64_t t = 0;
    int tid = 0;
    MarkKind kind = MarkKind::print;
    std::string text; // message text, step name, exit code, handler name...
    int target = -1;  // shutdown-wait: the thread waited for
};

// One frame of a thread's Python stack (faulthandler's dump, CPython engine).
struct Frame {
    std::string file;
    int line = 0;
    std::string function;
};
// Every thread's stack, innermost frame first, by the thread's Lane::ident.
using Stacks = std::map<std::string, std::vector<Frame>>;

// The writer's own failure (a tracer-error event): where in the writer, the exception's type
// and its message. Says nothing about the program, only that the trace may miss something.
struct TracerError {
    std::int64_t t = 0;
    int tid = 0;
    std::string where, exception, text;
};

// What the demo said about itself (the process and library events).
struct ProcessInfo {
    int version = 0;
    int pid = -1; // the process that writes the trace (the program, under the launcher)
    trace::Engine engine = trace::Engine::model;
    std::string scenario, program, python, receiver;
    std::string library, library_version; // e.g. websockets 13.0
};

// A child process of the program that traces itself on the same trace (a `process` event
// with a pid other than the program's: docs/TRACE-PROTOCOL.md, "Child processes").
struct TracedChild {
    int pid = 0;
    int parent = -1;
    std::string program, python;
    std::int64_t started_ns = 0;
    std::int64_t ended_ns = -1;    // its `exit` event: its threads end there
    std::int64_t main_end_ns = -1; // its `main-end`: its exit sequence runs from there
    std::string exit_code;
    // multiprocessing's own helper (the resource tracker, the fork server), announced by its
    // parent: not traced, no lanes, and never the other end of the program's pipes.
    bool helper = false;
    bool alive() const { return ended_ns < 0; }
};

// A process of the run's own tree, as the host last saw it (/proc): the program itself and
// everything it started (the launcher keeps orphans in the tree). Its command line is the
// program's to choose: valid UTF-8, at most kMaxCommand bytes.
struct TreeProcess {
    static constexpr std::size_t kMaxCommand = 200;
    int pid = 0;
    int ppid = 0;
    char state = '?'; // /proc's: R running, S sleeping, D disk, T stopped, Z zombie...
    std::string command;
    bool program = false; // the program the run started (the others are what it started)
    bool alive() const { return state != 'Z' && state != 'X' && state != 'x'; }
};

// The writer did not run the program (a `refused` event): what was wrong, in its words.
struct Refusal {
    trace::Refusal what = trace::Refusal::program;
    std::string text;    // what is wrong and how to fix it
    std::string version; // python, websockets: the version found, when one was
};

class Timeline {
  public:
    void apply(const TraceEvent& e);
    // The host saw the process end at t: close every open segment there.
    void close_at(std::int64_t t);
    // The host saw the trace's pipe end at t while the process still ran: the program closed
    // the trace's fd or replaced it (dup2), so nothing after t is known.
    void trace_lost_at(std::int64_t t) { trace_lost_ns_ = t; }
    std::int64_t trace_lost_ns() const { return trace_lost_ns_; } // -1: the trace was whole
    // The run's process tree as the host saw it last (lab/run/process_tree.hpp), while it ran.
    void set_processes(std::vector<TreeProcess> p) { processes_ = std::move(p); }
    const std::vector<TreeProcess>& processes() const { return processes_; }
    // The child processes that trace themselves (at most kMaxChildren kept), and the one with
    // `pid`, or nullptr.
    static constexpr std::size_t kMaxChildren = 256;
    const std::vector<TracedChild>& children() const { return children_; }
    const TracedChild* child(int pid) const;
    // The first thread of a traced child (its `main`), or nullptr.
    const Lane* child_main(int pid) const;

    // The lane of the thread that has `tid` now (the newest: the kernel reuses a tid once its
    // thread is gone, and a `thread` event for it then starts a new lane).
    const Lane* lane(int tid) const;
    const std::vector<Lane>& lanes() const { return lanes_; }
    const std::vector<Marker>& markers() const { return markers_; }

    std::int64_t first_ns() const { return first_ns_; } // -1 before any event
    std::int64_t last_ns() const { return last_ns_; }   // time of the latest event
    const ProcessInfo& process() const { return process_; }
    // Set when the writer refused to run the program (the first refusal counts).
    const std::optional<Refusal>& refusal() const { return refusal_; }
    std::int64_t main_end_ns() const { return main_end_ns_; }
    std::int64_t shutdown_ns() const { return shutdown_ns_; }
    int main_exit_code() const { return main_exit_code_; }
    std::optional<trace::MainEnd> main_end_how() const { return main_end_how_; }
    const std::string& main_exception() const { return main_exception_; } // type and traceback
    // The thread the interpreter's shutdown is joining now, or -1.
    int shutdown_waiting_for() const { return shutdown_waiting_for_; }
    std::size_t events() const { return events_; }
    // Well-formed events this host does not understand (a newer writer): ignored, counted.
    std::size_t unknown_events() const { return unknown_; }
    // The writer's failures: the first kMaxTracerErrors kept (a tracer failing in a loop must
    // not fill the host's memory), all of them counted.
    static constexpr std::size_t kMaxTracerErrors = 32;
    const std::vector<TracerError>& tracer_errors() const { return tracer_errors_; }
    std::size_t tracer_error_count() const { return tracer_error_count_; }

    // Memory is bounded whatever the trace's volume (an hour of a thread looping on a
    // 10 µs wait): past these sizes the timeline is thinned and says so. A lane's repeats of
    // one wait merge into one segment with a count; when all lanes together hold more than
    // kMaxSegments, the lane that grows has its older half drawn as one segment; past
    // kMaxLanes, the oldest finished lanes go; past kMaxMarkers, only the shutdown's markers
    // are kept. All counts are in thinned().
    static constexpr std::size_t kThinAfter = 64; // a lane's segments before it merges
    static constexpr std::size_t kMaxSegments = 100'000;
    static constexpr std::size_t kMaxLanes = 2'000;
    static constexpr std::size_t kMaxMarkers = 20'000;
    struct Thinned {
        std::size_t merged = 0;  // segments merged into an earlier one
        std::size_t lanes = 0;   // finished lanes dropped
        std::size_t markers = 0; // markers not kept
        bool any() const { return merged + lanes + markers > 0; }
    };
    const Thinned& thinned() const { return thinned_; }
    std::size_t segment_count() const { return segments_; }

  private:
    Lane& lane_for(int tid);
    Lane& lane_for_new_thread(int tid);
    void set_state(const TraceEvent& e, Segment s);
    void apply_process(const TraceEvent& e);
    void apply_thread(const TraceEvent& e);
    void apply_state(const TraceEvent& e);
    void apply_refused(const TraceEvent& e);
    bool merge_repeat(Lane& l, const Segment& s);
    void thin_lane(Lane& l);
    void drop_finished_lanes();
    void add_marker(Marker m);
    bool child_event(const TraceEvent& e);

    std::vector<Lane> lanes_;
    std::vector<Marker> markers_;
    std::int64_t first_ns_ = -1, last_ns_ = -1, main_end_ns_ = -1, shutdown_ns_ = -1;
    std::int64_t trace_lost_ns_ = -1;
    std::vector<TreeProcess> processes_;
    std::vector<TracedChild> children_;
    int main_exit_code_ = -1;
    std::optional<trace::MainEnd> main_end_how_;
    std::string main_exception_;
    ProcessInfo process_;
    std::optional<Refusal> refusal_;
    int shutdown_waiting_for_ = -1;
    std::size_t events_ = 0, unknown_ = 0;
    std::vector<TracerError> tracer_errors_;
    std::size_t tracer_error_count_ = 0;
    std::size_t segments_ = 0; // in all lanes
    Thinned thinned_;
};

} // namespace lab
