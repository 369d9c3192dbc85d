#include "lab/model/verdict.hpp"

#include "lab/model/chain.hpp"
#include "lab/model/io_wait.hpp"

#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace lab {

namespace {
template <class E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;
constexpr Table<Outcome, 8> kOutcomes = {{
    {Outcome::running, "running"},
    {Outcome::exited, "exited"},
    {Outcome::hung, "hung"},
    {Outcome::crashed, "crashed"},
    {Outcome::killed, "killed"},
    {Outcome::timed_out, "timeout"},
    {Outcome::failed, "failed"},
    {Outcome::error, "error"},
}};
constexpr Table<KilledBy, 4> kKilledBy = {{
    {KilledBy::hang, "hang"},
    {KilledBy::user, "user"},
    {KilledBy::timeout, "timeout"},
    {KilledBy::host, "host"},
}};
template <class E, std::size_t N>
std::string_view lookup(const Table<E, N>& t, E e) {
    for (const auto& [v, name] : t)
        if (v == e) return name;
    return "?";
}
} // namespace

std::string_view to_string(Outcome o) {
    return lookup(kOutcomes, o);
}
std::string_view to_string(KilledBy k) {
    return lookup(kKilledBy, k);
}

bool waits_forever(const Segment& s) {
    if (s.state != ThreadState::blocked || s.timeout) return false;
    if (s.on == Wait::socket_read || s.on == Wait::ssl_read)
        return s.pending <= 0; // no reply is on its way (-1: nobody knows; the grace decides)
    return true;               // message, join, event, lock...: only another thread could end them
}

namespace {

// Where main's wait chain ends when that is in a traced child process: the hang is there
// ("main waits for process N ... QueueFeederThread (pid N) cannot move").
const Lane* blamed_in_child(const Timeline& t) {
    for (const Lane& l : t.lanes())
        if (l.is_main()) {
            const std::vector<int> chain = wait_chain(t, l.tid);
            const Lane* end = chain.size() > 1 ? t.lane(chain.back()) : nullptr;
            return end && end->child ? end : nullptr;
        }
    return nullptr;
}

std::string ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f" : "%.0f", v);
    return buf;
}

} // namespace

std::vector<int> stuck_waits(const Timeline& t) {
    // Before main ends only waits that another thread of the process must end count (a
    // deadlock); after, also I/O that nothing will answer (waits_forever). A periodic daemon
    // thread (chain.hpp) cannot end the hang: it is left out.
    const bool ended = t.main_end_ns() >= 0;
    std::vector<int> non_daemon, daemon;
    int main_tid = -1;
    // A traced child's threads count when the program waits for it (Process.join, waitpid)
    // or on a pipe; a child nobody waits for (one that escaped, a server) cannot end a hang.
    auto awaited_child = [&t](const Lane& l) {
        for (const Lane& o : t.lanes())
            if (const Segment* c = o.current();
                o.alive() && c->state == ThreadState::blocked &&
                ((c->on == Wait::process && c->target == l.pid) || c->on == Wait::pipe_read ||
                 c->on == Wait::pipe_write))
                return true;
        return false;
    };
    const std::vector<int> waited = waited_for(t);
    for (const Lane& l : t.lanes()) {
        if (!l.alive() || periodic(l, t, waited) || (l.child && !awaited_child(l))) continue;
        const Segment& cur = *l.current();
        if (waits_for_untraced(t, cur)) return {}; // that process decides: it can still end
        if (!(waits_in_program(t, cur) || (ended && waits_forever(cur)))) return {}; // it can move
        if (l.is_main())
            main_tid = l.tid;
        else
            (l.daemon ? daemon : non_daemon).push_back(l.tid);
    }
    // Whom the hang is blamed on: the non-daemon threads the interpreter waits for; else the
    // daemon threads main waits for; else main itself.
    if (!non_daemon.empty()) return non_daemon;
    if (!daemon.empty()) return daemon;
    if (main_tid >= 0) return {main_tid};
    return {};
}

std::string describe_daemon(const Lane& l, const Strings& s, Lang lang) {
    const std::string key = "daemon." + std::string(trace::name(l.source));
    if (l.is_main() || l.source == DaemonSource::dummy) return s.get(key, lang);
    std::string flag = s.get(l.daemon ? "daemon.yes" : "daemon.no", lang);
    return s.format(key, lang, {{"flag", flag}, {"creator", l.creator}});
}

