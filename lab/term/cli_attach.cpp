// cli_attach.cpp — `daemonlab attach PID`: what `explain` says, for a CPython process that
// is already running (stuck), without restarting it (lab/run/attach.hpp: the mechanism).
#include "lab/term/cli_common.hpp"

#include "lab/model/sanitize.hpp"
#include "lab/run/attach.hpp"
#include "lab/term/terminal.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace lab {
namespace {

using nlohmann::json;

void print_threads(const AttachResult& r, const Ui& ui) {
    const Timeline& t = r.state.timeline;
    for (Lang lang : ui.langs) {
        std::cout << "\n" << ui.strings.get("attach.threads", lang) << "\n";
        for (const Lane& l : t.lanes()) {
            std::cout << "  " << terminal_safe(l.name) << "  ["
                      << terminal_safe(describe_daemon(l, ui.strings, lang)) << "]  "
                      << terminal_safe(
                             l.current() ? describe_wait(*l.current(), t, ui.strings, lang) : "?")
                      << "\n";
            if (auto it = r.state.stacks.find(l.ident); it != r.state.stacks.end())
                for (const Frame& f : it->second)
                    std::cout << "      " << terminal_safe(f.file) << ":" << f.line << " in "
                              << terminal_safe(f.function) << "\n";
        }
    }
}

json attach_json(const AttachResult& r, const Strings& strings) {
    json out = run_json(r.state, strings); // explain's object, the same fields
    out["command"] = "daemonlab attach " + std::to_string(r.target.pid);
    out["pid"] = r.target.pid;
    out["cmdline"] = r.target.cmdline;
    out["stage"] = std::string(to_string(r.stage));
    out["stage_text"] = attach_stage_text(r, strings, Lang::en);
    out["creators_known"] = false;
    out["attach_ms"] = r.took_ms;
    out["gdb_ms"] = r.gdb_ms;
    for (const std::string& line : attach_notes(r, strings, Lang::en))
        out["explanation"].push_back(line);
    return out;
}

} // namespace

Command add_attach_command(CLI::App& app, std::string& lang) {
    struct State {
        int pid = -1;
        bool as_json = false;
        int timeout_ms = 2000;
    };
    auto s = std::make_shared<State>();
    auto* cmd = app.add_subcommand(
        "attach", "explain a CPython process that is already running (stuck), without "
                  "restarting it: its threads, the exit stage, which thread the exit waits for");
    cmd->add_option("pid", s->pid, "the process id of a CPython 3.9–3.13 program")->required();
    cmd->add_flag("--json", s->as_json, "print one JSON object (explain's, plus pid and stage)");
    cmd->add_option("--timeout", s->timeout_ms,
                    "milliseconds the main thread has to run the queued reporter (default 2000); "
                    "gdb's own part has up to 15 s")
        ->check(CLI::Range(500, 60000));
    add_lang(*cmd, lang);
    cmd->footer(
        "How: gdb (Debian package gdb) attaches for a moment and queues a small reporter with "
        "Py_AddPendingCall; the main thread runs it where a signal handler could run, and it "
        "writes a snapshot to a private file. The process goes on unchanged. Permissions: the "
        "same user with kernel.yama.ptrace_scope = 0, or root / CAP_SYS_PTRACE.\n"
        "Exit status: 0 the snapshot was taken, 2 refused (no such process, not CPython "
        "3.9–3.13, not allowed to trace it, gdb missing, it exited during the attach), 5 "
        "time-out (the main thread could not run the reporter within 2 s: C code holds the "
        "GIL, or main is in a long sleep: see --timeout; gdb detached, nothing was changed).");
    return {cmd, [s](const Ui& ui) {
                AttachResult r = attach(s->pid, s->timeout_ms);
                if (r.status != AttachStatus::ok) {
                    std::cerr << "daemonlab attach: " << terminal_safe(r.error) << "\n";
                    return r.status == AttachStatus::timed_out ? 5 : 2;
                }
                if (s->as_json) {
                    std::cout << attach_json(r, ui.strings)
                                     .dump(2, ' ', false, json::error_handler_t::replace)
                              << "\n";
                    return 0;
                }
                char took[32];
                std::snprintf(took, sizeof took, "%.0f", r.took_ms);
                std::cout << "daemonlab attach " << r.target.pid << "  # CPython "
                          << terminal_safe(r.state.timeline.process().python) << " · "
                          << terminal_safe(r.target.cmdline) << " · " << took << " ms\n";
                for (Lang l : ui.langs)
                    std::cout << ui.strings.get("attach.stage", l) << ": "
                              << terminal_safe(attach_stage_text(r, ui.strings, l)) << "\n";
                print_threads(r, ui);
                print_verdict(r.state, ui);
                for (Lang l : ui.langs)
                    for (const std::string& line : attach_notes(r, ui.strings, l))
                        std::cout << "  - " << terminal_safe(line) << "\n";
                return 0;
            }};
}

} // namespace lab
