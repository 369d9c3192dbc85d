// room_store.hpp — where the room's history is kept between rooms and between runs of the
// app or of `daemonlab room`: $XDG_CONFIG_HOME/daemonlab/room-history.json (or
// ~/.config/daemonlab/...), next to the settings, written as they are (a new file renamed over
// the old one, never through a symbolic link). No home: kept in memory only.
#pragma once

#include "lab/room/room.hpp"

#include <string>

namespace lab {

// "" when there is no home to keep it in.
std::string room_history_path();
// The earlier rounds from `path` into a new room (none when the file is missing). Returns ""
// or what was wrong with the file (then what could be read is kept).
std::string load_room_history(Room& room, const std::string& path = room_history_path());
// Writes the room's history to `path` (its directory made when missing). "" or why not.
std::string save_room_history(const Room& room, const std::string& path = room_history_path());

} // namespace lab
