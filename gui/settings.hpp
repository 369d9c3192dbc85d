// settings.hpp — what the app remembers between sessions, in
// $XDG_CONFIG_HOME/daemonlab/settings.toml (or ~/.config/daemonlab/settings.toml).
#pragma once

#include <string>

namespace gui {

// $XDG_CONFIG_HOME, else ~/.config; "" when neither can be known.
std::string config_home();

struct Settings {
    std::string lang = "en"; // zh | en | both (the first start: the locale's, see load())
    float font_scale = 1.0f;
    std::string scenario = "threaded-client";
    int width = 1440, height = 900;
    float top_fraction = 0.4f;    // share of the height for lesson + code
    std::string theme = "normal"; // normal | high-contrast
    std::string error;            // why the file could not be read (then defaults are used)

    static std::string path();
    static Settings load();
    // "zh" when the locale (LC_ALL, LC_MESSAGES, LANG) is Chinese, else "en".
    static std::string locale_lang();
    bool save() const;
};

} // namespace gui
