// cli_report.cpp — a run as the terminal reports it: the text timeline, the verdict and its
// reasons, and the JSON object of --json.
#include "lab/term/cli_common.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/chain.hpp"
#include "lab/model/io_wait.hpp"
#include "lab/model/sanitize.hpp"
#include "lab/term/run_flags.hpp"
#include "lab/term/terminal.hpp"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace lab {
namespace {

using nlohmann::json;

// The GUI's legend, in glyphs (lab::look decides the category for both).
const char* glyph(const Segment& s) {
    switch (look(s)) {
    case Look::running:
        return "█";
    case Look::socket:
        return "▓";
    case Look::message:
        return "▒";
    case Look::join:
        return "░";
    case Look::paused:
        return "║";
    case Look::other:
        return "▁";
    case Look::done:
        break;
    }
    return "·";
}

// One lane as glyphs: in each column, the state that covers most of it.
std::string lane_row(const Lane& l, std::int64_t t0, std::int64_t t1, double per_col, int cols) {
    std::string row;
    for (int c = 0; c < cols; ++c) {
        const std::int64_t a = t0 + std::int64_t(c * per_col), b = std::int64_t(a + per_col);
        const Segment* best = nullptr;
        std::int64_t best_len = 0;
        for (const Segment& s : l.segments) {
            std::int64_t end = s.t1 < 0 ? t1 : s.t1;
            std::int64_t len = std::min(end, b) - std::max(s.t0, a);
            if (s.state == ThreadState::done && s.t0 >= a && s.t0 < b) len = 1;
            if (len > best_len || (!best && len >= 0 && s.t0 < b && end >= a)) {
                best = &s;
                best_len = len;
            }
        }
        row += best ? glyph(*best) : " ";
    }
    return row;
}

// The run has processes besides the program: traced children, or others in its tree.
bool several_processes(const Timeline& t) {
    if (!t.children().empty()) return true;
    for (const TreeProcess& p : t.processes())
        if (!p.program) return true;
    return false;
}

std::string tree_command(const Timeline& t, int pid, std::string fallback) {
    for (const TreeProcess& p : t.processes())
        if (p.pid == pid && !p.command.empty()) return p.command;
    return fallback;
}

// The lanes grouped by process, each under a line with its pid and command; then the
// processes of the tree that are not traced, with their state.
template <class PrintLane>
void print_by_process(const Timeline& t, const Ui& ui, Lang lang, PrintLane print_lane) {
    auto header = [&](const std::string& key, int pid, const std::string& command,
                      std::string_view state = {}) {
        std::cout << "  "
                  << terminal_safe(ui.strings.format(key, lang,
                                                     {{"pid", std::to_string(pid)},
                                                      {"command", command},
                                                      {"state", std::string(state)}}))
                  << "\n";
    };
    header("cli.process.program", t.process().pid,
           tree_command(t, t.process().pid, t.process().program));
    for (const Lane& l : t.lanes())
        if (!l.child) print_lane(l);
    for (const TracedChild& c : t.children()) {
        header(c.helper    ? "cli.process.helper"
               : c.alive() ? "cli.process.child"
                           : "cli.process.child.ended",
               c.pid, tree_command(t, c.pid, c.program), c.exit_code);
        for (const Lane& l : t.lanes())
            if (l.child && l.pid == c.pid) print_lane(l);
    }
    for (const TreeProcess& p : t.processes())
        if (!p.program && !t.child(p.pid))
            header("cli.process.untraced", p.pid, p.command, process_state(p.state));
}

} // namespace

RuntimeVersions versions(const RunState& st) {
    const ProcessInfo& p = st.timeline.process();
    return {p.python.empty() ? st.python.version : p.python,
            p.library_version.empty() ? st.python.websockets : p.library_version};
}

