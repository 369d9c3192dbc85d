// daemonlab: with a subcommand, the terminal tool (lab/cli); without one, the desktop app.
#include "cli.hpp"

#ifdef DAEMONLAB_WITH_GUI
#include "app.hpp"
int main(int argc, char** argv) {
    return lab::cli_main(argc, argv, &gui::main);
}
#else
int main(int argc, char** argv) {
    return lab::cli_main(argc, argv, nullptr);
}
#endif
