// cli.hpp — `daemonlab` in a terminal: list, run, matrix, serve (and gui, when built with it).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace lab {

// The desktop app's subcommand, `daemonlab gui`, as the app (gui/) defines it; lab/ only
// parses. add_options declares the subcommand's options on the CLI::App it is given; run
// starts the app once the command line parsed.
struct GuiCommand {
    std::function<void(CLI::App& gui)> add_options;
    std::function<int()> run;
};

// Exit status: 0 the demo exited (or the command succeeded), 3 it hung, 4 it crashed,
// 5 it was killed, 1 it could not run, 2 a wrong scenario, flag or value. Without a
// subcommand (no arguments, or options only) it is `daemonlab gui`; gui is null when the
// program was built without the desktop app.
int cli_main(int argc, char** argv, const GuiCommand* gui);

} // namespace lab
