#include "lab/model/timeline.hpp"

#include <algorithm>

namespace lab {

Look look(const Segment& s) {
    switch (s.state) {
    case ThreadState::running:
        return Look::running;
    case ThreadState::paused:
        return Look::paused;
    case ThreadState::done:
        return Look::done;
    case ThreadState::blocked:
        break;
    }
    if (s.on == Wait::socket_read || s.on == Wait::ssl_read) return Look::socket;
    if (s.on == Wait::message || s.on == Wait::event || s.on == Wait::condition ||
        s.on == Wait::queue_get)
        return Look::message;
    if (s.on == Wait::join) return Look::join;
    return Look::other;
}

// A tid is unique among the live threads only: the kernel reuses it once a thread is gone
// (after ~32,000 short threads). A lane is the thread that had the tid from its `thread` event
// on; the newest lane with a tid is the one its events are about.
const Lane* Timeline::lane(int tid) const {
    for (auto l = lanes_.rbegin(); l != lanes_.rend(); ++l)
        if (l->tid == tid) return &*l;
    return nullptr;
}

Lane& Timeline::lane_for(int tid) {
    for (auto l = lanes_.rbegin(); l != lanes_.rend(); ++l)
        if (l->tid == tid) return *l;
    if (lanes_.size() >= kMaxLanes) drop_finished_lanes();
    Lane& l = lanes_.emplace_back();
    l.tid = tid;
    l.name = "thread " + std::to_string(tid);
    return l;
}

// The lane for a `thread` event: a new one when the tid's lane has ended (a reused tid).
Lane& Timeline::lane_for_new_thread(int tid) {
    Lane& l = lane_for(tid);
    if (l.segments.empty() || l.alive()) return l;
    if (lanes_.size() >= kMaxLanes) drop_finished_lanes();
    Lane& fresh = lanes_.emplace_back();
    fresh.tid = tid;
    return fresh;
}

const TracedChild* Timeline::child(int pid) const {
    for (const TracedChild& c : children_)
        if (c.pid == pid) return &c;
    return nullptr;
}

const Lane* Timeline::child_main(int pid) const {
    for (const Lane& l : lanes_)
        if (l.child && l.pid == pid && l.source == DaemonSource::main) return &l;
    return nullptr;
}

// An event about the whole process (main-end, the exit sequence, exit...) written by a traced
// child: it is about that child, not the program. Its `exit` ends the child's threads, its
// `main-end` is kept as the child's; the rest is left out (the stages are the program's).
// True: the event was a child's.
bool Timeline::child_event(const TraceEvent& e) {
    using trace::Kind;
    const Kind k = *e.kind;
    if (k != Kind::main_end && k != Kind::threading_atexit && k != Kind::shutdown &&
        k != Kind::shutdown_wait && k != Kind::atexit_register && k != Kind::atexit &&
        k != Kind::exit && k != Kind::refused && k != Kind::snapshot && k != Kind::error)
        return false;
    const Lane* from = lane(e.tid);
    if (!from || !from->child) return false;
    if (k == Kind::error) return false; // an uncaught exception: a marker on its own lane
    const int pid = from->pid;
    if (k == Kind::main_end)
        for (TracedChild& c : children_)
            if (c.pid == pid && c.main_end_ns < 0) c.main_end_ns = e.t_ns;
    if (k != Kind::exit) return true;
    for (TracedChild& c : children_)
        if (c.pid == pid && c.ended_ns < 0) {
            c.ended_ns = e.t_ns;
            c.exit_code = e.get(trace::key::code);
        }
    for (std::size_t i = 0; i < lanes_.size(); ++i)
        if (lanes_[i].child && lanes_[i].pid == pid && lanes_[i].alive()) {
            Segment done;
            done.state = ThreadState::done;
            set_state({e.t_ns, lanes_[i].tid, e.kind, {}}, std::move(done));
        }
    return true;
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
    if (merge_repeat(l, s)) return;
    l.segments.push_back(std::move(s));
    if (++segments_ > kMaxSegments) thin_lane(l);
}

// `process`: the program's own (the first), or a traced child's.
void Timeline::apply_process(const TraceEvent& e) {
    namespace key = trace::key;
    if (const int pid = e.get_int(key::pid); process_.pid > 0 && pid > 0 && pid != process_.pid) {
        if (children_.size() < kMaxChildren && !child(pid))
            children_.push_back({pid,
                                 e.get_int(key::parent),
                                 std::string(e.get(key::program)),
                                 std::string(e.get(key::python)),
                                 e.t_ns,
                                 -1,
                                 -1,
                                 {},
                                 e.get(key::role) == "helper"});
        return; // a child process: the program's own facts stay
    }
    process_.version = e.get_int(key::version, 0);
    process_.pid = e.get_int(key::pid);
    process_.engine = e.get_enum<trace::Engine>(key::engine).value_or(trace::Engine::model);
    process_.scenario = e.get(key::scenario);
    process_.program = e.get(key::program);
    process_.python = e.get(key::python);
    process_.receiver = e.get(key::receiver);
}

// `thread`: a new lane (or a reused tid's), with where its daemon flag came from.
void Timeline::apply_thread(const TraceEvent& e) {
    namespace key = trace::key;
    Lane& l = lane_for_new_thread(e.tid);
    l.name = e.get(key::name);
    l.daemon = e.get(key::daemon) == "1";
    if (auto src = e.get_enum<DaemonSource>(key::source))
        l.source = *src;
    else
        ++unknown_;
    l.creator = e.get(key::creator);
    l.creator_tid = e.get_int(key::creator_tid);
    l.ident = e.get(key::ident);
    l.site = e.get(key::site);
    l.origin = e.get(key::origin);
    l.target = e.get(key::target);
    l.started_ns = e.t_ns;
    l.pid = e.get_int(key::pid);
    l.child = l.pid > 0 && process_.pid > 0 && l.pid != process_.pid && child(l.pid) != nullptr;
}

// `state`: the thread's next segment (blocked on what, where, until when).
void Timeline::apply_state(const TraceEvent& e) {
    namespace key = trace::key;
    Segment s;
    auto st = e.get_enum<ThreadState>(key::state);
    if (!st) {
        ++unknown_;
        return;
    }
    s.state = *st;
    if (s.state == ThreadState::blocked) {
        s.on = e.get_enum<Wait>(key::on);
        s.on_text = e.get(key::on);
        if (!s.on) ++unknown_; // still blocked, on something this host cannot name
    }
    s.step = e.get(key::step);
    s.at = e.get(key::at);
    s.target = e.get_int(key::target);
    s.pending = e.get_int(key::pending);
    s.timeout = e.get(key::timeout) == "1";
    s.deadline = e.get_int64(key::deadline);
    s.call = e.get(key::call);
    set_state(e, std::move(s));
}

// `refused`: the first refusal is the one that counts.
void Timeline::apply_refused(const TraceEvent& e) {
    namespace key = trace::key;
    auto what = e.get_enum<trace::Refusal>(key::what);
    if (!what && !e.get(key::what).empty()) ++unknown_; // a newer writer's reason
    refusal_ = Refusal{what.value_or(trace::Refusal::program), std::string(e.get(key::text)),
                       std::string(e.get(key::version))};
    if (refusal_->what == trace::Refusal::python && process_.python.empty())
        process_.python = refusal_->version;
}

void Timeline::apply(const TraceEvent& e) {
    using trace::Kind;
    namespace key = trace::key;
    ++events_;
    if (!e.kind) { // a newer writer's event: ignored, counted
        ++unknown_;
        return;
    }
    for (const auto& field : e.fields)
        if (!trace::known_field(*e.kind, field.first)) ++unknown_; // a newer writer's field
    if (first_ns_ < 0) first_ns_ = e.t_ns;
    last_ns_ = std::max(last_ns_, e.t_ns);
    auto mark = [&](std::string text = {}, int target = -1) {
        add_marker({e.t_ns, e.tid, *e.kind, std::move(text), target});
    };
    if (child_event(e)) return;
    switch (*e.kind) {
    case Kind::process:
        apply_process(e);
        break;
    case Kind::library:
        process_.library = e.get(key::name);
        process_.library_version = e.get(key::version);
        break;
    case Kind::thread:
        apply_thread(e);
        break;
    case Kind::state:
        apply_state(e);
        break;
    case Kind::connected:
        mark(std::string(e.get(key::uri)));
        break;
    case Kind::message:
    case Kind::print:
    case Kind::error:
        mark(std::string(e.get(key::text)));
        break;
    case Kind::closed:
        mark(std::string(e.get(key::code)));
        break;
    case Kind::step:
    case Kind::threading_atexit:
    case Kind::atexit_register:
    case Kind::atexit:
        mark(std::string(e.get(key::name)));
        break;
    case Kind::main_end:
        main_end_ns_ = e.t_ns;
        main_exit_code_ = e.get_int(key::code, 0);
        main_end_how_ = e.get_enum<trace::MainEnd>(key::how);
        main_exception_ = e.get(key::exception);
        if (auto tb = e.get(key::text); !tb.empty()) main_exception_ += "\n" + std::string(tb);
        mark(std::string(e.get(key::how)));
        break;
    case Kind::shutdown:
        shutdown_ns_ = e.t_ns;
        mark();
        break;
    case Kind::shutdown_wait:
        shutdown_waiting_for_ = e.get_int(key::target);
        mark({}, shutdown_waiting_for_);
        break;
    case Kind::exit:
        shutdown_waiting_for_ = -1;
        mark(std::string(e.get(key::code)));
        break;
    case Kind::cut_off: {
        Lane& l = lane_for(e.tid);
        l.cut_off = true;
        l.cut_off_at = e.get(key::at);
        break;
    }
    case Kind::refused:
        if (!refusal_) apply_refused(e);
        break;
    case Kind::snapshot: // daemonlab attach: the reporter's last line, the exit stage it saw
        mark(std::string(e.get(key::stage)));
        break;
    case Kind::tracer_error: // not a marker: it is about the writer, not the program
        if (tracer_errors_.size() < kMaxTracerErrors)
            tracer_errors_.push_back({e.t_ns, e.tid, std::string(e.get(key::where)),
                                      std::string(e.get(key::exception)),
                                      std::string(e.get(key::text))});
        ++tracer_error_count_;
        break;
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
