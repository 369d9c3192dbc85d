// python_engine.hpp — what the host needs to run a program on the real CPython interpreter
// under DaemonLab's tracer (demos/python/daemonlab_tracer.py), which writes the same trace
// protocol as the C++ model: where the tracer and the lessons' programs live, the pause
// points a program marks (`# step: NAME`), a check of the interpreter and its websockets,
// and faulthandler's stack dumps read back.
#pragma once

#include "lab/model/programs.hpp"
#include "lab/model/run_options.hpp"
#include "lab/model/timeline.hpp"

#include <atomic>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lab {

// The tracer, in python_dir().
std::string tracer_path();

// The lessons use websockets.sync, new in 11.0: the tracer refuses an older one
// (`--need-websockets`, a `refused what=websockets` event) before the lesson runs.
inline constexpr int kLessonsNeedWebsockets = 11;

// Runs `python` once (at most `timeout_ms`) to learn its version and that of the websockets
// it imports, with this PYTHONPATH. A run does not call it (the tracer reports the versions
// and refuses what it cannot run on the trace); the tests use it to decide what to skip.
// need_websockets: a missing or older (< 11) websockets is an error. Results are cached per
// (python, PYTHONPATH).
PythonCheck check_python(const std::string& python, bool need_websockets, int timeout_ms = 5000);

// Runs `args` (a name on PATH or a path), stdin /dev/null, for at most `timeout_ms` (then it
// is killed, with all it started); returns (its exit status, or -1 when it could not start,
// was killed or timed out; its stdout and stderr, the last 64 KiB). `stop`, when given and
// set (from another thread), ends it the same way within 100 ms ("Cancel").
std::pair<int, std::string> run_captured(const std::vector<std::string>& args, int timeout_ms,
                                         const std::atomic<bool>* stop = nullptr);

// faulthandler's dump of every thread ("Thread 0x00007f…  (most recent call first):" then
// "  File "…", line N in f" lines), keyed by the thread's ident in decimal (as the trace's
// `thread ident=` gives it). The tracer's own frames are left out. Untrusted text: lines are
// bounded, and at most `max_frames` frames per thread are kept.
Stacks parse_stacks(std::string_view dump, std::size_t max_frames = 32);

} // namespace lab
