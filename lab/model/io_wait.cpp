#include "lab/model/io_wait.hpp"

#include <algorithm>

namespace lab {

bool on_io(const Segment& s) {
    if (s.state != ThreadState::blocked || s.timeout) return false;
    if (s.on == Wait::socket_read || s.on == Wait::ssl_read) return s.pending <= 0;
    return s.on == Wait::connect || s.on == Wait::send || s.on == Wait::select;
}

std::vector<int> io_waits(const Timeline& t) {
    std::vector<int> out;
    for (const Lane& l : t.lanes())
        if (l.alive() && on_io(*l.current())) out.push_back(l.tid);
    return out;
}

std::vector<const TreeProcess*> live_peers(const Timeline& t) {
    std::vector<const TreeProcess*> out;
    for (const TreeProcess& p : t.processes())
        if (!p.program && p.alive())
            if (const TracedChild* c = t.child(p.pid); !c || !c->helper) out.push_back(&p);
    return out;
}

int hang_grace_ms(const Timeline& t, int grace_ms, int io_grace) {
    return io_grace < 0 || io_waits(t).empty() ? grace_ms : std::max(grace_ms, io_grace);
}

int io_grace_ms(const RunOptions& o) {
    const bool lesson = o.engine == trace::Engine::model || o.program.empty();
    return lesson ? -1 : std::max(o.grace_ms, o.io_grace_ms);
}

std::string seconds(int ms) {
    std::string out = std::to_string(ms / 1000);
    if (ms % 1000 >= 100) out += "." + std::to_string(ms % 1000 / 100);
    return out;
}

std::string describe_process(const TreeProcess& p) {
    return "pid " + std::to_string(p.pid) + (p.command.empty() ? "" : " (" + p.command + ")");
}

std::string_view process_state(char state) {
    switch (state) {
    case 'R':
        return "running";
    case 'S':
    case 'I':
        return "sleeping";
    case 'D':
        return "waiting-on-disk";
    case 'T':
    case 't':
        return "stopped";
    case 'Z':
        return "zombie";
    case 'X':
    case 'x':
        return "dead";
    default:
        return "unknown";
    }
}

void explain_io(const Verdict& v, const Timeline& t, const Strings& s, Lang lang,
                std::vector<std::string>& lines) {
    std::string peers;
    for (const TreeProcess* p : live_peers(t))
        peers += (peers.empty() ? "" : ", ") + describe_process(*p);
    for (int tid : awaited(v, t)) {
        const Lane* l = t.lane(tid);
        if (!l || !l->current() || !on_io(*l->current())) continue;
        const std::string wait = describe_wait(*l->current(), t, s, lang);
        if (v.outcome == Outcome::hung && v.io_quiet_ms >= 0)
            lines.push_back(
                s.format("why.io.quiet", lang,
                         {{"thread", l->name}, {"wait", wait}, {"s", seconds(v.io_quiet_ms)}}));
        else if (!peers.empty())
            lines.push_back(s.format("why.io.peer", lang,
                                     {{"thread", l->name}, {"wait", wait}, {"peers", peers}}));
    }
}

} // namespace lab
