#include "gui/app/settings.hpp"

#include "lab/term/safe_write.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <sys/stat.h>
#include <toml++/toml.h>
#include <unistd.h>

namespace gui {

std::string Settings::path() {
    // No home: no file at all (a fixed path in /tmp could be planted by another user).
    const std::string dir = lab::config_home();
    return dir.empty() ? std::string() : dir + "/daemonlab/settings.toml";
}

bool Settings::in_memory() {
    return path().empty();
}

namespace {

// The directory settings go in: made if missing (0700), and refused unless it is a real
// directory (not a symbolic link) owned by this user. "" or why not.
std::string own_directory(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return dir + ": " + std::strerror(errno);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return dir + ": " + std::strerror(errno);
    if (S_ISLNK(st.st_mode)) return dir + ": is a symbolic link (refused)";
    if (!S_ISDIR(st.st_mode)) return dir + ": " + std::strerror(ENOTDIR);
    if (st.st_uid != ::geteuid()) return dir + ": not owned by this user (refused)";
    return {};
}

} // namespace

std::string Settings::locale_lang() {
    // The first of these that is set names the user's language, as setlocale() reads them.
    for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"})
        if (const char* v = std::getenv(name); v && *v)
            return std::string(v).starts_with("zh") ? "zh" : "en";
    return "en";
}

Settings Settings::load() {
    Settings s;
    s.lang = locale_lang(); // until the user picks one
    if (in_memory() || !std::filesystem::exists(path())) return s;
    try {
        toml::table t = toml::parse_file(path());
        std::string lang = t["lang"].value_or(s.lang);
        if (lang == "zh" || lang == "en" || lang == "both") s.lang = lang;
        s.font_scale = std::clamp(t["font_scale"].value_or(s.font_scale), 0.6f, 3.0f);
        s.scenario = t["scenario"].value_or(s.scenario);
        s.width = std::clamp(t["width"].value_or(s.width), 640, 8000);
        s.height = std::clamp(t["height"].value_or(s.height), 400, 8000);
        s.top_fraction = std::clamp(t["top_fraction"].value_or(s.top_fraction), 0.15f, 0.85f);
        std::string theme = t["theme"].value_or(s.theme);
        if (theme == "normal" || theme == "high-contrast") s.theme = theme;
        s.export_dir = t["export_dir"].value_or(s.export_dir);
        s.keep_hung_s = std::clamp(t["keep_hung_s"].value_or(s.keep_hung_s), 1, 600);
        s.room_port = std::clamp(t["room_port"].value_or(s.room_port), 0, 65535);
        s.room_code = t["room_code"].value_or(s.room_code); // checked when the room opens
    } catch (const toml::parse_error& e) {
        s.error = path() + ":" + std::to_string(e.source().begin.line) + ": " +
                  std::string(e.description()) + " (using defaults)";
    }
    return s;
}

std::string Settings::save_to(const std::string& file) const {
    if (file.empty()) return "no settings file (no HOME or XDG_CONFIG_HOME): kept in memory";
    if (std::string err = own_directory(std::filesystem::path(file).parent_path().string());
        !err.empty())
        return err;
    toml::table t{{"lang", lang},         {"font_scale", double(font_scale)},
                  {"scenario", scenario}, {"width", width},
                  {"height", height},     {"top_fraction", double(top_fraction)},
                  {"theme", theme},       {"keep_hung_s", keep_hung_s}};
    if (!export_dir.empty()) t.insert("export_dir", export_dir);
    if (room_port != 0) t.insert("room_port", room_port);
    if (!room_code.empty()) t.insert("room_code", room_code);
    std::ostringstream out;
    out << t << "\n";
    // A temporary file in the same directory, renamed over the old one; never through a
    // symbolic link (write_file_atomic refuses one at the path).
    return lab::write_file_atomic(file, out.str(), {.mode = 0600});
}

bool Settings::save() const {
    return save_to(path()).empty();
}

} // namespace gui
