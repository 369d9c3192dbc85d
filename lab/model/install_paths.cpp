#include "lab/model/install_paths.hpp"

#include <cstdlib>
#include <filesystem>

namespace lab {

std::string installed_path(const char* env_var, std::string_view rel) {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv(env_var); env && *env) return env;
    std::error_code ec; // unreadable /proc: a relative path that will not be found, said there
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return (exe.parent_path().parent_path() / rel).string();
}

} // namespace lab
