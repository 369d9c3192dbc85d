#include "lab/model/install_paths.hpp"

#include <cstdlib>
#include <filesystem>

namespace lab {

std::string installed_path(const char* env_var, std::string_view rel) {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv(env_var); env && *env) return env;
    std::error_code ec; // unreadable /proc: a relative path that will not be found, said there
    const fs::path dir = fs::read_symlink("/proc/self/exe", ec).parent_path();
    // <prefix>/bin/daemonlab, or a program of ours in <prefix>/libexec/daemonlab (the app,
    // daemonlab-gui, which `daemonlab gui` runs in its place)
    const std::string ours = "/" DAEMONLAB_DEMO_REL;
    const std::string d = dir.string();
    if (d.ends_with(ours)) return (fs::path(d.substr(0, d.size() - ours.size())) / rel).string();
    return (dir.parent_path() / rel).string();
}

} // namespace lab
