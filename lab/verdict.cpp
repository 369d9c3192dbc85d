#include "verdict.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>

namespace lab {

const char* to_string(Outcome o) {
    switch (o) {
    case Outcome::running:
        return "running";
    case Outcome::exited:
        return "exited";
    case Outcome::hung:
        return "hung";
    case Outcome::crashed:
        return "crashed";
    case Outcome::killed:
        return "killed";
    case Outcome::failed:
        return "failed";
    }
    return "?";
}

namespace {

// Nothing will end this wait by itself.
bool waits_forever(const Segment& s) {
    if (s.state != ThreadState::blocked || s.timeout) return false;
    if (s.on == "socket-read") return s.pending <= 0; // no reply is on its way
    return true; // message, join, event, close, send: only another thread could end them
}

std::string ms(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f" : "%.0f", v);
    return buf;
}

} // namespace

std::vector<int> stuck_waits(const Timeline& t) {
    if (t.shutdown_waiting_for() < 0) return {};
    std::vector<int> waits;
    for (const Lane& l : t.lanes()) {
        if (!l.alive()) continue;
        if (!waits_forever(*l.current())) return {}; // someone can still move
        if (!l.daemon && l.daemon_source != "main thread") waits.push_back(l.tid);
    }
    return waits;
}

std::string describe_daemon(const Lane& l, const Strings& s, Lang lang) {
    if (l.daemon_source == "main thread") return s.get("daemon.main", lang);
    std::string flag = s.get(l.daemon ? "daemon.yes" : "daemon.no", lang);
    if (l.daemon_source == "explicit") return s.format("daemon.explicit", lang, {{"flag", flag}});
    return s.format("daemon.inherited", lang, {{"flag", flag}, {"creator", l.creator}});
}

std::string describe_wait(const Segment& seg, const Timeline& t, const Strings& s, Lang lang) {
    switch (seg.state) {
    case ThreadState::running:
        return s.get("state.running", lang);
    case ThreadState::done:
        return s.get("state.done", lang);
    case ThreadState::paused:
        return s.format("state.paused", lang, {{"step", seg.on}});
    case ThreadState::blocked:
        break;
    }
    std::string key = "wait." + seg.on;
    if (seg.on == "join") {
        const Lane* target = t.lane(seg.target);
        return s.format("wait.join", lang, {{"thread", target ? target->name : "?"}});
    }
    if (!s.has(key)) return s.format("wait.other", lang, {{"what", seg.on}});
    return s.get(key, lang);
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
        return s.format("verdict.exited", lang,
                        {{"code", std::to_string(v.exit_code)},
                         {"ms", v.main_end_to_exit_ms >= 0 ? ms(v.main_end_to_exit_ms) : "?"}});
    case Outcome::hung: {
        std::string names;
        for (int tid : v.waiting_on) {
            const Lane* l = t.lane(tid);
            if (!names.empty()) names += ", ";
            names += l ? l->name : "?";
        }
        return s.format("verdict.hung", lang, {{"threads", names}});
    }
    case Outcome::crashed:
        return s.format("verdict.crashed", lang,
                        {{"signal", std::to_string(v.signal)},
                         {"name", sigabbrev_np(v.signal) ? sigabbrev_np(v.signal) : "?"}});
    case Outcome::killed:
        return s.format("verdict.killed", lang, {{"by", s.get("killed." + v.killed_by, lang)}});
    case Outcome::failed:
        return s.format("verdict.failed", lang, {{"error", v.error}});
    }
    return {};
}

std::vector<std::string> explanation(const Verdict& v, const Timeline& t, const Strings& s,
                                     Lang lang) {
    std::vector<std::string> lines;
    if (v.outcome == Outcome::hung) {
        for (int tid : v.waiting_on) {
            const Lane* l = t.lane(tid);
            if (!l || !l->current()) continue;
            lines.push_back(s.format("why.hung.thread", lang,
                                     {{"thread", l->name},
                                      {"creator", l->creator},
                                      {"daemon", describe_daemon(*l, s, lang)},
                                      {"wait", describe_wait(*l->current(), t, s, lang)}}));
            if (l->daemon_source.starts_with("inherited"))
                lines.push_back(s.format("why.hung.inherited", lang, {{"creator", l->creator}}));
        }
        lines.push_back(s.get("why.hung.rule", lang));
    } else if (v.outcome == Outcome::exited) {
        // Who was still running when the process ended: the daemon threads it abandoned.
        std::string abandoned;
        for (const Lane& l : t.lanes()) {
            const Segment* cur = l.current();
            if (!cur || cur->state == ThreadState::done || l.daemon_source == "main thread")
                continue;
            if (!abandoned.empty()) abandoned += ", ";
            abandoned += l.name;
        }
        if (t.main_end_ns() >= 0)
            lines.push_back(abandoned.empty()
                                ? s.get("why.exited.none", lang)
                                : s.format("why.exited.abandoned", lang, {{"threads", abandoned}}));
    }
    return lines;
}

} // namespace lab
