// cli_explain.cpp — `daemonlab explain PROGRAM.py`: a program of the user's, traced on the
// real interpreter, and why it does or does not exit.
#include "lab/term/cli_common.hpp"

#include "lab/model/run_limits.hpp"
#include "lab/term/run_flags.hpp"

#include <iostream>
#include <memory>

namespace lab {

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
                return cmd_run(ex, s->as_json, {}, ui);
            }};
}

} // namespace lab
