// cli.cpp — `daemonlab`: the subcommands (each in its lab/term/cli_*.cpp), parsed once.
#include "lab/term/cli.hpp"

#include "lab/model/catalog.hpp"
#include "lab/term/cli_common.hpp"
#include "lab/term/room_cli.hpp"
#include "lab/term/terminal.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <unistd.h>
#include <vector>

namespace lab {
namespace {

// Chapter 2's lessons (CPython only) under their heading, which says how to run them.
int cmd_list(const Ui& ui) {
    constexpr std::size_t kId = 20;
    bool chapter2 = false;
    for (const Scenario& s : catalog()) {
        const std::string key = "scenario." + std::string(s.id);
        if (s.cpython_only && !chapter2) {
            chapter2 = true;
            std::cout << "\n"
                      << ui.strings.get("ui.chapter2", Lang::zh) << " / "
                      << ui.strings.get("ui.chapter2", Lang::en) << " (--engine python)\n";
        }
        std::cout << pad_to(std::string(s.id), kId);
        bool first = true;
        for (Lang l : {Lang::zh, Lang::en}) {
            if (!first) std::cout << pad_to("", kId);
            std::cout << ui.strings.get(key + ".title", l) << (l == Lang::zh ? "：" : ": ")
                      << ui.strings.get(key + ".summary", l) << "\n";
            first = false;
        }
    }
    return 0;
}

} // namespace

int cli_main(int argc, char** argv, const GuiCommand* gui) {
    // A write to a pipe nobody reads (a closed stdout, a dead demo's control pipe) is an
    // error to handle, never the host's death; demos start with the default again
    // (spawn_hygiene).
    std::signal(SIGPIPE, SIG_IGN);
    // No subcommand (nothing, or options only): the desktop app, as `daemonlab gui ...`.
    std::vector<char*> args(argv, argv + argc);
    const std::string first = argc > 1 ? argv[1] : "";
    char gui_word[] = "gui";
    if (argc < 2 ||
        (first.starts_with("-") && first != "--help" && first != "-h" && first != "--version"))
        args.insert(args.begin() + 1, gui_word);
    // The app is its own executable (main.cpp): `daemonlab gui ...` becomes it, in this
    // process (same pid, same arguments), before anything here is set up.
    const std::string app_exe = gui ? "" : libexec_path("daemonlab-gui");
    const bool has_app = gui || ::access(app_exe.c_str(), X_OK) == 0;
    if (!gui && std::string(args.size() > 1 ? args[1] : "") == "gui") {
        if (!has_app) {
            std::cerr << "daemonlab: this build has no desktop app; try: daemonlab list\n";
            return 2;
        }
        args.push_back(nullptr);
        ::execv(app_exe.c_str(), args.data());
        std::cerr << "daemonlab: cannot start the desktop app " << app_exe << ": "
                  << std::strerror(errno) << "; try: daemonlab list\n";
        return 1;
    }

    CLI::App app{"DaemonLab (守护线程实验室): why a program refuses to exit", "daemonlab"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "daemonlab 0.1.0");
    std::string lang = "en";

    auto* list = app.add_subcommand("list", "the scenarios, with a one-line summary");
    CLI::App* gui_cmd = nullptr;
    if (has_app) {
        gui_cmd = app.add_subcommand("gui", "the desktop app (the default without a subcommand)");
        if (gui) gui->add_options(*gui_cmd); // else it is run above, with its own options
    }

    Command run = add_run_command(app, lang);
    Command explain = add_explain_command(app, lang);
    Command attach = add_attach_command(app, lang);
    Command matrix = add_matrix_command(app, lang);
    Command serve = add_serve_command(app);
    Command setup = add_setup_python_command(app);
    RoomCommand room = add_room_command(app); // the workshop room (lab/term/room_cli.cpp)

    try {
        app.parse(int(args.size()), args.data());
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e); // prints the message and usage
        return 2;
    }
    if (gui && gui_cmd->parsed()) return gui->run();
    Ui ui;
    if (!load_strings(ui)) std::cerr << "daemonlab: going on without texts\n";
    ui.langs = parse_lang(lang);

    try {
        if (list->parsed()) return cmd_list(ui);
        for (const Command* c : {&run, &explain, &attach, &matrix, &serve, &setup})
            if (c->sub->parsed()) return c->run(ui);
        if (room.sub->parsed()) return room.run();
    } catch (const std::exception& e) {
        std::cerr << "daemonlab: " << e.what() << "\n";
        return 1;
    }
    return 2;
}

} // namespace lab
