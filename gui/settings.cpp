#include "settings.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <toml++/toml.h>

namespace gui {

std::string config_home() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return x;
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config";
    return {};
}

std::string Settings::path() {
    const std::string dir = config_home();
    return (dir.empty() ? std::string("/tmp") : dir) + "/daemonlab/settings.toml";
}

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
    if (!std::filesystem::exists(path())) return s;
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
    } catch (const toml::parse_error& e) {
        s.error = path() + ":" + std::to_string(e.source().begin.line) + ": " +
                  std::string(e.description()) + " (using defaults)";
    }
    return s;
}

bool Settings::save() const {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path()).parent_path(), ec);
    toml::table t{{"lang", lang},         {"font_scale", double(font_scale)},
                  {"scenario", scenario}, {"width", width},
                  {"height", height},     {"top_fraction", double(top_fraction)},
                  {"theme", theme}};
    std::ofstream out(path());
    out << t << "\n";
    return bool(out);
}

} // namespace gui
