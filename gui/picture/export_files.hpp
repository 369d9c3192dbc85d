// export_files.hpp — where the Export buttons write, and under which name.
#pragma once

#include <string>

namespace gui {

// $XDG_PICTURES_DIR, else XDG_PICTURES_DIR from user-dirs.dirs ($XDG_CONFIG_HOME or
// ~/.config), when that directory exists; else the current directory.
std::string default_export_dir();

// dir/daemonlab-<stem>-YYYYMMDD-HHMMSS<ext>, with -2, -3, ... when that name is taken.
std::string timestamped_path(const std::string& dir, const std::string& stem,
                             const std::string& ext);

} // namespace gui
