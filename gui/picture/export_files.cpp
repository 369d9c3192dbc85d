#include "gui/picture/export_files.hpp"

#include "lab/term/safe_write.hpp"

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>

namespace gui {
namespace fs = std::filesystem;

namespace {

bool is_dir(const std::string& p) {
    std::error_code ec;
    return !p.empty() && fs::is_directory(p, ec);
}

// XDG_PICTURES_DIR="$HOME/Pictures" from user-dirs.dirs.
std::string from_user_dirs() {
    const std::string conf = lab::config_home();
    if (conf.empty()) return {};
    std::ifstream in(conf + "/user-dirs.dirs");
    const char* home = std::getenv("HOME");
    for (std::string line; std::getline(in, line);) {
        const std::string key = "XDG_PICTURES_DIR=";
        if (!line.starts_with(key)) continue;
        std::string v = line.substr(key.size());
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        if (v.starts_with("$HOME")) v = std::string(home ? home : "") + v.substr(5);
        return v;
    }
    return {};
}

} // namespace

std::string default_export_dir() {
    if (const char* x = std::getenv("XDG_PICTURES_DIR"); x && is_dir(x)) return x;
    if (std::string d = from_user_dirs(); is_dir(d)) return d;
    std::error_code ec;
    fs::path cwd = fs::current_path(ec);
    return ec ? "." : cwd.string();
}

std::string timestamped_path(const std::string& dir, const std::string& stem,
                             const std::string& ext) {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
    const std::string base = (fs::path(dir) / ("daemonlab-" + stem + "-" + stamp)).string();
    std::string path = base + ext;
    std::error_code ec;
    for (int n = 2; fs::exists(path, ec) && n < 1000; ++n)
        path = base + "-" + std::to_string(n) + ext;
    return path;
}

} // namespace gui
