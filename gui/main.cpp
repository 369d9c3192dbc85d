// daemonlab: with a subcommand, the terminal tool (lab/cli); without one, the desktop app.
#include "cli.hpp"

int main(int argc, char** argv) { return lab::cli_main(argc, argv, nullptr); }
