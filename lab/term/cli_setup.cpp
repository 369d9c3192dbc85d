// cli_setup.cpp — `daemonlab setup-python`: private virtual environments with the real
// websockets 12.0, 13.0 and the newest (lab/run/setup_python.hpp), and how to run on them.
#include "lab/term/cli_common.hpp"

#include "lab/model/sanitize.hpp"
#include "lab/run/setup_python.hpp"

#include <iostream>
#include <memory>

namespace lab {

Command add_setup_python_command(CLI::App& app) {
    struct State {
        SetupOptions opt;
    };
    auto s = std::make_shared<State>();
    auto* cmd = app.add_subcommand(
        "setup-python",
        "make private virtual environments with the real websockets 12.0, 13.0 and the newest "
        "(under $XDG_DATA_HOME/daemonlab or ~/.local/share/daemonlab), so the lessons run on "
        "each, offline");
    cmd->add_option("--python", s->opt.python, "the interpreter to make them with")
        ->default_str("python3");
    cmd->add_option("--find-links", s->opt.find_links,
                    "install from this directory of wheels only (pip --no-index), not the "
                    "network");
    cmd->footer("Exit status: 0 when every environment is ready, 1 when one could not be made "
                "(the reason on stderr; nothing half-made is left), 2 on bad input.");
    return {cmd, [s](const Ui&) {
                std::vector<RealPython> made;
                const std::size_t total = kRealWebsockets.size();
                std::size_t step = 0;
                const std::string err = setup_python(s->opt, made, [&](std::string_view line) {
                    if (line.find(": ready, ") != std::string_view::npos ||
                        line.find(": already there, ") != std::string_view::npos)
                        ++step;
                    std::cout << "[" << std::min(step + 1, total) << "/" << total << "] "
                              << terminal_safe(line) << std::endl;
                });
                if (!err.empty()) {
                    std::cerr << "daemonlab setup-python: " << terminal_safe(err) << "\n";
                    return 1;
                }
                std::cout << "\nThe lessons on the real library, side by side:\n";
                for (const RealPython& r : made)
                    std::cout << "  daemonlab run passed-in --engine python --receiver library "
                                 "--python "
                              << terminal_safe(r.python) << "   # websockets "
                              << terminal_safe(r.websockets) << " (real)\n";
                return 0;
            }};
}

} // namespace lab
