// programs.hpp — the lessons' Python programs, one real file each
// (demos/python/scenarios/<id>.py): where they are, and the pause points they mark.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

// $DAEMONLAB_PYTHON_DIR, else <exe>/../share/daemonlab/python, else demos/python in the
// source tree: the folder holding daemonlab_tracer.py and scenarios/<id>.py.
std::string python_dir();
// The lesson's program for a scenario: scenarios/<id with '_'>.py.
std::string program_path(std::string_view scenario);
// A whole file, or "" when it cannot be read.
std::string read_file(const std::string& path);

// The pause points a program marks with a trailing `# step: NAME[, NAME]`: (name, line),
// in file order (a line reached twice, like a with-statement, names two). The C++ model
// marks the same points with demo::step("NAME").
std::vector<std::pair<std::string, int>> pause_points(std::string_view source);

} // namespace lab
