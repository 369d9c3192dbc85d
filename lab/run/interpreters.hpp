// interpreters.hpp — the CPython interpreters on this machine that the engine supports,
// found without starting any of them: python3.X on PATH, pyenv's versions, the active venv.
#pragma once

#include <string>
#include <vector>

namespace lab {

// The CPython versions the tracer supports, as (3, minor).
inline constexpr int kOldestMinor = 9;
inline constexpr int kNewestMinor = 13;

struct Interpreter {
    std::string path;    // an executable file
    std::string version; // "3.11.7" where the place names it, else "3.11"
    int minor = 0;       // 11
    std::string where;   // "PATH", "pyenv", "venv"
};

// Each supported interpreter once (by its real file), oldest version first. Looks at the
// active venv ($VIRTUAL_ENV), python3.9 … python3.13 on $PATH and $(pyenv root)/versions/3.X.Y
// ($PYENV_ROOT, else ~/.pyenv).
std::vector<Interpreter> find_interpreters();

// One interpreter of each supported minor version that find_interpreters() saw, oldest first.
std::vector<Interpreter> one_per_version();

} // namespace lab
