// daemonlab: the terminal tool (lab/term). The desktop app is its own executable,
// libexec/daemonlab/daemonlab-gui (gui/app/gui_main.cpp), which `daemonlab gui` (or no
// subcommand) runs in this process's place: a terminal command does not load the GUI's
// libraries (X11, OpenGL, FreeType, ...), which cost every command ~10 ms of start-up.
#include "lab/term/cli.hpp"

int main(int argc, char** argv) {
    return lab::cli_main(argc, argv, nullptr);
}
