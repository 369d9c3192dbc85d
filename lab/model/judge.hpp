// judge.hpp — the verdict from everything seen of a run so far: the trace (as a timeline),
// how the process ended (or that it has not), who ended it, how long nothing has moved. Pure:
// no clock, no processes; the runner's Watch feeds it, and tests feed it recorded traces.
// Both engines (the C++ model demos and CPython under the tracer) are judged here.
#pragma once

#include "demos/trace/protocol.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/verdict.hpp"

#include <cstdint>
#include <optional>
#include <vector>

namespace lab {

// How the process ended, as waitid() told the host.
struct ProcessEnd {
    bool by_signal = false;    // false: it exited by itself, with `status` as its exit code
    int status = 0;            // the exit code, or the signal
    std::int64_t seen_ns = -1; // the host's CLOCK_MONOTONIC when it saw the end
};

// What is known of a run at one moment. New rules add their facts here.
struct Facts {
    const Timeline& timeline;
    trace::Engine engine = trace::Engine::model;
    int grace_ms = 300;   // a hang is confirmed after this long with nothing new
    int io_grace_ms = -1; // ... or this long, when it waits on I/O (io_wait.hpp); -1: no I/O rule
    std::int64_t quiet_ns = 0; // since the last movement (the last trace the host read)
    // A hang confirmed earlier stays the verdict, naming the threads it named then, whatever
    // the process does afterwards (kept alive, it may still write).
    std::int64_t hang_confirmed_ns = -1;
    std::vector<int> waiting_on;
    int io_quiet_ms = -1;              // a hang confirmed earlier on I/O: its grace
    std::optional<KilledBy> killed_by; // the host ended it (or has sent the kill)
    std::optional<ProcessEnd> end;     // unset: the process still runs
};

// The verdict so far: `running` while nothing is decided; `hung` once a suspected hang
// (verdict.hpp: stuck_waits) has been quiet for the grace, or was confirmed before; at the
// end, how it ended and why. The host's timestamps of the suspicion and the confirmation are
// the Watch's to fill (hang_confirmed_ns is copied from the facts).
Verdict judge(const Facts& f);

} // namespace lab
