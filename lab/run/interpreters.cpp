// interpreters.cpp — see interpreters.hpp. Nothing here runs an interpreter: the version comes
// from where the file is (python3.11, versions/3.11.7, pyvenv.cfg), so listing is instant.
#include "lab/run/interpreters.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace lab {
namespace {

namespace fs = std::filesystem;

bool executable(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

// "3.11.7" or "3.11" → 11; anything else (2.7, 3.8, pypy3.9-7.3) → 0.
int supported_minor(const std::string& version) {
    int major = 0, minor = 0;
    char tail = 0;
    int n = std::sscanf(version.c_str(), "%d.%d%c", &major, &minor, &tail);
    if (n < 2 || major != 3 || (n == 3 && tail != '.')) return 0;
    return minor >= kOldestMinor && minor <= kNewestMinor ? minor : 0;
}

struct Finder {
    std::vector<Interpreter> found;
    std::set<fs::path> seen;

    void add(const fs::path& path, const std::string& version, const char* where) {
        const int minor = supported_minor(version);
        if (minor == 0 || !executable(path)) return;
        std::error_code ec;
        fs::path real = fs::canonical(path, ec);
        if (ec || !seen.insert(real).second) return;
        found.push_back({path.string(), version, minor, where});
    }
};

// pyvenv.cfg's "version = 3.11.2" (older venvs) or "version_info = 3.12.1.final.0".
std::string venv_version(const fs::path& venv) {
    std::ifstream in(venv / "pyvenv.cfg");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, eq, value;
        if (words >> key >> eq >> value && eq == "=" && (key == "version" || key == "version_info"))
            return value;
    }
    return {};
}

} // namespace

std::vector<Interpreter> find_interpreters() {
    Finder f;
    if (const char* venv = std::getenv("VIRTUAL_ENV"); venv && *venv)
        f.add(fs::path(venv) / "bin/python3", venv_version(venv), "venv");
    if (const char* path = std::getenv("PATH")) {
        std::istringstream dirs(path);
        for (std::string dir; std::getline(dirs, dir, ':');)
            for (int minor = kOldestMinor; minor <= kNewestMinor; ++minor)
                if (!dir.empty() && dir.find("/shims") == std::string::npos) // pyenv's shims
                    f.add(fs::path(dir) / ("python3." + std::to_string(minor)),
                          "3." + std::to_string(minor), "PATH");
    }
    fs::path pyenv;
    if (const char* root = std::getenv("PYENV_ROOT"); root && *root)
        pyenv = root;
    else if (const char* home = std::getenv("HOME"); home && *home)
        pyenv = fs::path(home) / ".pyenv";
    std::error_code ec;
    if (!pyenv.empty() && fs::is_directory(pyenv / "versions", ec)) {
        std::vector<fs::path> versions;
        for (const auto& e : fs::directory_iterator(pyenv / "versions", ec))
            versions.push_back(e.path());
        std::sort(versions.begin(), versions.end());
        for (const fs::path& v : versions) f.add(v / "bin/python3", v.filename().string(), "pyenv");
    }
    std::stable_sort(f.found.begin(), f.found.end(),
                     [](const Interpreter& a, const Interpreter& b) { return a.minor < b.minor; });
    return f.found;
}

std::vector<Interpreter> one_per_version() {
    std::vector<Interpreter> all = find_interpreters(), one;
    for (const Interpreter& i : all)
        if (one.empty() || one.back().minor != i.minor) one.push_back(i);
    return one;
}

} // namespace lab
