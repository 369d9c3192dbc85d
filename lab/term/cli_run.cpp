// cli_run.cpp — `daemonlab run SCENARIO`: one scenario live, its timeline and verdict, or
// its lesson step by step (--step); and cmd_run, which `explain` shares.
#include "lab/term/cli_common.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/lines.hpp"
#include "lab/model/sanitize.hpp"
#include "lab/model/steps.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/runner.hpp"
#include "lab/term/export.hpp"
#include "lab/term/run_flags.hpp"
#include "lab/term/safe_write.hpp"
#include "lab/term/step_input.hpp"
#include "lab/term/terminal.hpp"

#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <unistd.h>

namespace lab {
namespace {

using nlohmann::json;

// Prints the lines of `text` that contain any of `needles`, numbered.
void print_lines(std::string_view label, std::string_view text,
                 const std::vector<std::string>& needles) {
    std::vector<int> nums;
    for (const std::string& n : needles)
        for (int line : find_lines(text, n)) nums.push_back(line);
    std::sort(nums.begin(), nums.end());
    nums.erase(std::unique(nums.begin(), nums.end()), nums.end());
    if (nums.empty()) return;
    std::cout << "  " << label << "\n";
    for_each_line(text, [&](std::string_view line, int n) {
        if (std::binary_search(nums.begin(), nums.end(), n))
            std::printf("  %4d │ %.*s\n", n, int(line.size()), line.data());
    });
}

// Step mode: the demo stops at each pause point; we print that step of the lesson and let
// it go on when a line arrives on stdin (Enter). End of input runs to the end.
void step_through(Run& run, std::mutex& mu, std::condition_variable& cv, std::uint64_t& version,
                  const RunOptions& opt, const Ui& ui) {
    Content content = load_content(content_dir());
    for (const std::string& e : content.errors) std::cerr << "daemonlab: " << e << "\n";
    const Lesson* lesson = content.lesson(opt.scenario);
    const Scenario* scenario = find_scenario(opt.scenario);
    std::size_t pauses_seen = 0;
    std::uint64_t seen = 0;
    bool interactive = true;
    // "── Step 3/4  (close) — not reached: `if CLOSE:` is false with these switches", for each
    // step the run passed over (lab/model/steps.hpp: the one rule, from the run's own trace).
    const std::vector<OffBlock> off =
        lesson ? blocks_off(lesson->python, switch_env(opt)) : std::vector<OffBlock>{};
    std::vector<bool> said(lesson ? lesson->steps.size() : 0); // steps told about
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    // "── 第 3/4 步 / Step 3/4  (close)": the step's number in each language on show.
    auto header = [&](std::size_t i, std::span<const Lang> langs) {
        std::string h = "\n── ";
        for (std::size_t k = 0; k < langs.size(); ++k)
            h += (k ? " / " : "") +
                 ui.strings.format("ui.step.of", langs[k],
                                   {{"n", std::to_string(i + 1)},
                                    {"total", std::to_string(lesson->steps.size())}});
        return h + "  (" + terminal_safe(lesson->steps[i].pause) + ")";
    };
    auto say_skipped = [&](const RunState& st) {
        if (!lesson) return;
        for (const Skipped& k :
             skipped_steps(*lesson, match_steps(*lesson, st.timeline), st.finished(), off)) {
            if (said[k.index]) continue;
            said[k.index] = true;
            for (const Lang& l : ui.langs)
                std::cout << header(k.index, {&l, 1}) << " "
                          << render_inline(k.why == SkipWhy::switched_off
                                               ? ui.strings.format("ui.step.skipped.off", l,
                                                                   {{"cond", k.condition}})
                                               : ui.strings.get("ui.step.skipped.ended", l),
                                           tty)
                          << "\n";
        }
    };
    for (;;) {
        {
            std::unique_lock lock(mu);
            cv.wait(lock, [&] { return version != seen; });
            seen = version;
        }
        RunState st = run.snapshot();
        if (st.finished()) {
            say_skipped(st);
            return;
        }
        const std::size_t pauses = step_markers(st.timeline);
        if (st.paused_at.empty() || pauses == pauses_seen) continue;
        pauses_seen = pauses;
        // The lesson step this pause point is: the run's latest step marker, if the lesson
        // talks about it (matched by the one rule, also when another thread got there late).
        const Step* step = nullptr;
        std::size_t number = 0;
        if (lesson) {
            const std::vector<StepHit> hits = match_steps(*lesson, st.timeline);
            if (!hits.empty() && hits.back().marker == pauses &&
                hits.back().pause == st.paused_at) {
                step = &lesson->steps[hits.back().index];
                number = hits.back().index + 1;
            }
        }
        if (!step) { // a pause point the lesson does not talk about: just go on
            run.go();
            continue;
        }
        say_skipped(st); // the steps this run jumped over, and why
        said[number - 1] = true;
        std::cout << header(number - 1, ui.langs) << "\n";
        // The lesson's Markdown: bold and code styled on a terminal, plain words in a file.
        for (Lang l : ui.langs) std::cout << render_inline(step->text.in(l), tty) << "\n";
        print_lines("Python", lesson->python, step->py);
        if (scenario) print_lines("C++", scenario->cpp_source, step->cpp);
        if (interactive) {
            std::cout << "  [Enter] →" << std::flush;
            // Enter, or the end of the run (the demo may die while we wait): whichever first.
            const StepInput in =
                wait_for_enter(STDIN_FILENO, [&] { return run.snapshot().finished(); });
            if (in == StepInput::run_ended) {
                say_skipped(run.snapshot());
                return;
            }
            if (in == StepInput::end_of_input) {
                interactive = false;
                run.run_to_end();
                continue;
            }
        }
        run.go();
    }
}

} // namespace

int cmd_run(const RunOptions& opt, bool as_json, const std::string& trace_out, const Ui& ui) {
    // A lesson talks to the echo server; a user's program (explain) does not: no server, no
    // certificate to make, for it.
    std::optional<EchoServer> server;
    if (opt.program.empty()) server.emplace(EchoServerOptions{.tls = true});
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t version = 0;
    Run run(opt, server ? ServerInfo{server->uri(), server->ca_pem()} : ServerInfo{}, [&] {
        {
            std::lock_guard lock(mu);
            ++version;
        }
        cv.notify_all();
    });
    if (opt.step) step_through(run, mu, cv, version, opt, ui);
    run.wait();
    RunState st = run.snapshot();
    bool trace_failed = false;
    if (!trace_out.empty())
        if (std::string err = write_chrome_trace(st, trace_out); !err.empty()) {
            std::cerr << "daemonlab: " << err << "\n";
            trace_failed = true;
        }
    if (as_json) {
        std::cout << run_json(st, ui.strings).dump(2, ' ', false, json::error_handler_t::replace)
                  << "\n";
    } else {
        // The line runs again as printed, pasted into a shell: every setting (run_flags), and
        // what it ran on as a comment.
        std::cout << command_line(opt);
        if (opt.engine == trace::Engine::cpython) {
            const RuntimeVersions rv = versions(st);
            std::cout << "  # CPython " << terminal_safe(rv.python.empty() ? "?" : rv.python);
            if (!rv.websockets.empty())
                std::cout << " · websockets " << terminal_safe(rv.websockets);
        }
        std::cout << "\n";
        print_timeline(st, ui);
        print_verdict(st, ui);
    }
    if (trace_failed) return 1; // the verdict was printed; the file the user asked for is not
    return status_for(st.verdict.outcome);
}

Command add_run_command(CLI::App& app, std::string& lang) {
    struct State {
        RunFlags flags;
        RunOptions opt; // --step and --inject-fault, which only `run` has
        bool as_json = false;
        std::string trace_out;
    };
    auto s = std::make_shared<State>();
    auto* run = app.add_subcommand("run", "run one scenario live and tell whether it exits");
    namespace rf = run_flag;
    s->flags.add_to(*run, rf::scenario | rf::engine | rf::receiver | rf::close | rf::no_close |
                              rf::sandbox | rf::grace);
    run->add_flag("--json", s->as_json, "print one JSON object");
    add_lang(*run, lang);
    run->add_flag("--step", s->opt.step, "pause at each step of the lesson; Enter goes on");
    run->add_option("--inject-fault", s->opt.fault, "make the demo go wrong, to see how it is told")
        ->transform(choices<trace::Fault>());
    run->add_option("--trace-out", s->trace_out,
                    "write the timeline as Chrome trace JSON (checked before the run; written "
                    "through a temporary file, so a failure leaves an older file intact)");
    run->footer(kExitStatus);
    return {run, [s](const Ui& ui) {
                RunOptions opt;
                if (std::string err = s->flags.options(s->opt, opt); !err.empty()) {
                    std::cerr << "daemonlab run: " << err << "\n";
                    return 2;
                }
                if (opt.step && s->as_json) {
                    std::cerr << "daemonlab run: --step and --json cannot be used together: step "
                                 "mode prints the lesson and waits for Enter, which would not be "
                                 "JSON. Use --step to step through, or --json for one JSON "
                                 "object.\n";
                    return 2;
                }
                // The file is checked before the run, not found unwritable after it.
                if (!s->trace_out.empty())
                    if (std::string err = check_writable(s->trace_out); !err.empty()) {
                        std::cerr << "daemonlab run: --trace-out " << err << "\n";
                        return 2;
                    }
                if (std::string err = validate(opt); !err.empty()) {
                    std::cerr << "daemonlab run: " << err << "\n";
                    return 2;
                }
                return cmd_run(opt, s->as_json, s->trace_out, ui);
            }};
}

} // namespace lab
