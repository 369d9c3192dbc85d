// app.hpp — the desktop app: panes over lab/ (lesson, code, controls, banner, timeline).
#pragma once

namespace gui {

// `daemonlab` with no subcommand, or `daemonlab gui [flags]`.
int main(int argc, char** argv);

} // namespace gui