std::string describe_wait(const Segment& seg, const Timeline& t, const Strings& s, Lang lang) {
    switch (seg.state) {
    case ThreadState::running:
        return s.get("state.running", lang);
    case ThreadState::done:
        return s.get("state.done", lang);
    case ThreadState::paused:
        return s.format("state.paused", lang, {{"step", seg.step}});
    case ThreadState::blocked:
        break;
    }
    if (!seg.on) return s.format("wait.other", lang, {{"what", seg.on_text}});
    const std::string key = "wait." + std::string(trace::name(*seg.on));
    if (seg.on == Wait::join) {
        const Lane* target = t.lane(seg.target);
        return s.format(key, lang, {{"thread", target ? lane_label(*target) : "?"}});
    }
    if (seg.on == Wait::process) return s.format(key, lang, {{"pid", std::to_string(seg.target)}});
    return s.get(key, lang);
}

std::string hang_end_key(KilledBy by) {
    return by == KilledBy::user   ? "end.hang-user"
           : by == KilledBy::host ? "end.hang-host"
                                  : "end.hang";
}

std::string headline(const Verdict& v, const Timeline& t, const Strings& s, Lang lang) {
    switch (v.outcome) {
    case Outcome::running:
        if (t.shutdown_waiting_for() >= 0) {
            const Lane* l = t.lane(t.shutdown_waiting_for());
            return s.format("verdict.waiting", lang, {{"thread", l ? l->name : "?"}});
        }
        return s.get("verdict.running", lang);
    case Outcome::exited:
        if (t.main_end_ns() < 0) // main never finished, or the trace that would say so was lost
            return s.format(t.trace_lost_ns() >= 0 ? "verdict.exited.lost" : "verdict.exited.early",
                            lang, {{"code", std::to_string(v.exit_code)}});
        return s.format("verdict.exited", lang,
                        {{"code", std::to_string(v.exit_code)},
                         {"ms", v.main_end_to_exit_ms >= 0 ? ms(v.main_end_to_exit_ms) : "?"}});
    case Outcome::hung: {
        std::string names;
        for (int tid : v.waiting_on) {
            const Lane* l = t.lane(tid);
            if (!names.empty()) names += ", ";
            names += l ? lane_label(*l) : "?";
        }
        if (const Lane* end = t.main_end_ns() < 0 ? blamed_in_child(t) : nullptr)
            return s.format("verdict.hung.child", lang,
                            {{"pid", std::to_string(end->pid)}, {"thread", lane_label(*end)}});
        if (t.main_end_ns() < 0)
            return s.format("verdict.hung.deadlock", lang, {{"threads", names}});
        if (v.io_quiet_ms >= 0) // a wait on I/O: no data came for the I/O grace (io_wait.hpp)
            return s.format("verdict.hung.io", lang,
                            {{"threads", names}, {"s", seconds(v.io_quiet_ms)}});
        return s.format(v.waiting_on.size() > 1 ? "verdict.hung.many" : "verdict.hung", lang,
                        {{"threads", names}});
    }
    case Outcome::crashed:
        return s.format("verdict.crashed", lang,
                        {{"signal", std::to_string(v.signal)},
                         {"name", sigabbrev_np(v.signal) ? sigabbrev_np(v.signal) : "?"}});
    case Outcome::killed:
        return s.format(
            "verdict.killed", lang,
            {{"by", s.get("killed." + std::string(to_string(v.killed_by.value_or(KilledBy::host))),
                          lang)}});
    case Outcome::timed_out:
        if (const Lane* l = t.lane(t.shutdown_waiting_for()); l && l->current())
            return s.format(
                "verdict.timeout.waiting", lang,
                {{"thread", l->name}, {"wait", describe_wait(*l->current(), t, s, lang)}});
        if (t.main_end_ns() < 0 && t.trace_lost_ns() >= 0)
            return s.get("verdict.timeout.lost", lang);
        return s.get(t.main_end_ns() >= 0 ? "verdict.timeout.shutdown" : "verdict.timeout.main",
                     lang);
    case Outcome::failed:
        return s.format("verdict.failed", lang, {{"error", v.error}});
    case Outcome::error:
        return s.format("verdict.error", lang, {{"error", v.error}});
    }
    return {};
}

