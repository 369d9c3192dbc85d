#include "gui/app/command.hpp"

#include "gui/app/script_driver.hpp"
#include "lab/model/catalog.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <vector>

namespace gui {
namespace {

// The receiver policies the model runs (the matrix's, and a second run's): their names.
const std::vector<std::string> kReceivers = [] {
    std::vector<std::string> v;
    for (trace::Receiver r : lab::receivers_for(trace::Engine::model))
        v.emplace_back(trace::name(r));
    return v;
}();

// Stores the value in an optional (CLI11 2.1 has no std::optional binding).
CLI::Option* add_optional(CLI::App& cmd, const std::string& name, std::optional<std::string>& out,
                          const std::string& what) {
    return cmd.add_option_function<std::string>(
        name, [&out](const std::string& v) { out = v; }, what);
}

// --size WIDTHxHEIGHT, 320x240 to 8000x8000.
const CLI::Validator kSize(
    [](std::string& v) -> std::string {
        int w = 0, h = 0;
        char rest = 0;
        if (std::sscanf(v.c_str(), "%dx%d%c", &w, &h, &rest) != 2 || w < 320 || h < 240 ||
            w > 8000 || h > 8000)
            return "must be WIDTHxHEIGHT from 320x240 to 8000x8000, e.g. 1280x720, not '" + v + "'";
        return {};
    },
    "WxH");

// --open SCENARIO,RECEIVER,close|no-close: a cell of the matrix.
const CLI::Validator kCell(
    [](std::string& v) -> std::string {
        const std::size_t a = v.find(','), b = a == std::string::npos ? a : v.find(',', a + 1);
        const std::string usage = "must be SCENARIO,RECEIVER,close|no-close, e.g. "
                                  "threaded-client,daemon,no-close, not '" +
                                  v + "'";
        if (b == std::string::npos) return usage;
        const std::string scenario = v.substr(0, a), receiver = v.substr(a + 1, b - a - 1),
                          close = v.substr(b + 1);
        if (!lab::find_scenario(scenario))
            return "unknown scenario '" + scenario + "' (see: daemonlab list)";
        if (std::find(kReceivers.begin(), kReceivers.end(), receiver) == kReceivers.end() ||
            (close != "close" && close != "no-close"))
            return usage;
        return {};
    },
    "SCENARIO,RECEIVER,close|no-close");

// The typed run flags, checked as `daemonlab run` checks them.
void check_run_flags(const Flags& f) {
    const lab::RunFlags& r = f.run_flags;
    lab::RunFlags as_run = r; // "Your program" runs on CPython, whatever the lab's engine
    if (f.program) as_run.engine = trace::Engine::cpython;
    lab::RunOptions checked;
    if (std::string err = as_run.options({}, checked); !err.empty())
        throw CLI::ValidationError(err); // at the command line's edge: CLI11 says it, status 2
}

} // namespace

void add_flags(CLI::App& cmd, Flags& f) {
    namespace rf = lab::run_flag;
    f.run_flags.add_to(cmd, rf::scenario_option | rf::engine | rf::receiver | rf::close);
    add_optional(cmd, "--lang", f.lang, "zh, en or both")
        ->check(CLI::IsMember({"zh", "en", "both"}));
    add_optional(cmd, "--program", f.program,
                 "open your own FILE.py under \"Your program\" (it runs only when you press Run)");
    cmd.add_option_function<int>(
           "--attach", [&f](const int& pid) { f.attach = pid; },
           "open \"A running Python process…\" on PID and take a snapshot (daemonlab attach)")
        ->check(CLI::PositiveNumber);
    cmd.add_flag("--run", f.run, "run the scenario at once");
    cmd.add_flag("--step", f.step, "step by step: the demo stops at each step of the lesson");
    add_optional(cmd, "--predict", f.predict, "answer \"Will it exit?\" for the first run")
        ->check(CLI::IsMember({"yes", "no"}));
    CLI::Option* matrix = cmd.add_flag("--matrix", f.matrix, "open the matrix and run it");
    add_optional(cmd, "--theme", f.theme, "normal or high-contrast")
        ->check(CLI::IsMember({"normal", "high-contrast"}));
    cmd.add_flag("--fullscreen", f.fullscreen, "start full screen (F11)");
    cmd.add_option_function<std::string>(
           "--size",
           [&f](const std::string& v) { std::sscanf(v.c_str(), "%dx%d", &f.width, &f.height); },
           "window size, e.g. 1280x720")
        ->check(kSize);
    cmd.add_option("--font-scale", f.font_scale, "text size, 0.6 to 3")
        ->check(CLI::Range(0.6f, 3.0f));
    add_optional(cmd, "--export-dir", f.export_dir, "where Export writes");
    cmd.add_flag_callback(
        "--room", [&f] { f.room = f.room.value_or("lan"); },
        "open the workshop room at start (attendees join from their phones)");
    add_optional(cmd, "--room-listen", f.room,
                 "where the room listens: lan (the default route's interface), loopback, or an "
                 "address of this machine");
    cmd.add_option_function<int>(
           "--room-port", [&f](int v) { f.room_port = v; },
           "the room's port (0: any free one; default: the one kept in the settings)")
        ->check(CLI::Range(0, 65535));
    add_optional(cmd, "--room-code", f.room_code,
                 "the room's code, 6 of 2-9 and A-Z without I and O (default: the kept one, or "
                 "a random one)");

    const std::string script = "Scripted runs (tests, pictures)";
    cmd.add_option("--screenshot", f.screenshot,
                   "draw, write FILE.png and FILE.png.json (what was drawn), quit")
        ->group(script);
    cmd.add_option("--after", f.after_ms, "ms to wait before the screenshot (default 1500)")
        ->check(CLI::Range(0, 3'600'000))
        ->group(script);
    add_optional(cmd, "--then-receiver", f.then_receiver,
                 "after the first run, a second one with this policy")
        ->check(CLI::IsMember(kReceivers))
        ->group(script);
    cmd.add_flag("--every-python", f.every_python,
                 "with --run: run on every Python found, one per version, one above the other")
        ->group(script);
    cmd.add_flag("--real-websockets", f.real_pair,
                 "with --run: run on the real websockets 12.0 and 13.0, one above the other")
        ->group(script);
    cmd.add_flag("--setup-python", f.setup_python,
                 "press \"Set up real Python\" at start; the picture once it has ended")
        ->group(script);
    cmd.add_option("--find-links", f.find_links,
                   "with --setup-python: install websockets from the wheels in DIR (offline)")
        ->group(script);
    cmd.add_flag("--walk", f.walk, "press Next through every step (implies --step --run)")
        ->group(script);
    add_optional(cmd, "--open", f.open_cell, "open this matrix cell once the matrix is done")
        ->check(kCell)
        ->needs(matrix)
        ->group(script);
    cmd.add_option_function<std::vector<std::string>>(
           "--export",
           [&f](const std::vector<std::string>& what) {
               for (const std::string& w : what)
                   (w == "png" ? f.export_png : f.export_trace) = true;
           },
           "export the timeline: png, trace or png,trace")
        ->delimiter(',')
        ->check(CLI::IsMember({"png", "trace"}))
        ->group(script);
    cmd.add_option("--script", f.script,
                   "do these in order, then the picture: key:R|J|Escape|Space, click:ITEM (an "
                   "item the room drew: room.more, room.keep-address...), run, verdict, "
                   "voters:N, attendees:N, revealed")
        ->delimiter(',')
        ->check([](const std::string& step) { return script_step_error(step); })
        ->group(script);
    cmd.callback([&f] {
        if (f.walk) f.step = f.run = true;
        check_run_flags(f);
    });
}

lab::GuiCommand command() {
    auto flags = std::make_shared<Flags>();
    return {.add_options = [flags](CLI::App& cmd) { add_flags(cmd, *flags); },
            .run = [flags] { return run_app(*flags); }};
}

} // namespace gui
