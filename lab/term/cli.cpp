#include "lab/term/cli.hpp"

#include "lab/model/steps.hpp"
#include "lab/run/matrix.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/lines.hpp"
#include "lab/model/run_limits.hpp"
#include "lab/model/sanitize.hpp"
#include "lab/model/steps.hpp"
#include "lab/model/strings.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/runner.hpp"
#include "lab/term/export.hpp"
#include "lab/term/room_cli.hpp"
#include "lab/term/safe_write.hpp"
#include "lab/term/step_input.hpp"
#include "lab/term/terminal.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>
#include <unistd.h>
#include <vector>

namespace lab {
namespace {

using nlohmann::json;

struct Ui {
    Strings strings;
    std::vector<Lang> langs = {Lang::en};

    // One line per language ("both" prints Chinese, then English).
    void say(std::string_view key, const std::vector<Arg>& args = {},
             std::string_view indent = "") const {
        for (Lang l : langs) std::cout << indent << strings.format(key, l, args) << "\n";
    }
};

bool load_strings(Ui& ui) {
    // The terminal's words, and the labels it shares with the app (skipped steps).
    bool ok = true;
    for (const char* file : {"/strings.toml", "/ui_panes.toml"})
        if (!ui.strings.load(content_dir() + file)) {
            std::cerr << "daemonlab: " << ui.strings.error() << "\n";
            ok = false;
        }
    return ok || !ui.strings.all().empty(); // partial content still serves
}

std::vector<Lang> parse_lang(const std::string& s) {
    if (s == "zh") return {Lang::zh};
    if (s == "both") return {Lang::zh, Lang::en};
    return {Lang::en};
}

int status_for(Outcome o) {
    switch (o) {
    case Outcome::exited:
        return 0;
    case Outcome::hung:
        return 3;
    case Outcome::crashed:
        return 4;
    case Outcome::killed:
    case Outcome::timed_out:
        return 5;
    case Outcome::error:
        return 2;
    case Outcome::running:
    case Outcome::failed:
        break;
    }
    return 1;
}

// --engine: the protocol's names, and "python" for the real interpreter as people say it.
CLI::CheckedTransformer engines() {
    std::map<std::string, trace::Engine> m;
    for (const auto& [value, name] : trace::Names<trace::Engine>::table)
        m.emplace(std::string(name), value);
    m.emplace("python", trace::Engine::cpython);
    CLI::CheckedTransformer t(m);
    t.description("model|python");
    return t;
}

struct RuntimeVersions {
    std::string python, websockets;
};
// What the run really used: the trace's account first, then the check before it.
RuntimeVersions versions(const RunState& st) {
    const ProcessInfo& p = st.timeline.process();
    return {p.python.empty() ? st.python.version : p.python,
            p.library_version.empty() ? st.python.websockets : p.library_version};
}

// What every status means, for run's and explain's --help (README says the same).
constexpr const char* kExitStatus =
    "Exit status: 0 the program exited (whatever its own exit code), 1 failure (it could not "
    "start, or --trace-out could not be written), 2 bad input (scenario, file, flag or value; "
    "a program with a syntax error), 3 it hung, 4 it crashed (killed by a signal of its own), "
    "5 it was stopped (by the user, the host, or the time limit: still running, not a hang).";

// CLI11's choices for an option of enum type E, from the protocol's one table of names.
template <class E>
CLI::CheckedTransformer choices(std::initializer_list<E> allowed = {}) {
    std::map<std::string, E> m;
    std::string shown;
    for (const auto& [value, name] : trace::Names<E>::table)
        if (!name.empty() && (allowed.size() == 0 ||
                              std::find(allowed.begin(), allowed.end(), value) != allowed.end())) {
            m.emplace(std::string(name), value);
            shown += (shown.empty() ? "" : "|") + std::string(name);
        }
    CLI::CheckedTransformer t(m);
    t.description(shown); // "inherit|daemon|non-daemon", not the enum's numbers
    return t;
}

// ---- text timeline ----------------------------------------------------------------------

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
        for (const Lane& l : t.lanes()) {
            std::string row;
            for (int c = 0; c < kCols; ++c) {
                const std::int64_t a = t0 + std::int64_t(c * per_col),
                                   b = std::int64_t(a + per_col);
                // The state that covers most of this column.
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
            std::cout << "  " << pad_to(name_of(l), name_w) << "  " << pad_to(flag_of(l), flag_w)
                      << "  " << row << "\n";
        }
        if (t.main_end_ns() >= 0) {
            int col = int(double(t.main_end_ns() - t0) / per_col);
            std::cout << std::string(2 + name_w + 2 + flag_w + 2 +
                                         std::size_t(std::clamp(col, 0, kCols - 1)),
                                     ' ')
                      << "^\n";
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
    if (st.verdict.outcome == Outcome::crashed || st.verdict.outcome == Outcome::failed ||
        (st.verdict.outcome == Outcome::exited && st.verdict.exit_code != 0))
        if (!st.output.empty())
            std::cout << "\n--- demo output ---\n" << terminal_safe(st.output, true);
}

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
            if (auto it = st.stacks.find(l.ident); !l.ident.empty() && it != st.stacks.end())
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
    if (const Scenario* s = find_scenario(o.scenario); s && s->sandbox) {
        options["connect_in"] = trace::name(o.connect_in);
        options["worker"] = trace::name(o.worker);
        options["with_block"] = o.with_block;
    }
    json tracer_errors = json::array(); // the writer's own failures (at most kMaxTracerErrors)
    for (const TracerError& e : t.tracer_errors())
        tracer_errors.push_back({{"where", e.where}, {"exception", e.exception}, {"text", e.text}});
    json why = json::array();
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
                {"explanation", why},
                {"malformed_trace_lines", st.malformed},
                {"tracer_errors", tracer_errors},
                {"error", v.error.empty() ? json(nullptr) : json(v.error)}};
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

// ---- commands ---------------------------------------------------------------------------

int cmd_list(const Ui& ui) {
    for (const Scenario& s : catalog()) {
        const std::string key = "scenario." + std::string(s.id);
        std::cout << pad_to(std::string(s.id), 16);
        bool first = true;
        for (Lang l : {Lang::zh, Lang::en}) {
            if (!first) std::cout << pad_to("", 16);
            std::cout << ui.strings.get(key + ".title", l) << (l == Lang::zh ? "：" : ": ")
                      << ui.strings.get(key + ".summary", l) << "\n";
            first = false;
        }
    }
    return 0;
}

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
    std::size_t next_step = 0, pauses_seen = 0;
    std::uint64_t seen = 0;
    bool interactive = true;
    // "── Step 3/4  (close) — not reached: `if CLOSE:` is false with these switches", for each
    // step from next_step up to `until` that the run passed over (lab/steps: the one rule).
    const std::vector<OffBlock> off =
        lesson ? blocks_off(lesson->python, switch_env(opt)) : std::vector<OffBlock>{};
    std::size_t said = 0; // steps told about, reached or not
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    auto say_skipped = [&](std::size_t until) {
        for (; lesson && said < until && said < lesson->steps.size(); ++said) {
            const OffBlock* why = step_switched_off(*lesson, said, off);
            for (Lang l : ui.langs)
                std::cout << "\n── Step " << said + 1 << "/" << lesson->steps.size() << "  ("
                          << lesson->steps[said].pause << ") "
                          << render_inline(why ? ui.strings.format("ui.step.skipped.off", l,
                                                                   {{"cond", why->condition}})
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
            say_skipped(lesson ? lesson->steps.size() : 0);
            return;
        }
        std::size_t pauses = 0;
        for (const Marker& m : st.timeline.markers()) pauses += m.kind == MarkKind::step;
        if (st.paused_at.empty() || pauses == pauses_seen) continue;
        pauses_seen = pauses;
        // The lesson's next step at this pause point.
        const Step* step = nullptr;
        std::size_t number = 0;
        if (lesson)
            if (std::optional<std::size_t> i = step_at(*lesson, st.paused_at, next_step)) {
                step = &lesson->steps[*i];
                number = *i + 1;
                next_step = *i + 1;
            }
        if (!step) { // a pause point the lesson does not talk about: just go on
            run.go();
            continue;
        }
        say_skipped(number - 1); // the steps this run jumped over, and why
        said = number;
        std::cout << "\n── Step " << number << "/" << lesson->steps.size() << "  ("
                  << terminal_safe(st.paused_at) << ")\n";
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
                say_skipped(lesson->steps.size());
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

int cmd_run(const RunOptions& opt, bool as_json, const std::string& trace_out, const Ui& ui) {
    EchoServer server({.tls = true});
    std::mutex mu;
    std::condition_variable cv;
    std::uint64_t version = 0;
    Run run(opt, {server.uri(), server.ca_pem()}, [&] {
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
        if (!opt.program.empty())
            std::cout << "daemonlab explain " << opt.program;
        else
            std::cout << "daemonlab run " << opt.scenario << "  --receiver "
                      << trace::name(opt.receiver)
                      << (effective_close(opt) ? " --close" : " --no-close");
        if (opt.engine == trace::Engine::cpython) {
            const RuntimeVersions rv = versions(st);
            std::cout << "  (CPython " << (rv.python.empty() ? "?" : rv.python);
            if (!rv.websockets.empty()) std::cout << " · websockets " << rv.websockets;
            std::cout << ")";
        }
        std::cout << "\n";
        print_timeline(st, ui);
        print_verdict(st, ui);
    }
    if (trace_failed) return 1; // the verdict was printed; the file the user asked for is not
    return status_for(st.verdict.outcome);
}

int cmd_matrix(bool as_json, int jobs, int grace_ms, const RunOptions& engine, const Ui& ui) {
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    std::vector<RunOptions> cells = matrix_cells(grace_ms);
    for (RunOptions& c : cells) {
        c.engine = engine.engine;
        c.python = engine.python;
    }
    MatrixRun matrix(std::move(cells), info, jobs);
    matrix.wait();
    std::vector<RunState> results;
    for (MatrixRun::Cell& c : matrix.cells()) results.push_back(std::move(*c.result));
    const double wall_ms = matrix.wall_ms();

    if (as_json) {
        json out = json::array();
        for (const RunState& st : results) out.push_back(run_json(st, ui.strings));
        std::cout << json{{"wall_ms", wall_ms}, {"runs", out}}.dump(2, ' ', false,
                                                                    json::error_handler_t::replace)
                  << "\n";
    } else {
        ui.say("cli.matrix.title");
        std::cout << "\n" << pad_to("", 17);
        for (trace::Receiver r : kMatrixReceivers)
            std::cout << pad_to(std::string(trace::name(r)), 22);
        std::cout << "\n" << pad_to("", 17);
        for (int i = 0; i < 3; ++i) std::cout << pad_to("no-close", 11) << pad_to("close", 11);
        std::cout << "\n";
        for (std::size_t i = 0; i < results.size(); i += 6) {
            std::cout << pad_to(results[i].options.scenario, 17);
            for (std::size_t j = i; j < i + 6; ++j)
                std::cout << pad_to(std::string(to_string(results[j].verdict.outcome)), 11);
            std::cout << "\n";
        }
        std::printf("\n%zu runs in %.0f ms\n", results.size(), wall_ms);
    }
    bool all_judged = std::all_of(results.begin(), results.end(), [](const RunState& s) {
        return s.verdict.outcome == Outcome::exited || s.verdict.outcome == Outcome::hung;
    });
    return all_judged ? 0 : 1;
}

int cmd_serve(int port, bool tls, int max_connections, const Ui& ui) {
    if (port < 0 || port > 65535) {
        std::cerr << "daemonlab serve: --port must be 0..65535\n";
        return 2;
    }
    EchoServerOptions options{
        .tls = tls, .port = std::uint16_t(port), .max_connections = std::size_t(max_connections)};
    // The server never prints; what it has to say goes to stderr, once per episode.
    options.on_event = [&ui](ServerEvent e, std::size_t value) {
        if (e != ServerEvent::connection_cap_reached) return;
        for (Lang l : ui.langs)
            std::cerr << "daemonlab serve: "
                      << ui.strings.format("cli.connection-cap", l,
                                           {{"max", std::to_string(value)}})
                      << "\n";
    };
    std::unique_ptr<EchoServer> started;
    try {
        started = std::make_unique<EchoServer>(options);
    } catch (const std::system_error& e) {
        // Only a taken port falls back to a free one; anything else is the user's to fix.
        if (e.code().value() == EACCES) {
            for (Lang l : ui.langs)
                std::cerr << "daemonlab serve: "
                          << ui.strings.format("cli.port-denied", l,
                                               {{"port", std::to_string(port)}})
                          << "\n";
            return 2;
        }
        throw;
    }
    EchoServer& server = *started;
    if (server.fell_back())
        ui.say("cli.port-taken", {{"port", std::to_string(port)}, {"uri", server.uri()}});
    ui.say("cli.serving", {{"uri", server.uri()}});
    if (tls) std::cout << server.ca_pem();
    std::cout.flush();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    return 0;
}

} // namespace

int cli_main(int argc, char** argv, const GuiCommand* gui) {
    // A write to a pipe nobody reads (a closed stdout, a dead demo's control pipe) is an
    // error to handle, never the host's death; demos start with the default again
    // (spawn_hygiene).
    std::signal(SIGPIPE, SIG_IGN);
    // No subcommand (nothing, or options only): the desktop app, as `daemonlab gui ...`.
    std::vector<char*> args(argv, argv + argc);
    const std::string first = argc > 1 ? argv[1] : "";
    char gui_word[] = "gui";
    if (argc < 2 ||
        (first.starts_with("-") && first != "--help" && first != "-h" && first != "--version"))
        args.insert(args.begin() + 1, gui_word);
    if (!gui && std::string(args.size() > 1 ? args[1] : "") == "gui") {
        std::cerr << "daemonlab: this build has no desktop app; try: daemonlab list\n";
        return 2;
    }

    CLI::App app{"DaemonLab (守护线程实验室): why a program refuses to exit", "daemonlab"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "daemonlab 0.1.0");
    std::string lang = "en";

    auto* list = app.add_subcommand("list", "the scenarios, with a one-line summary");
    CLI::App* gui_cmd = nullptr;
    if (gui) {
        gui_cmd = app.add_subcommand("gui", "the desktop app (the default without a subcommand)");
        gui->add_options(*gui_cmd);
    }

    RunOptions opt;
    bool as_json = false, close = false, no_close = false;
    auto* run = app.add_subcommand("run", "run one scenario live and tell whether it exits");
    std::vector<std::string> ids;
    for (const Scenario& s : catalog()) ids.emplace_back(s.id);
    run->add_option("scenario", opt.scenario, "scenario id")->required()->check(CLI::IsMember(ids));
    using trace::Receiver;
    run->add_option("--receiver", opt.receiver, "recv_events daemon policy")
        ->transform(choices({Receiver::inherit, Receiver::daemon, Receiver::non_daemon}));
    auto* c1 = run->add_flag("--close", close, "close the connection before main ends");
    auto* c2 = run->add_flag("--no-close", no_close, "do not close it");
    c1->excludes(c2);
    run->add_option("--connect-in", opt.connect_in, "sandbox: who calls connect()")
        ->transform(choices<trace::ConnectIn>());
    run->add_option("--worker", opt.worker, "sandbox: the worker thread")
        ->transform(choices<trace::Worker>());
    run->add_flag("--with-block", opt.with_block, "sandbox: use `with connect(...) as ws:`");
    std::string grace_text;
    run->add_option("--grace", grace_text,
                    "ms a suspected hang must stay still to be confirmed: a decimal integer, " +
                        std::to_string(kMinGraceMs) + ".." + std::to_string(kMaxGraceMs) +
                        " (default 300); the run's timeout is 20000, or grace + 10000 from a grace "
                        "of 20000 on");
    run->add_flag("--json", as_json, "print one JSON object");
    run->add_option("--lang", lang, "zh, en or both")->check(CLI::IsMember({"zh", "en", "both"}));
    run->add_flag("--step", opt.step, "pause at each step of the lesson; Enter goes on");
    run->add_option("--inject-fault", opt.fault, "make the demo go wrong, to see how it is told")
        ->transform(choices<trace::Fault>());
    std::string trace_out;
    run->add_option("--trace-out", trace_out,
                    "write the timeline as Chrome trace JSON (checked before the run; written "
                    "through a temporary file, so a failure leaves an older file intact)");
    run->footer(kExitStatus);
    run->add_option("--engine", opt.engine,
                    "model: the C++ model of CPython (default); python: the real interpreter, "
                    "running the lesson's program")
        ->transform(engines());
    run->add_option("--python", opt.python, "the interpreter for --engine python")
        ->default_str("python3");

    RunOptions ex{
        .engine = trace::Engine::cpython, .receiver = Receiver::library, .timeout_ms = 30'000};
    bool explain_json = false;
    double explain_timeout_s = 30;
    auto* explain = app.add_subcommand(
        "explain", "run your own Python program traced and tell why it does or does not exit");
    explain->add_option("program", ex.program, "your program (FILE.py)")->required();
    explain->add_option("args", ex.args, "its arguments (after --, any that look like options)");
    explain->add_flag("--json", explain_json, "print one JSON object");
    std::string explain_grace_text;
    explain->add_option("--grace", explain_grace_text,
                        "ms a suspected hang must stay still to be confirmed: a decimal "
                        "integer, " +
                            std::to_string(kMinGraceMs) + ".." + std::to_string(kMaxGraceMs) +
                            " (default 300)");
    explain->footer(kExitStatus);
    explain->add_option("--python", ex.python, "the interpreter to run it with")
        ->default_str("python3");
    explain
        ->add_option("--timeout", explain_timeout_s,
                     "seconds before a program that has not ended is stopped (when not longer "
                     "than the grace: grace + 10 s)")
        ->check(CLI::Range(1.0, 3600.0));
    explain
        ->add_option("--receiver", ex.receiver,
                     "websockets' recv_events thread: library (as installed), inherit, "
                     "daemon or non-daemon")
        ->transform(choices<trace::Receiver>());
    explain->add_option("--lang", lang, "zh, en or both")
        ->check(CLI::IsMember({"zh", "en", "both"}));

    auto* matrix = app.add_subcommand("matrix", "every scenario × receiver policy × close");
    bool matrix_json = false;
    int jobs = default_matrix_jobs();
    int matrix_grace = 300;
    matrix->add_flag("--json", matrix_json, "print JSON");
    matrix->add_option("--jobs", jobs, "runs at once")->check(CLI::Range(1, 64));
    std::string matrix_grace_text;
    matrix->add_option("--grace", matrix_grace_text,
                       "ms to confirm a hang: a decimal integer, " + std::to_string(kMinGraceMs) +
                           ".." + std::to_string(kMaxGraceMs) + " (default 300)");
    matrix->add_option("--lang", lang, "zh, en or both")
        ->check(CLI::IsMember({"zh", "en", "both"}));
    RunOptions matrix_engine;
    matrix->add_option("--engine", matrix_engine.engine, "model (default) or python")
        ->transform(engines());
    matrix->add_option("--python", matrix_engine.python, "the interpreter for --engine python")
        ->default_str("python3");

    auto* serve = app.add_subcommand("serve", "the echo server alone, on loopback");
    int port = 0;
    bool tls = false, no_tls = false;
    serve->add_option("--port", port, "port (0: any free)");
    int max_connections = 512;
    serve
        ->add_option("--max-connections", max_connections,
                     "connections at once; more are closed at once, and said (default 512)")
        ->check(CLI::Range(1, 100000));
    auto* t1 = serve->add_flag("--tls", tls, "wss:// (the default)");
    auto* t2 = serve->add_flag("--no-tls", no_tls, "ws://");
    t1->excludes(t2);

    RoomCommand room = add_room_command(app); // the workshop room (lab/term/room_cli.cpp)

    try {
        app.parse(int(args.size()), args.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e); // prints the message and usage
        return 2;
    }
    if (gui_cmd && gui_cmd->parsed()) return gui->run();
    Ui ui;
    if (!load_strings(ui)) std::cerr << "daemonlab: going on without texts\n";
    ui.langs = parse_lang(lang);

    try {
        if (list->parsed()) return cmd_list(ui);
        if (run->parsed()) {
            if (close) opt.close = true;
            if (no_close) opt.close = false;
            if (run->count("--grace"))
                if (std::string err = parse_grace_ms(grace_text, opt.grace_ms); !err.empty()) {
                    std::cerr << "daemonlab run: " << err << "\n";
                    return 2;
                }
            if (opt.step && as_json) {
                std::cerr << "daemonlab run: --step and --json cannot be used together: step "
                             "mode prints the lesson and waits for Enter, which would not be "
                             "JSON. Use --step to step through, or --json for one JSON object.\n";
                return 2;
            }
            // The file is checked before the run, not found unwritable after it.
            if (!trace_out.empty())
                if (std::string err = check_writable(trace_out); !err.empty()) {
                    std::cerr << "daemonlab run: --trace-out " << err << "\n";
                    return 2;
                }
            // The real interpreter leaves websockets as installed unless told otherwise.
            if (opt.engine == trace::Engine::cpython && run->count("--receiver") == 0)
                opt.receiver = Receiver::library;
            if (std::string err = validate(opt); !err.empty()) {
                std::cerr << "daemonlab run: " << err << "\n";
                return 2;
            }
            return cmd_run(opt, as_json, trace_out, ui);
        }
        if (matrix->parsed()) {
            if (matrix->count("--grace"))
                if (std::string err = parse_grace_ms(matrix_grace_text, matrix_grace);
                    !err.empty()) {
                    std::cerr << "daemonlab matrix: " << err << "\n";
                    return 2;
                }
            return cmd_matrix(matrix_json, jobs, matrix_grace, matrix_engine, ui);
        }
        if (explain->parsed()) {
            ex.timeout_ms = int(explain_timeout_s * 1000);
            if (explain->count("--grace"))
                if (std::string err = parse_grace_ms(explain_grace_text, ex.grace_ms);
                    !err.empty()) {
                    std::cerr << "daemonlab explain: " << err << "\n";
                    return 2;
                }
            ex.timeout_ms = run_timeout_ms(ex.grace_ms, ex.timeout_ms);
            if (std::string err = validate(ex); !err.empty()) {
                std::cerr << "daemonlab explain: " << err << "\n";
                return 2;
            }
            return cmd_run(ex, explain_json, {}, ui);
        }
        if (serve->parsed()) return cmd_serve(port, !no_tls, max_connections, ui);
        if (room.sub->parsed()) return room.run();
    } catch (const std::exception& e) {
        std::cerr << "daemonlab: " << e.what() << "\n";
        return 1;
    }
    return 2;
}

} // namespace lab
