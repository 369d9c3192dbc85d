// daemonlab-gui: the desktop app, started by `daemonlab gui` (lab/term/cli.cpp) with the same
// arguments; it parses them with the same parser, its `gui` subcommand being the app.
#include "gui/app/command.hpp"
#include "lab/term/cli.hpp"

int main(int argc, char** argv) {
    const lab::GuiCommand gui = gui::command();
    return lab::cli_main(argc, argv, &gui);
}