void print_timeline(const RunState& st, const Ui& ui) {
    const Timeline& t = st.timeline;
    if (t.lanes().empty()) return;
    const std::int64_t t0 = st.spawned_ns, t1 = std::max(t.last_ns(), st.verdict.exit_seen_ns);
    constexpr int kCols = 60;
    const double per_col = std::max(1.0, double(t1 - t0) / kCols); // ns per column
    char msbuf[32];
    std::snprintf(msbuf, sizeof msbuf, "%.1f", per_col / 1e6);
    std::cout << "\n";
    ui.say("cli.timeline", {{"ms", msbuf}});
    for (Lang lang : ui.langs) {
        std::size_t name_w = 0, flag_w = 0;
        // Names come from the demo: never a control character to the terminal.
        auto name_of = [](const Lane& l) { return terminal_safe(l.name); };
        auto flag_of = [&](const Lane& l) {
            return terminal_safe(describe_daemon(l, ui.strings, lang));
        };
        for (const Lane& l : t.lanes()) {
            name_w = std::max(name_w, display_width(name_of(l)));
            flag_w = std::max(flag_w, display_width(flag_of(l)));
        }
        auto print_lane = [&](const Lane& l) {
            std::cout << "  " << pad_to(name_of(l), name_w) << "  " << pad_to(flag_of(l), flag_w)
                      << "  " << lane_row(l, t0, t1, per_col, kCols) << "\n";
        };
        if (!several_processes(t))
            for (const Lane& l : t.lanes()) print_lane(l);
        else
            print_by_process(t, ui, lang, print_lane);
        if (t.main_end_ns() >= 0) {
            // The exit's stages where each begins: ^ main ends, H threading's exit hooks,
            // J the join of non-daemon threads, A the atexit handlers, X the exit.
            std::string marks(kCols, ' ');
            auto put = [&](std::int64_t at, char c) {
                marks[std::size_t(std::clamp(int(double(at - t0) / per_col), 0, kCols - 1))] = c;
            };
            // Each stage's first span (chain.hpp); the hooks' where the first hook runs.
            std::int64_t hooks = -1, join = -1, handlers = -1, exit = -1;
            for (const StageSpan& sp : stage_spans(t)) {
                std::int64_t* at = sp.stage == Stage::hooks  ? (sp.hook.empty() ? nullptr : &hooks)
                                   : sp.stage == Stage::join ? &join
                                   : sp.stage == Stage::atexit   ? &handlers
                                   : sp.stage == Stage::finalize ? &exit
                                                                 : nullptr;
                if (at && *at < 0) *at = sp.t0;
            }
            for (auto [at, c] : {std::pair{exit, 'X'}, std::pair{handlers, 'A'},
                                 std::pair{join, 'J'}, std::pair{hooks, 'H'}})
                if (at >= 0) put(at, c);
            put(t.main_end_ns(), '^');
            marks.erase(marks.find_last_not_of(' ') + 1);
            std::cout << std::string(2 + name_w + 2 + flag_w + 2, ' ') << marks << "\n";
        }
    }
    ui.say("cli.legend", {}, "  ");
}

void print_verdict(const RunState& st, const Ui& ui) {
    std::cout << "\n";
    for (Lang l : ui.langs)
        std::cout << ui.strings.get("cli.verdict", l) << ": "
                  << terminal_safe(headline(st.verdict, st.timeline, ui.strings, l)) << "\n";
    for (Lang l : ui.langs)
        for (const std::string& line :
             explanation(st.verdict, st.timeline, ui.strings, l, &st.stacks))
            std::cout << "  - " << terminal_safe(line) << "\n";
    if (st.malformed) std::cout << "  (" << st.malformed << " malformed trace line(s) ignored)\n";
    if (const Timeline::Thinned& th = st.timeline.thinned(); th.any())
        ui.say("cli.thinned",
               {{"merged", std::to_string(th.merged)},
                {"lanes", std::to_string(th.lanes)},
                {"markers", std::to_string(th.markers)}},
               "  ");
    if (st.verdict.outcome == Outcome::crashed || st.verdict.outcome == Outcome::failed ||
        (st.verdict.outcome == Outcome::exited && st.verdict.exit_code != 0))
        if (!st.output.empty())
            std::cout << "\n--- demo output ---\n" << terminal_safe(st.output, true);
}

namespace {
// How the timeline was thinned to stay within its memory cap (timeline.hpp), or null.
json thinned_json(const Timeline& t) {
    const Timeline::Thinned& th = t.thinned();
    if (!th.any()) return nullptr;
    return {{"segments_merged", th.merged},
            {"lanes_dropped", th.lanes},
            {"markers_dropped", th.markers}};
}
// The run's process tree as last seen while it ran.
json processes_json(const Timeline& t) {
    json processes = json::array();
    for (const TreeProcess& p : t.processes())
        processes.push_back({{"pid", p.pid},
                             {"ppid", p.ppid},
                             {"command", p.command},
                             {"state", process_state(p.state)},
                             {"program", p.program},
                             {"traced", p.program || (t.child(p.pid) && !t.child(p.pid)->helper)},
                             // multiprocessing's own (the resource tracker, the fork server)
                             {"helper", t.child(p.pid) && t.child(p.pid)->helper}});
    return processes;
}

// Main's wait chain (lab/model/chain.hpp), link by link.
json chain_json(const Verdict& v, const Timeline& t) {
    json chain = json::array();
    const Lane* main = nullptr;
    for (const Lane& l : t.lanes())
        if (l.is_main()) main = &l;
    if (main)
        for (int tid : wait_chain(t, main->tid)) {
            const Lane* l = t.lane(tid);
            const Segment* cur = l->current();
            const bool blocked = cur && cur->state == ThreadState::blocked;
            chain.push_back(
                {{"thread", l->name},
                 {"pid", l->pid >= 0 ? l->pid : t.process().pid},
                 {"state", cur ? std::string(trace::name(cur->state)) : "unknown"},
                 {"on", blocked ? json(cur->on_text) : json(nullptr)},
                 {"call", blocked && !cur->call.empty() ? json(cur->call) : json(nullptr)},
                 {"at", blocked && !cur->at.empty() ? json(cur->at) : json(nullptr)},
                 {"timeout", blocked && cur->timeout},
                 {"ends_in_s",
                  blocked && cur->deadline >= 0
                      ? json(double(cur->deadline - std::max(t.last_ns(), v.exit_seen_ns)) / 1e9)
                      : json(nullptr)}});
        }
    return chain;
}
} // namespace

