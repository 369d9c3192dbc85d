// room_cli.hpp — `daemonlab room`: a workshop room from a terminal (no window).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace lab {

struct RoomCommand {
    CLI::App* sub = nullptr;
    std::function<int()> run; // after parsing, when sub->parsed()
};
// Registers `room` on the CLI.
RoomCommand add_room_command(CLI::App& app);

} // namespace lab
