// gui_shot.hpp — the real app under Xvfb, one screenshot: `daemonlab gui --screenshot
// DIR/NAME.png ARGS...` with its settings in DIR/config (never the user's), as every GUI test
// runs it. The app writes NAME.png and NAME.png.json (what it drew).
#pragma once

#include "subprocess.hpp"

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace testing_support {

struct GuiShot {
    std::string png; // DIR/NAME.png; its description is png + ".json"
    Result process;
};

inline GuiShot gui_shot(const std::filesystem::path& dir, const std::string& name,
                        const std::vector<std::string>& args,
                        const std::string& screen = "-screen 0 1600x1000x24",
                        double timeout_s = 60) {
    std::filesystem::create_directories(dir / "config");
    GuiShot s{(dir / (name + ".png")).string(), {}};
    std::filesystem::remove(s.png);
    setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
    std::vector<std::string> cmd = {"/usr/bin/xvfb-run",
                                    "-a",
                                    "-s",
                                    screen,
                                    std::string(DAEMONLAB_BIN_DIR) + "/daemonlab",
                                    "gui",
                                    "--screenshot",
                                    s.png};
    cmd.insert(cmd.end(), args.begin(), args.end());
    s.process = run(cmd, timeout_s);
    return s;
}

} // namespace testing_support
