// settings.hpp — what the app remembers between sessions, in
// $XDG_CONFIG_HOME/daemonlab/settings.toml (or ~/.config/daemonlab/settings.toml); with
// neither, in memory only.
#pragma once

#include <string>

namespace gui {

struct Settings {
    std::string lang = "en"; // zh | en | both (the first start: the locale's, see load())
    float font_scale = 1.0f;
    std::string scenario = "threaded-client";
    int width = 1440, height = 900;
    float top_fraction = 0.4f;    // share of the height for lesson + code
    std::string theme = "normal"; // normal | high-contrast
    std::string export_dir;       // where Export writes ("" : default_export_dir())
    int keep_hung_s = 30;         // a confirmed hang stays alive this long (1..600 s)
    int room_port = 0;            // the room's port (0: any free one), kept by the presenter
    std::string room_code;        // the room's code ("" : a random one)
    std::string error;            // why the file could not be read (then defaults are used)

    // "" when there is no home to keep it in (no HOME, no XDG_CONFIG_HOME): then settings
    // live in memory only, and in_memory() says so.
    static std::string path();
    static bool in_memory();
    static Settings load();
    // "zh" when the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else "en".
    static std::string locale_lang();
    // Writes to path() (nothing when in_memory()); true when written.
    bool save() const;
    // Writes to `file`: its directory made 0700 if missing and refused unless it is a real
    // directory owned by this user; a symbolic link at `file` is refused and its target
    // untouched; the file is replaced through a temporary file and rename. "" or why not.
    std::string save_to(const std::string& file) const;
};

} // namespace gui
