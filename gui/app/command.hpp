// command.hpp — `daemonlab gui`: its options (what a teacher sets at start, and what the
// scripted runs of the tests ask for) and its entry. No drawing here.
#pragma once

#include "lab/term/cli.hpp"
#include "lab/term/run_flags.hpp"

#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace gui {

struct Flags {
    // --scenario, --engine, --python, --receiver, --close: typed, in the words and with the
    // checks of `daemonlab run` (lab/term/run_flags.hpp).
    lab::RunFlags run_flags;
    std::optional<std::string> lang, theme, predict;
    std::optional<std::string> program; // "Your program": open this .py file (not run)
    std::optional<int> attach;          // "A running Python process…": open it on this pid
    bool run = false, step = false, matrix = false, fullscreen = false;
    int width = 0, height = 0;            // --size; 0: the saved one
    float font_scale = 0;                 // 0: the saved one
    std::optional<std::string> room;      // --room [--room-listen lan|loopback|ADDRESS]
    std::optional<int> room_port;         // --room-port N (0: any free one)
    std::optional<std::string> room_code; // --room-code CODE
    std::optional<std::string> export_dir;

    // Scripted runs (--screenshot FILE.png): draw, write the PNG and its JSON, quit.
    std::string screenshot;
    int after_ms = 1500;
    std::optional<std::string> then_receiver; // a second run, to compare with the first
    bool every_python = false;            // with --run: "Run on every Python" instead of one run
    bool real_pair = false;               // with --run: on the real websockets 12.0 and 13.0
    bool setup_python = false;            // press "Set up real Python" at start; shoot once it ends
    std::string find_links;               // ... installing from these local wheels (offline)
    bool walk = false;                    // Next through every step (implies --step --run)
    std::optional<std::string> open_cell; // with --matrix: SCENARIO,RECEIVER,close|no-close
    bool export_png = false, export_trace = false;
    // What a presenter does, in order, before the picture (script_driver.hpp): key presses,
    // clicks on the room's controls, Run, and waits ("key:R,click:room.more,run,verdict").
    std::vector<std::string> script;

    bool scripted() const { return !screenshot.empty(); }
};

// Declares the options on `cmd` (the `gui` subcommand), writing into `f`.
void add_flags(CLI::App& cmd, Flags& f);

// Opens the app with these options; returns the exit status.
int run_app(Flags f);

// `daemonlab gui` for lab::cli_main.
lab::GuiCommand command();

} // namespace gui
