// trace.hpp — the event writer a demo process uses to tell the host what its threads do.
//
// Protocol (read by lab/trace_parser): one event per line, fields separated by TAB:
//
//     <monotonic ns> TAB <thread ident> TAB <kind> [TAB key=value]... LF
//
// Values escape backslash, TAB and LF as \\ \t \n. Each line is written with a single
// write(2) of at most kMaxLine bytes, which POSIX makes atomic on a pipe (< PIPE_BUF), so
// threads emit events without taking a lock. Timestamps are CLOCK_MONOTONIC, the same clock
// the host reads, so the host can place its own observations (the exit) on the same axis.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace trace {

inline constexpr std::size_t kMaxLine = 4000; // < PIPE_BUF (4096): one atomic write

// Event kinds. The host's parser knows the same names (lab/trace_parser.cpp).
namespace kind {
inline constexpr std::string_view process = "process";     // pid=, scenario=
inline constexpr std::string_view thread = "thread";       // name= daemon=0|1 source= creator=
inline constexpr std::string_view state = "state";         // state= [on=] [target=] [pending=]
inline constexpr std::string_view connected = "connected"; // uri=
inline constexpr std::string_view message = "message";     // text=  (a frame arrived)
inline constexpr std::string_view print = "print";         // text=  (the scenario printed)
inline constexpr std::string_view closed = "closed";       // code= reason=
inline constexpr std::string_view step = "step";           // name=  (a pause point reached)
inline constexpr std::string_view main_end = "main-end";   // how=return|exit code=
inline constexpr std::string_view shutdown = "shutdown";   // the interpreter's _shutdown began
inline constexpr std::string_view shutdown_wait = "shutdown-wait"; // target=
inline constexpr std::string_view exit = "exit";                   // code=
inline constexpr std::string_view error = "error";                 // text=
} // namespace kind

struct Field {
    std::string_view key;
    std::string_view value;
};

// Where events go. fd < 0 (the default) disables tracing; the demo's main sets it from
// its --trace-fd argument before any thread starts.
void open(int fd);
bool enabled();

std::int64_t now_ns();

// Formats and writes one event for the thread with the given ident.
void emit(int tid, std::string_view kind, std::initializer_list<Field> fields = {});

} // namespace trace
