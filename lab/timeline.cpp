#include "timeline.hpp"

#include <algorithm>

namespace lab {

const char* to_string(ThreadState s) {
    switch (s) {
    case ThreadState::running:
        return "running";
    case ThreadState::blocked:
        return "blocked";
    case ThreadState::paused:
        return "paused";
    case ThreadState::done:
        return "done";
    }
    return "?";
}

const char* to_string(MarkKind k) {
    switch (k) {
    case MarkKind::connected:
        return "connected";
    case MarkKind::message:
        return "message";
    case MarkKind::print:
        return "print";
    case MarkKind::closed:
        return "closed";
    case MarkKind::step:
        return "step";
    case MarkKind::main_end:
        return "main-end";
    case MarkKind::shutdown:
        return "shutdown";
    case MarkKind::shutdown_wait:
        return "shutdown-wait";
    case MarkKind::exit:
        return "exit";
    case MarkKind::error:
        return "error";
    }
    return "?";
}

const Lane* Timeline::lane(int tid) const {
    for (const Lane& l : lanes_)
        if (l.tid == tid) return &l;
    return nullptr;
}

Lane& Timeline::lane_for(int tid) {
    for (Lane& l : lanes_)
        if (l.tid == tid) return l;
    Lane& l = lanes_.emplace_back();
    l.tid = tid;
    l.name = "thread " + std::to_string(tid);
    return l;
}

void Timeline::set_state(const TraceEvent& e, Segment s) {
    Lane& l = lane_for(e.tid);
    if (!l.segments.empty()) {
        Segment& cur = l.segments.back();
        if (cur.t1 < 0) cur.t1 = e.t_ns;
        if (cur.state == ThreadState::done) return; // nothing happens after the end
    }
    s.t0 = e.t_ns;
    if (s.state == ThreadState::done) s.t1 = s.t0; // a point: the lane ends here
    l.segments.push_back(std::move(s));
}

void Timeline::apply(const TraceEvent& e) {
    ++events_;
    if (first_ns_ < 0) first_ns_ = e.t_ns;
    last_ns_ = std::max(last_ns_, e.t_ns);
    auto mark = [&](MarkKind k, std::string text = {}, int target = -1) {
        markers_.push_back({e.t_ns, e.tid, k, std::move(text), target});
    };
    const std::string& k = e.kind;
    if (k == "thread") {
        Lane& l = lane_for(e.tid);
        l.name = e.get("name");
        l.daemon = e.get("daemon") == "1";
        l.daemon_source = e.get("source");
        l.creator = e.get("creator");
        l.started_ns = e.t_ns;
    } else if (k == "state") {
        Segment s;
        std::string_view st = e.get("state");
        if (st == "running")
            s.state = ThreadState::running;
        else if (st == "blocked")
            s.state = ThreadState::blocked;
        else if (st == "paused")
            s.state = ThreadState::paused;
        else if (st == "done")
            s.state = ThreadState::done;
        else {
            ++unknown_;
            return;
        }
        s.on = e.get("on");
        s.target = e.get_int("target");
        s.pending = e.get_int("pending");
        s.timeout = e.get("timeout") == "1";
        set_state(e, std::move(s));
    } else if (k == "connected") {
        mark(MarkKind::connected, std::string(e.get("uri")));
    } else if (k == "message") {
        mark(MarkKind::message, std::string(e.get("text")));
    } else if (k == "print") {
        mark(MarkKind::print, std::string(e.get("text")));
    } else if (k == "closed") {
        mark(MarkKind::closed, std::string(e.get("code")));
    } else if (k == "step") {
        mark(MarkKind::step, std::string(e.get("name")));
    } else if (k == "main-end") {
        main_end_ns_ = e.t_ns;
        main_exit_code_ = e.get_int("code", 0);
        main_end_how_ = e.get("how");
        mark(MarkKind::main_end, main_end_how_);
    } else if (k == "shutdown") {
        shutdown_ns_ = e.t_ns;
        mark(MarkKind::shutdown);
    } else if (k == "shutdown-wait") {
        shutdown_waiting_for_ = e.get_int("target");
        mark(MarkKind::shutdown_wait, {}, shutdown_waiting_for_);
    } else if (k == "exit") {
        shutdown_waiting_for_ = -1;
        mark(MarkKind::exit, std::string(e.get("code")));
    } else if (k == "error") {
        mark(MarkKind::error, std::string(e.get("text")));
    } else if (k == "process") {
        // start of the stream: nothing to draw
    } else {
        ++unknown_; // a newer demo's event: ignored, counted
    }
}

void Timeline::close_at(std::int64_t t) {
    for (Lane& l : lanes_) {
        if (l.segments.empty()) continue;
        Segment& cur = l.segments.back();
        if (cur.t1 < 0) cur.t1 = std::max(t, cur.t0);
    }
    last_ns_ = std::max(last_ns_, t);
}

} // namespace lab
