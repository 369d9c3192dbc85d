// daemonlab: with a subcommand, the terminal tool (lab/cli); without one, the desktop app
// (`daemonlab gui`, when built with it).
#include "lab/term/cli.hpp"

#ifdef DAEMONLAB_WITH_GUI
#include "gui/app/command.hpp"
int main(int argc, char** argv) {
    const lab::GuiCommand gui = gui::command();
    return lab::cli_main(argc, argv, &gui);
}
#else
int main(int argc, char** argv) {
    return lab::cli_main(argc, argv, nullptr);
}
#endif
