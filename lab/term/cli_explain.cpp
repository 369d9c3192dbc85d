// cli_explain.cpp — `daemonlab explain PROGRAM.py`: a program of the user's, traced on the
// real interpreter, and why it does or does not exit.
#include "lab/term/cli_common.hpp"

#include "lab/model/run_limits.hpp"
#include "lab/model/sanitize.hpp"
#include "lab/run/interpreters.hpp"
#include "lab/run/runner.hpp"
#include "lab/term/run_flags.hpp"
#include "lab/term/terminal.hpp"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace lab {

namespace {

// `--python all`: the same program on each supported CPython found (one per minor version,
// lab/run/interpreters.hpp), all at once; one verdict line each, or a JSON array. The status
// is 0 when it exited on every one, else the status of the first (oldest) that did not.
int explain_on_every_interpreter(const RunOptions& base, bool as_json, const Ui& ui) {
    const std::vector<Interpreter> found = one_per_version();
    if (found.empty()) {
        std::cerr << "daemonlab explain: --python all found no CPython 3." << kOldestMinor
                  << " to 3." << kNewestMinor
                  << " (python3.X on PATH, $(pyenv root)/versions, $VIRTUAL_ENV). Install one "
                     "(apt-get install python3) or name it with --python PATH.\n";
        return 1;
    }
    std::vector<std::unique_ptr<Run>> runs;
    for (const Interpreter& i : found) {
        RunOptions o = base;
        o.python = i.path;
        runs.push_back(std::make_unique<Run>(o, ServerInfo{})); // a user's program: no server
    }
    nlohmann::json all = nlohmann::json::array();
    int status = 0;
    if (!as_json) std::cout << command_line(base) << "\n";
    for (std::size_t k = 0; k < runs.size(); ++k) {
        runs[k]->wait();
        const RunState st = runs[k]->snapshot();
        const Interpreter& i = found[k];
        const int s = status_for(st.verdict.outcome);
        if (status == 0) status = s;
        if (as_json) {
            nlohmann::json j = run_json(st, ui.strings);
            j["interpreter"] = {{"path", i.path}, {"version", i.version}, {"where", i.where}};
            all.push_back(std::move(j));
            continue;
        }
        const std::string version = versions(st).python.empty() ? i.version : versions(st).python;
        for (Lang l : ui.langs)
            std::cout << "  " << pad_to(terminal_safe(version), 8) << "  "
                      << pad_to(terminal_safe(i.where), 5) << "  "
                      << terminal_safe(headline(st.verdict, st.timeline, ui.strings, l)) << "  ("
                      << terminal_safe(i.path) << ")\n";
    }
    if (as_json)
        std::cout << all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return status;
}

} // namespace

Command add_explain_command(CLI::App& app, std::string& lang) {
    struct State {
        RunFlags flags;
        // websockets as installed, and more time than a lesson: a real program may be slow
        RunOptions base{.engine = trace::Engine::cpython,
                        .receiver = default_receiver(trace::Engine::cpython),
                        .timeout_ms = kExplainTimeoutMs};
        bool as_json = false;
    };
    auto s = std::make_shared<State>();
    auto* explain = app.add_subcommand(
        "explain", "run your own Python program traced and tell why it does or does not exit");
    explain->add_option("program", s->base.program, "your program (FILE.py)")->required();
    explain->add_option("args", s->base.args,
                        "its arguments (after --, any that look like options)");
    explain->add_flag("--json", s->as_json, "print one JSON object");
    namespace rf = run_flag;
    s->flags.add_to(*explain, rf::python | rf::receiver | rf::grace | rf::io_grace | rf::timeout);
    explain->footer(kExitStatus);
    add_lang(*explain, lang);
    return {explain, [s](const Ui& ui) {
                RunOptions ex;
                if (std::string err = s->flags.options(s->base, ex); !err.empty()) {
                    std::cerr << "daemonlab explain: " << err << "\n";
                    return 2;
                }
                ex.timeout_ms = run_timeout_ms(ex.grace_ms, ex.timeout_ms);
                if (std::string err = validate(ex); !err.empty()) {
                    std::cerr << "daemonlab explain: " << err << "\n";
                    return 2;
                }
                if (ex.python == kEveryInterpreter)
                    return explain_on_every_interpreter(ex, s->as_json, ui);
                return cmd_run(ex, s->as_json, {}, ui);
            }};
}

} // namespace lab
