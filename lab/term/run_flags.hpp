// run_flags.hpp — the flags that set a run, one typed vocabulary for every command that
// starts runs (run, explain, matrix, room, gui): each flag's name, values, help and checks
// are said once here, and the command line a run prints back is made from the same words.
#pragma once

#include "lab/model/run_options.hpp"

#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace lab {

// Which flags a command takes, or-ed together.
namespace run_flag {
inline constexpr unsigned scenario = 1u << 0;        // the scenario id, positional (run)
inline constexpr unsigned scenario_option = 1u << 1; // --scenario ID (gui: the one to open)
inline constexpr unsigned engine = 1u << 2;          // --engine model|python, --python
inline constexpr unsigned python = 1u << 3;          // --python alone (explain: always CPython)
inline constexpr unsigned receiver = 1u << 4;        // --receiver
inline constexpr unsigned close = 1u << 5;           // --close
inline constexpr unsigned no_close = 1u << 6;        // --no-close (with --close)
inline constexpr unsigned sandbox = 1u << 7;         // --connect-in, --worker, --with-block
inline constexpr unsigned grace = 1u << 8;           // --grace MS
inline constexpr unsigned timeout = 1u << 9;         // --timeout S
inline constexpr unsigned io_grace = 1u << 10;       // --io-grace MS (a program of the user's)
} // namespace run_flag

// explain's `--python all`: the program on every supported CPython found, side by side.
inline constexpr std::string_view kEveryInterpreter = "all";

// What the command line said, typed; unset: the flag was not given.
struct RunFlags {
    std::optional<std::string> scenario;
    std::optional<trace::Engine> engine;
    std::optional<std::string> python;
    std::optional<trace::Receiver> receiver;
    std::optional<bool> close; // --close: true, --no-close: false
    std::optional<trace::ConnectIn> connect_in;
    std::optional<trace::Worker> worker;
    bool with_block = false;
    std::optional<std::string> grace;    // as typed: parse_grace_ms says what is wrong with it
    std::optional<std::string> io_grace; // --io-grace, as typed (the same rule)
    std::optional<double> timeout_s;

    // Declares the `which` flags (run_flag::...) on `cmd`, writing into this object, which
    // must outlive the parse.
    void add_to(CLI::App& cmd, unsigned which);

    // The run the command line asks for: `base` (the command's own defaults) with every
    // flag that was given. Without --receiver, the engine's default receiver (CPython runs
    // websockets as installed). Returns "" and sets `out`, or what is wrong in the flag's
    // words (--grace out of range, --receiver library on the model): a bad input, status 2.
    // The catalog's checks are validate()'s (a command without a scenario has none).
    std::string options(const RunOptions& base, RunOptions& out) const;
};

// The command line that runs `o` again as it ran: `daemonlab run SCENARIO ...` or
// `daemonlab explain PROGRAM ...`, with every setting that is not the default (the receiver
// and close always, as the verdict depends on them), quoted for a POSIX shell where needed.
// Not --step, --json, --lang or --trace-out: they say how to watch a run, not what it runs.
std::string command_line(const RunOptions& o);

} // namespace lab
