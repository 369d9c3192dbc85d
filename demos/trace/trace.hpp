// trace.hpp — the event writer a demo process uses to tell the host what its threads do.
//
// The protocol (names in protocol.hpp, words in docs/TRACE-PROTOCOL.md): one event per line,
//
//     <monotonic ns> TAB <thread id> TAB <kind> [TAB key=value]... LF
//
// values escaping backslash, TAB and LF as \\ \t \n. Each line is written with a single
// write(2) of at most kMaxLine bytes, which POSIX makes atomic on a pipe (< PIPE_BUF), so
// threads emit events without taking a lock. Timestamps are CLOCK_MONOTONIC, the same clock
// the host reads, so the host can place its own observations (the exit) on the same axis.
#pragma once

#include "demos/trace/protocol.hpp"

#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace trace {

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
void emit(int tid, Kind kind, std::initializer_list<Field> fields = {});

} // namespace trace