json run_json(const RunState& st, const Strings& strings) {
    const Verdict& v = st.verdict;
    const Timeline& t = st.timeline;
    json threads = json::array();
    for (const Lane& l : t.lanes()) {
        const Segment* cur = l.current();
        // The state the thread was in when the process ended (close_at keeps the last one).
        json blocked_on = nullptr;
        std::string state = cur ? std::string(trace::name(cur->state)) : "unknown";
        if (cur && cur->state == ThreadState::blocked) blocked_on = cur->on_text;
        json thread = {{"name", l.name},
                       {"pid", l.pid >= 0 ? l.pid : t.process().pid},
                       {"daemon", l.daemon},
                       {"daemon_source", trace::name(l.source)},
                       {"creator", l.creator.empty() ? json(nullptr) : json(l.creator)},
                       {"state_at_end", state},
                       {"blocked_on", blocked_on}};
        if (st.options.engine == trace::Engine::cpython) {
            thread["created_at"] =
                l.origin.empty() ? (l.site.empty() ? json(nullptr) : json(l.site)) : json(l.origin);
            thread["created_in"] = l.site.empty() ? json(nullptr) : json(l.site);
            thread["target"] = l.target.empty() ? json(nullptr) : json(l.target);
            json stack = json::array();
            // Stacks are the program's (a forked child's thread may share an ident with it).
            if (auto it = st.stacks.find(l.ident);
                !l.child && !l.ident.empty() && it != st.stacks.end())
                for (const Frame& f : it->second)
                    stack.push_back({{"file", f.file}, {"line", f.line}, {"function", f.function}});
            thread["stack"] = stack;
        }
        threads.push_back(thread);
    }
    json waiting = json::array();
    for (int tid : awaited(v, t))
        if (const Lane* l = t.lane(tid)) waiting.push_back(l->name);
    const RunOptions& o = st.options;
    json options = {{"receiver", trace::name(o.receiver)},
                    {"close", effective_close(o)},
                    {"grace_ms", o.grace_ms}};
    if (!o.program.empty()) options["io_grace_ms"] = o.io_grace_ms;
    if (const Scenario* s = find_scenario(o.scenario); s && s->sandbox) {
        options["connect_in"] = trace::name(o.connect_in);
        options["worker"] = trace::name(o.worker);
        options["with_block"] = o.with_block;
    }
    json tracer_errors = json::array(); // the writer's own failures (at most kMaxTracerErrors)
    for (const TracerError& e : t.tracer_errors())
        tracer_errors.push_back({{"where", e.where}, {"exception", e.exception}, {"text", e.text}});
    const json processes = processes_json(t);
    json why = json::array();
    const json chain = chain_json(v, t);
    json cut = json::array();
    for (const Lane* l : cut_off(t))
        cut.push_back(
            {{"thread", l->name},
             {"at", l->cut_off_at.empty() ? json(nullptr) : json(l->cut_off_at)},
             {"state", std::string(trace::name(l->current()->state))},
             {"on", l->current()->state == ThreadState::blocked ? json(l->current()->on_text)
                                                                : json(nullptr)}});
    for (const std::string& line : explanation(v, t, strings, Lang::en, &st.stacks))
        why.push_back(line);
    json out = {{"scenario", o.scenario},
                {"engine", o.engine == trace::Engine::cpython ? "python" : "model"},
                {"options", options},
                {"verdict", to_string(v.outcome)},
                {"exit_code", v.outcome == Outcome::exited ? json(v.exit_code) : json(nullptr)},
                {"signal", v.signal ? json(v.signal) : json(nullptr)},
                {"main_end_to_exit_ms",
                 v.main_end_to_exit_ms >= 0 ? json(v.main_end_to_exit_ms) : json(nullptr)},
                {"threads", threads},
                {"waiting_on", waiting},
                {"stage", to_string(stage_at(t).stage)},
                {"chain", chain},
                {"cut_off", cut},
                {"no_data_for_ms", v.io_quiet_ms >= 0 ? json(v.io_quiet_ms) : json(nullptr)},
                {"trace_lost", t.trace_lost_ns() >= 0},
                {"processes", processes},
                {"explanation", why},
                {"malformed_trace_lines", st.malformed},
                {"tracer_errors", tracer_errors},
                {"thinned", thinned_json(t)},
                {"error", v.error.empty() ? json(nullptr) : json(v.error)}};
    out["command"] = command_line(o); // runs it again as it ran (the terminal prints it too)
    if (o.engine == trace::Engine::cpython) {
        const RuntimeVersions rv = versions(st);
        out["python"] = rv.python.empty() ? json(nullptr) : json(rv.python);
        out["websockets"] = rv.websockets.empty() ? json(nullptr) : json(rv.websockets);
        if (!o.program.empty()) {
            out["program"] = o.program;
            out["args"] = o.args;
        }
    }
    return out;
}

} // namespace lab
