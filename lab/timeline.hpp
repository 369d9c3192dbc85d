// timeline.hpp — what happened in a demo process, as plain data: one lane per thread with
// its state intervals, and point markers. Built from trace events (the demo's own account)
// plus the host's observation of the exit. The GUI and the CLI only read it.
#pragma once

#include "trace_parser.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace lab {

enum class ThreadState { running, blocked, paused, done };
const char* to_string(ThreadState s);

struct Segment {
    std::int64_t t0 = 0;
    std::int64_t t1 = -1; // -1 while the segment is still open
    ThreadState state = ThreadState::running;
    std::string on;       // what it is blocked on ("socket-read", "message", "join", ...) or
                          // the pause point's name
    int target = -1;      // join: the thread waited for
    int pending = -1;     // socket-read: replies still expected
    bool timeout = false; // the wait has a deadline
};

struct Lane {
    int tid = 0;
    std::string name;
    bool daemon = false;
    std::string daemon_source; // "explicit", "inherited from MainThread", "main thread"
    std::string creator;
    std::int64_t started_ns = 0;
    std::vector<Segment> segments;

    const Segment* current() const { return segments.empty() ? nullptr : &segments.back(); }
    bool alive() const { return !segments.empty() && segments.back().state != ThreadState::done; }
};

enum class MarkKind {
    connected,
    message,
    print,
    closed,
    step,
    main_end,
    shutdown,
    shutdown_wait,
    exit,
    error
};
const char* to_string(MarkKind k);

struct Marker {
    std::int64_t t = 0;
    int tid = 0;
    MarkKind kind = MarkKind::print;
    std::string text; // message text, step name, exit code, ...
    int target = -1;  // shutdown_wait: the thread waited for
};

class Timeline {
  public:
    void apply(const TraceEvent& e);
    // The host saw the process end at t: close every open segment there.
    void close_at(std::int64_t t);

    const Lane* lane(int tid) const;
    const std::vector<Lane>& lanes() const { return lanes_; }
    const std::vector<Marker>& markers() const { return markers_; }

    std::int64_t first_ns() const { return first_ns_; } // -1 before any event
    std::int64_t last_ns() const { return last_ns_; }   // time of the latest event
    std::int64_t main_end_ns() const { return main_end_ns_; }
    std::int64_t shutdown_ns() const { return shutdown_ns_; }
    int main_exit_code() const { return main_exit_code_; }
    std::string_view main_end_how() const { return main_end_how_; }
    // The thread the interpreter's shutdown is joining now, or -1.
    int shutdown_waiting_for() const { return shutdown_waiting_for_; }
    std::size_t events() const { return events_; }
    std::size_t unknown_events() const { return unknown_; }

  private:
    Lane& lane_for(int tid);
    void set_state(const TraceEvent& e, Segment s);

    std::vector<Lane> lanes_;
    std::vector<Marker> markers_;
    std::int64_t first_ns_ = -1, last_ns_ = -1, main_end_ns_ = -1, shutdown_ns_ = -1;
    int main_exit_code_ = -1;
    std::string main_end_how_;
    int shutdown_waiting_for_ = -1;
    std::size_t events_ = 0, unknown_ = 0;
};

} // namespace lab
