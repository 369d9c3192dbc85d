// catalog.hpp — the scenarios, defined once. Each id names a program, demos/scenarios/<id>.cpp
// (with '_' for '-'), built as libexec/daemonlab/demo-<id> (not for a cpython_only one); CMake
// reads the ids from this file (demos/CMakeLists.txt), and the host's catalog
// (lab/model/catalog.hpp) adds what it shows.
#pragma once

#include <string_view>

namespace demo {

struct ScenarioInfo {
    std::string_view id;
    bool close_by_default = false; // explicit-close closes unless told --no-close
    bool uses_receiver = true;     // false for the async client: it has no recv_events thread
    bool sandbox = false;          // takes --connect-in/--worker/--with-block
    // Chapter 2 ("the same trap elsewhere"): a real Python program only, with no C++ model
    // demo (CMake builds no demo-<id>); it runs on the CPython engine and needs no websockets.
    // Its close switch (CLOSE=1) is the lesson's fix.
    bool cpython_only = false;
};

// One scenario a line, in the order the app lists them.
// clang-format off
// Chapter 1's order is a teaching order; docs/WORKSHOP.md says why.
inline constexpr ScenarioInfo kScenarios[] = {
    {.id = "passed-in"},
    {.id = "threaded-client"},
    {.id = "inside-thread"},
    {.id = "explicit-close", .close_by_default = true},
    {.id = "with-block"},
    {.id = "atexit-close"},
    {.id = "async-client", .uses_receiver = false},
    {.id = "sandbox", .sandbox = true},
    // Chapter 2: the same trap elsewhere.
    {.id = "pool-atexit", .uses_receiver = false, .cpython_only = true},
    {.id = "asyncio-executor", .uses_receiver = false, .cpython_only = true},
    {.id = "socketserver-close", .uses_receiver = false, .cpython_only = true},
    {.id = "mp-queue", .uses_receiver = false, .cpython_only = true},
    {.id = "timer-poller", .uses_receiver = false, .cpython_only = true},
    {.id = "daemon-cut-off", .uses_receiver = false, .cpython_only = true},
};
// clang-format on

constexpr const ScenarioInfo* find_scenario(std::string_view id) {
    for (const ScenarioInfo& s : kScenarios)
        if (s.id == id) return &s;
    return nullptr;
}

} // namespace demo
