#include "lab/model/chain.hpp"

#include "lab/model/io_wait.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <utility>

namespace lab {

namespace {
constexpr std::array<std::pair<Stage, std::string_view>, 5> kStages = {{
    {Stage::main, "main"},
    {Stage::hooks, "threading-atexit"},
    {Stage::join, "join"},
    {Stage::atexit, "atexit"},
    {Stage::finalize, "finalize"},
}};
constexpr std::size_t kMaxChain = 16; // a longer chain is cut there
constexpr std::size_t kLookBack = 16; // segments searched for the same timed wait

bool blocked(const Segment* s) {
    return s && s->state == ThreadState::blocked;
}

bool io(const Segment& s) {
    return s.on == Wait::socket_read || s.on == Wait::ssl_read || s.on == Wait::connect ||
           s.on == Wait::send || s.on == Wait::close || s.on == Wait::message ||
           s.on == Wait::select;
}

bool pipe(const Segment& s) {
    return s.on == Wait::pipe_read || s.on == Wait::pipe_write;
}

std::string seconds(std::int64_t ns) {
    char buf[32];
    const double v = double(std::max<std::int64_t>(ns, 0)) / 1e9;
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f" : "%.0f", v);
    return buf;
}

std::string name_of(const Timeline& t, int tid) {
    const Lane* l = t.lane(tid);
    return l ? lane_label(*l) : "?";
}

// The lane a blocked segment waits for: the thread joined or holding the lock, or the first
// thread of the traced child process waited for.
const Lane* awaited_lane(const Timeline& t, const Segment& s) {
    if (s.target < 0) return nullptr;
    if (s.on == Wait::join || s.on == Wait::lock) return t.lane(s.target);
    if (s.on == Wait::process) return t.child_main(s.target);
    return nullptr;
}

// "in concurrent.futures' exit hook" and the like: where in the exit sequence main waits.
std::string stage_text(const StageAt& at, const Strings& s, Lang lang) {
    if (at.stage == Stage::hooks && at.hook.ends_with("_python_exit"))
        return s.get("chain.stage.concurrent", lang);
    return s.format("chain.stage." + std::string(to_string(at.stage)), lang, {{"hook", at.hook}});
}

// "the function the program called", as people know it ("asyncio.run()").
std::string call_text(const Segment& seg, const Strings& s, Lang lang) {
    if (seg.call.empty()) return {};
    const std::string key = "call." + seg.call;
    return s.has(key) ? s.get(key, lang) : seg.call + "()";
}

// One link: "MainThread waits in server_close() for Thread-2", or the chain's end.
std::string link_text(const Timeline& t, const Lane& l, const Segment& seg, bool last,
                      std::int64_t now, const Strings& s, Lang lang) {
    std::string call = call_text(seg, s, lang);
    const std::string name = lane_label(l);
    if (!last && seg.on == Wait::process)
        return s.format(call.empty() ? "chain.process.nocall" : "chain.process", lang,
                        {{"thread", name}, {"call", call}, {"pid", std::to_string(seg.target)}});
    // A traced child whose main has returned: its interpreter joins the thread at exit.
    if (const TracedChild* c = l.child ? t.child(l.pid) : nullptr;
        !last && seg.on == Wait::join && call.empty() && l.source == DaemonSource::main && c &&
        c->main_end_ns >= 0 && c->main_end_ns <= seg.t0)
        return s.format("chain.join.exit", lang,
                        {{"thread", name}, {"target", name_of(t, seg.target)}});
    if (!last && (seg.on == Wait::join || seg.on == Wait::lock))
        return s.format(std::string(seg.on == Wait::join ? "chain.join" : "chain.lock") +
                            (call.empty() ? ".nocall" : ""),
                        lang,
                        {{"thread", name}, {"call", call}, {"target", name_of(t, seg.target)}}) +
               (seg.deadline >= 0
                    ? s.format("chain.gives_up", lang, {{"s", seconds(seg.deadline - now)}})
                    : "");
    if (seg.state != ThreadState::blocked)
        return s.format("chain.end.running", lang, {{"thread", name}});
    const std::string wait = describe_wait(seg, t, s, lang);
    if (seg.timeout)
        return seg.deadline >= 0
                   ? s.format(
                         "chain.end.deadline", lang,
                         {{"thread", name}, {"wait", wait}, {"s", seconds(seg.deadline - now)}})
                   : s.format("chain.end.timed", lang, {{"thread", name}, {"wait", wait}});
    // Before main ends I/O can still end by itself; after, the judge's rule says (verdict.hpp).
    if (waits_for_untraced(t, seg))
        return s.format("chain.end.untraced", lang, {{"thread", name}, {"wait", wait}});
    if ((io(seg) && (t.main_end_ns() < 0 || !waits_forever(seg))) ||
        (pipe(seg) && untraced_peer(t)))
        return s.format("chain.end.io", lang, {{"thread", name}, {"wait", wait}});
    return s.format("chain.end.forever", lang, {{"thread", name}, {"wait", wait}});
}

} // namespace

std::string_view to_string(Stage st) {
    for (const auto& [v, name] : kStages)
        if (v == st) return name;
    return "?";
}

std::optional<Stage> stage_from(std::string_view name) {
    for (const auto& [v, n] : kStages)
        if (n == name) return v;
    return std::nullopt;
}

std::vector<StageSpan> stage_spans(const Timeline& t) {
    std::vector<StageSpan> out;
    out.push_back({Stage::main, std::max<std::int64_t>(t.first_ns(), 0), -1, {}});
    if (t.main_end_ns() < 0) return out;
    const std::int64_t end = t.main_end_ns();
    auto begin = [&](Stage s, std::int64_t at, const std::string& hook) {
        if (out.back().stage == s && out.back().hook == hook) return;
        at = std::max(at, out.back().t0);
        out.back().t1 = at;
        out.push_back({s, at, -1, hook});
    };
    begin(Stage::hooks, end, {});
    for (const Marker& m : t.markers()) {
        switch (m.kind) {
        case trace::Kind::threading_atexit:
            if (out.back().stage == Stage::hooks) begin(Stage::hooks, m.t, m.text);
            break;
        case trace::Kind::shutdown:
            begin(Stage::join, m.t, {});
            break;
        case trace::Kind::atexit:
            begin(Stage::atexit, m.t, m.text);
            break;
        case trace::Kind::exit:
            begin(Stage::finalize, m.t, {});
            break;
        default:
            break;
        }
    }
    return out;
}

StageAt stage_at(const Timeline& t, std::int64_t at_ns) {
    StageAt at;
    if (t.main_end_ns() < 0 || (at_ns >= 0 && at_ns < t.main_end_ns())) return at;
    for (const StageSpan& s : stage_spans(t))
        if (s.stage != Stage::main && (at_ns < 0 || s.t0 <= at_ns)) at = {s.stage, s.hook};
    return at;
}

bool waits_in_process(const Segment& s) {
    if (s.state != ThreadState::blocked || s.timeout || !s.on) return false;
    return s.on == Wait::join || s.on == Wait::lock || s.on == Wait::event ||
           s.on == Wait::condition || s.on == Wait::queue_get;
}

// A live process of the tree that is not on the trace (nor a helper): it may hold a pipe's
// other end. A traced child's threads are judged like the program's.
bool untraced_peer(const Timeline& t) {
    for (const TreeProcess* p : live_peers(t))
        if (const TracedChild* c = t.child(p->pid); !c || !c->alive()) return true;
    return false;
}

bool waits_in_program(const Timeline& t, const Segment& s) {
    if (waits_in_process(s)) return true;
    if (s.state != ThreadState::blocked || s.timeout) return false;
    if (s.on == Wait::process) {
        const TracedChild* c = t.child(s.target);
        return c && c->alive() && t.child_main(s.target);
    }
    if (s.on == Wait::pipe_read || s.on == Wait::pipe_write) return !untraced_peer(t);
    return false;
}

bool waits_for_untraced(const Timeline& t, const Segment& s) {
    return s.state == ThreadState::blocked && s.on == Wait::process && s.target > 0 &&
           !t.child(s.target);
}

std::string lane_label(const Lane& l) {
    return l.child ? l.name + " (pid " + std::to_string(l.pid) + ")" : l.name;
}

std::vector<int> waited_for(const Timeline& t) {
    std::vector<int> out;
    for (const Lane& o : t.lanes())
        if (const Segment* s = o.current(); o.alive() && blocked(s))
            if (const Lane* w = awaited_lane(t, *s)) out.push_back(w->tid);
    std::sort(out.begin(), out.end());
    return out;
}

bool periodic(const Lane& l, const Timeline& t, const std::vector<int>& waited) {
    const Segment* cur = l.current();
    if (!l.daemon || !blocked(cur) || !cur->timeout) return false;
    // A thread someone waits for is not quiet, however it waits: its waking up is what may
    // end that wait (a daemon writer that sleeps between lines while main joins it).
    if (std::binary_search(waited.begin(), waited.end(), l.tid)) return false;
    if (cur->on == Wait::join)
        if (const Lane* target = t.lane(cur->target); target && target->alive())
            if (const Segment* ts = target->current(); blocked(ts) && !ts->timeout) return true;
    if (cur->at.empty()) return false;
    const std::size_t n = l.segments.size();
    for (std::size_t i = 1; i < n && i <= kLookBack; ++i) {
        const Segment& s = l.segments[n - 1 - i];
        if (s.state == ThreadState::blocked && s.timeout && s.on == cur->on && s.at == cur->at)
            return true;
    }
    return false;
}

bool periodic(const Lane& l, const Timeline& t) {
    return periodic(l, t, waited_for(t));
}

std::vector<int> wait_chain(const Timeline& t, int tid) {
    std::vector<int> chain;
    for (const Lane* l = t.lane(tid); l && chain.size() < kMaxChain;) {
        chain.push_back(l->tid);
        const Segment* s = l->current();
        if (!blocked(s)) break;
        const Lane* next = awaited_lane(t, *s);
        if (!next || std::find(chain.begin(), chain.end(), next->tid) != chain.end()) break;
        l = next;
    }
    return chain;
}

std::int64_t last_progress_ns(const Timeline& t) {
    std::int64_t last = -1;
    std::vector<int> quiet; // the periodic daemon threads
    const std::vector<int> waited = waited_for(t);
    for (const Lane& l : t.lanes()) {
        if (l.alive() && periodic(l, t, waited)) {
            quiet.push_back(l.tid);
            continue;
        }
        last = std::max(last, l.started_ns);
        if (const Segment* s = l.current()) last = std::max(last, s->t0);
    }
    for (const Marker& m : t.markers())
        if (std::find(quiet.begin(), quiet.end(), m.tid) == quiet.end()) last = std::max(last, m.t);
    return last;
}

std::vector<const Lane*> cut_off(const Timeline& t) {
    std::vector<const Lane*> out;
    for (const Lane& l : t.lanes()) {
        const Segment* s = l.current();
        if (!l.cut_off || !s || s->state == ThreadState::done) continue;
        if (s->state == ThreadState::blocked && !s->timeout && !io(*s) && !pipe(*s) &&
            s->on != Wait::sleep)
            continue; // idle: waiting for work that will not come now
        out.push_back(&l);
    }
    return out;
}

std::vector<std::string> chain_explanation(const Verdict& v, const Timeline& t, const Strings& s,
                                           Lang lang) {
    std::vector<std::string> lines;
    const std::int64_t now = v.exit_seen_ns >= 0 ? v.exit_seen_ns : t.last_ns();
    if (v.outcome == Outcome::exited) {
        for (const Lane* l : cut_off(t))
            lines.push_back(s.format("chain.cut_off", lang,
                                     {{"thread", lane_label(*l)},
                                      {"at", l->cut_off_at.empty() ? "?" : l->cut_off_at},
                                      {"wait", describe_wait(*l->current(), t, s, lang)}}));
        return lines;
    }
    if (v.outcome != Outcome::hung && v.outcome != Outcome::timed_out &&
        v.outcome != Outcome::running)
        return lines;
    const Lane* main = nullptr;
    for (const Lane& l : t.lanes())
        if (l.is_main()) main = &l;
    if (main && !main->current()) main = nullptr; // no state yet: no chain
    const std::vector<int> chain = main ? wait_chain(t, main->tid) : std::vector<int>{};
    const StageAt stage = main ? stage_at(t, main->current()->t0) : StageAt{};
    // The interpreter's plain join of one thread is said already (why.hung.thread): the
    // chain is told when it says more (another stage, or a longer chain).
    if (main && blocked(main->current()) && (stage.stage != Stage::join || chain.size() > 2)) {
        std::string text = stage_text(stage, s, lang);
        for (std::size_t i = 0; i < chain.size(); ++i) {
            const Lane* l = t.lane(chain[i]);
            if (!l->current()) break; // a thread announced, with no state yet
            text += s.get(i == 0 ? "chain.sep.first" : "chain.sep", lang) +
                    link_text(t, *l, *l->current(), i + 1 == chain.size(), now, s, lang);
        }
        lines.push_back(text + s.get("chain.sep.end", lang));
    }
    const std::vector<int> waited = waited_for(t);
    for (const Lane& l : t.lanes()) {
        if (!l.alive()) continue;
        const Segment& cur = *l.current();
        if (periodic(l, t, waited))
            lines.push_back(s.format("chain.periodic", lang,
                                     {{"thread", lane_label(l)},
                                      {"wait", describe_wait(cur, t, s, lang)},
                                      {"at", cur.at.empty() ? "?" : cur.at}}));
        else if (!l.daemon && !l.is_main() && cur.state == ThreadState::blocked &&
                 cur.deadline >= 0)
            lines.push_back(s.format(l.target == "Timer.run" ? "chain.timer" : "chain.ends_in",
                                     lang,
                                     {{"thread", lane_label(l)},
                                      {"wait", describe_wait(cur, t, s, lang)},
                                      {"s", seconds(cur.deadline - now)}}));
    }
    return lines;
}

} // namespace lab
