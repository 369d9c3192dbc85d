// python_engine.hpp — what the host needs to run a program on the real CPython interpreter
// under DaemonLab's tracer (demos/python/daemonlab_tracer.py), which writes the same trace
// protocol as the C++ model: where the tracer and the lessons' programs live, the pause
// points a program marks (`# step: NAME`), a check of the interpreter and its websockets,
// and faulthandler's stack dumps read back.
#pragma once

#include "programs.hpp"
#include "timeline.hpp"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

// The tracer, in python_dir().
std::string tracer_path();

struct PythonCheck {
    std::string python;     // the interpreter as given
    std::string version;    // "3.11.2", or "" when it could not run
    std::string websockets; // its websockets version, or "" when it has none
    std::string error;      // what is wrong and how to fix it, or ""
};
// Runs `python` once (at most `timeout_ms`) to learn its version and that of the websockets
// it imports, with this PYTHONPATH. need_websockets: a missing or older (< 11) websockets
// is an error. Results are cached per (python, PYTHONPATH).
PythonCheck check_python(const std::string& python, bool need_websockets, int timeout_ms = 5000);

// faulthandler's dump of every thread ("Thread 0x00007f…  (most recent call first):" then
// "  File "…", line N in f" lines), keyed by the thread's ident in decimal (as the trace's
// `thread ident=` gives it). The tracer's own frames are left out. Untrusted text: lines are
// bounded, and at most `max_frames` frames per thread are kept.
Stacks parse_stacks(std::string_view dump, std::size_t max_frames = 32);

} // namespace lab