std::string blocked_at(const Lane& l, const Stacks& stacks) {
    // The stacks are the program's own process's: a forked child's thread may have the same
    // ident as one of the program's (the same address space, copied).
    auto it = stacks.find(l.ident);
    if (l.child || l.ident.empty() || it == stacks.end()) return {};
    // The interpreter's own modules say little ("ssl.py in read"); the first frame outside
    // them is where the program, or the library it uses, waits.
    auto stdlib = [](const std::string& file) {
        return file.find("/lib/python3") != std::string::npos &&
               file.find("-packages/") == std::string::npos;
    };
    for (const Frame& f : it->second)
        if (!stdlib(f.file)) return f.file + ":" + std::to_string(f.line) + " in " + f.function;
    if (it->second.empty()) return {};
    const Frame& f = it->second.front();
    return f.file + ":" + std::to_string(f.line) + " in " + f.function;
}

std::vector<int> awaited(const Verdict& v, const Timeline& t) {
    if (v.outcome == Outcome::hung) return v.waiting_on;
    if ((v.outcome == Outcome::running || v.outcome == Outcome::timed_out) &&
        t.shutdown_waiting_for() >= 0)
        return {t.shutdown_waiting_for()};
    return {};
}

std::vector<std::string> explanation(const Verdict& v, const Timeline& t, const Strings& s,
                                     Lang lang, const Stacks* stacks) {
    std::vector<std::string> lines;
    if (const std::vector<int> waited = awaited(v, t); !waited.empty()) {
        bool on_socket = false; // the server's part is said only when a thread reads from it
        std::string names;
        for (int tid : waited) {
            const Lane* l = t.lane(tid);
            if (!l || !l->current()) continue;
            on_socket |= look(*l->current()) == Look::socket;
            names += (names.empty() ? "" : ", ") + lane_label(*l);
            // Attached to, not traced from the start: the creator is not known.
            lines.push_back(s.format(
                l->creator.empty() ? "why.hung.thread.unknown-creator" : "why.hung.thread", lang,
                {{"thread", lane_label(*l)},
                 {"creator", l->creator},
                 {"daemon", describe_daemon(*l, s, lang)},
                 {"wait", describe_wait(*l->current(), t, s, lang)}}));
            if (l->source == DaemonSource::inherited)
                lines.push_back(s.format("why.hung.inherited", lang,
                                         {{"thread", lane_label(*l)}, {"creator", l->creator}}));
            if (!l->site.empty())
                lines.push_back(s.format(
                    "why.hung.created_at", lang,
                    {{"thread", lane_label(*l)},
                     {"where", l->origin.empty() ? l->site : l->origin + " (" + l->site + ")"}}));
            if (std::string at = stacks ? blocked_at(*l, *stacks) : ""; !at.empty())
                lines.push_back(s.format("why.hung.blocked_at", lang,
                                         {{"thread", lane_label(*l)}, {"where", at}}));
        }
        explain_io(v, t, s, lang, lines); // the other end of a wait on I/O
        on_socket = on_socket && v.io_quiet_ms < 0 && live_peers(t).empty();
        // The interpreter's join of the non-daemon threads is the rule only once main ended.
        lines.push_back(on_socket ? s.get("why.hung.rule", lang)
                        : t.main_end_ns() < 0
                            ? s.format("why.hung.rule.main", lang, {{"threads", names}})
                            : s.format("why.hung.rule.other", lang, {{"threads", names}}));
    } else if (v.outcome == Outcome::exited) {
        // Who was still running when the process ended: the daemon threads it abandoned.
        std::string abandoned;
        int n = 0;
        for (const Lane& l : t.lanes()) {
            const Segment* cur = l.current();
            if (!cur || cur->state == ThreadState::done || l.is_main() || l.child) continue;
            if (!abandoned.empty()) abandoned += ", ";
            abandoned += l.name;
            ++n;
        }
        if (t.main_end_ns() >= 0)
            lines.push_back(abandoned.empty() ? s.get("why.exited.none", lang)
                                              : s.format(n > 1 ? "why.exited.abandoned.many"
                                                               : "why.exited.abandoned",
                                                         lang, {{"threads", abandoned}}));
    }
    for (std::string& line : chain_explanation(v, t, s, lang)) lines.push_back(std::move(line));
    return lines;
}

} // namespace lab
