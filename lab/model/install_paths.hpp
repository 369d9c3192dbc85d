// install_paths.hpp — where the files DaemonLab ships with are found: the one rule for the
// content, the Python programs and the demos.
#pragma once

#include <string>
#include <string_view>

namespace lab {

// $env_var when it is set and not empty (taken as it is: tests and packagers point it
// anywhere), else <prefix>/rel where the running executable is <prefix>/bin/<name> (or
// <prefix>/libexec/daemonlab/<name>: the desktop app, daemonlab-gui). That
// holds installed and in the build tree (packaging/CMakeLists.txt lays the tree out the
// same way), so no source path is baked into the program.
std::string installed_path(const char* env_var, std::string_view rel);

} // namespace lab
