// cli.hpp — `daemonlab` in a terminal: list, run, matrix, serve.
#pragma once

namespace lab {

// The desktop app's entry, when the program was built with it: gets the whole argv.
using GuiMain = int (*)(int argc, char** argv);

// Exit status: 0 the demo exited (or the command succeeded), 3 it hung, 4 it crashed,
// 5 it was killed, 1 it could not run, 2 a wrong scenario, flag or value.
int cli_main(int argc, char** argv, GuiMain gui);

} // namespace lab
