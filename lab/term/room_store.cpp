// room_store.cpp — the room's history on disk (see room_store.hpp).
#include "lab/term/room_store.hpp"

#include "lab/room/room_history.hpp"
#include "lab/term/safe_write.hpp"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

namespace lab {

std::string room_history_path() {
    const std::string dir = config_home();
    return dir.empty() ? std::string() : dir + "/daemonlab/room-history.json";
}

std::string load_room_history(Room& room, const std::string& path) {
    if (path.empty()) return {};
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return {};
    if (std::filesystem::file_size(path, ec) > kMaxHistoryBytes || ec)
        return path + ": larger than 16 MiB or unreadable (not loaded; move it away to start anew)";
    std::ifstream in(path, std::ios::binary);
    if (!in) return path + ": cannot be read";
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string why;
    room.restore_history(parse_history(text, &why));
    return why.empty() ? std::string() : path + ": " + why;
}

std::string save_room_history(const Room& room, const std::string& path) {
    if (path.empty()) return {};
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
    return write_file_atomic(path, history_json(room.history()), {.mode = 0600});
}

} // namespace lab
