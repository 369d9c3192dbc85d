// export.hpp — a run's timeline as Chrome Trace Event Format JSON, which Perfetto
// (ui.perfetto.dev) and chrome://tracing open: one track per thread, named after it.
#pragma once

#include "lab/run/runner.hpp"

#include <string>

namespace lab {

// The trace carries the run's settings and verdict in "metadata" (and how the run ended:
// for a confirmed hang, who killed it); with `strings`, the end and the verdict's reasons
// are also said in words, in Chinese and English.
std::string chrome_trace_json(const RunState& run, const Strings* strings = nullptr);
// Writes it through a temporary file and rename (lab/safe_write): returns "" or an error
// message naming the file and the reason; on failure an older file is left as it was.
std::string write_chrome_trace(const RunState& run, const std::string& path,
                               const Strings* strings = nullptr);

} // namespace lab
