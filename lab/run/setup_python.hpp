// setup_python.hpp — "Set up real Python": private virtual environments under the user's data
// directory, one per websockets version the lessons compare (12.0, 13.0, the newest), made
// through the interpreter's own venv and pip; afterwards the lessons run on the real library
// of each version, side by side and offline.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// $XDG_DATA_HOME/daemonlab, else ~/.local/share/daemonlab; "" with neither.
std::string data_dir();

// The versions set up: the one before websockets' daemon change, the one that made it, and
// the newest ("" : whatever pip finds newest).
inline const std::vector<std::string> kRealWebsockets = {"12.0", "13.0", ""};

struct SetupOptions {
    std::string python = "python3";
    std::string find_links;  // a directory of wheels: installs with --no-index from it
    std::string root;        // "" : data_dir()
    int pip_timeout_s = 300; // per version
    // The share of the work done, 0 to 1, after each step (the app's progress bar); optional.
    std::function<void(double)> done_share;
    // Set from another thread ("Cancel"): venv or pip, and all they started, are ended within
    // 100 ms, the environment being made is removed, and setup_python returns kSetupCancelled.
    // Environments made whole before it stay (a second run reuses them).
    const std::atomic<bool>* cancel = nullptr;
};

inline constexpr const char* kSetupCancelled = "cancelled; nothing half-made was left";

// One environment: websockets `version` in `python` (…/bin/python).
struct RealPython {
    std::string websockets;
    std::string python;
    bool reused = false; // it was there already
};

// Makes (or finds) an environment for each of kRealWebsockets under
// ROOT/python/<interpreter version>/websockets-<version>/; each is made in a temporary
// directory beside it and renamed into place only once websockets imports at the right
// version, so a failure (no network, a full disk) leaves nothing half-made. `progress` gets
// one line per step. Returns "" and fills `made`, or what is wrong and how to fix it (no venv
// module: the package that has it; no network; a full disk).
std::string setup_python(const SetupOptions& o, std::vector<RealPython>& made,
                         const std::function<void(std::string_view)>& progress);

// The environments setup_python made, for any interpreter, oldest websockets first.
std::vector<RealPython> real_pythons(const std::string& root = {});

} // namespace lab
