// verdict.hpp — how a run ended, and why, from the host's observation and the trace.
#pragma once

#include "lab/model/strings.hpp"
#include "lab/model/timeline.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

enum class Outcome {
    running,
    exited,    // the process ended by itself
    hung,      // shutdown waited on a thread that could not move; confirmed, then killed
    crashed,   // a signal ended it
    killed,    // the user or the host ended it
    timed_out, // still running at the time limit, and not a hang (main had not ended, or a
               // thread could still move)
    failed,    // it could not be started or watched
    error,     // the program itself is broken (a syntax error, a missing file)
};
// Who ended a run that did not end by itself.
enum class KilledBy { hang, user, timeout, host };
std::string_view to_string(Outcome o); // "exited", "hung", ... (the JSON's `verdict`)
std::string_view to_string(KilledBy k);
// The content key that says how a confirmed hang ended: "end.hang" (DaemonLab, at the limit
// or at once), "end.hang-user" (Kill), "end.hang-host" (DaemonLab closing).
std::string hang_end_key(KilledBy by);

struct Verdict {
    Outcome outcome = Outcome::running;
    int exit_code = -1;                  // exited
    int signal = 0;                      // crashed (or the signal we killed with)
    double main_end_to_exit_ms = -1;     // exited: from main's end (trace) to the exit (host)
    std::vector<int> waiting_on;         // hung: the non-daemon threads shutdown waits for
    std::optional<KilledBy> killed_by;   // when the host ended it
    std::string error;                   // failed: why the demo could not run
    std::int64_t exit_seen_ns = -1;      // host's CLOCK_MONOTONIC when it saw the end
    std::int64_t hang_suspected_ns = -1; // the process stopped making progress
    std::int64_t hang_confirmed_ns = -1; // ... and the grace passed with nothing new
    int io_quiet_ms = -1; // hung on a wait on I/O: no data came for this long (io_wait.hpp)
};

// Nothing will end this wait by itself (after main ended: untimed, and no reply on its way).
bool waits_forever(const Segment& s);

// The interpreter's shutdown is waiting, and no thread can make progress: every live
// thread is blocked with no deadline and no reply expected. Returns the non-daemon
// threads shutdown still has to wait for (empty when the process is not stuck).
std::vector<int> stuck_waits(const Timeline& t);

// The threads the interpreter waits for, by tid: a hang's; or, while the run still goes on or
// when its time limit came after main ended, the thread the shutdown is joining (it has not
// ended yet; it may still).
std::vector<int> awaited(const Verdict& v, const Timeline& t);

// One-line verdict and the lines of its explanation, in the given language.
std::string headline(const Verdict& v, const Timeline& t, const Strings& s, Lang lang);
// With the threads' Python stacks (CPython engine), a hung thread's lines say where it was
// created and where it is blocked now.
std::vector<std::string> explanation(const Verdict& v, const Timeline& t, const Strings& s,
                                     Lang lang, const Stacks* stacks = nullptr);
// The innermost frame of the program or a library (not the interpreter's own threading.py,
// ssl.py, socket.py...) on a thread's stack, as "file:line in function", or "".
std::string blocked_at(const Lane& l, const Stacks& stacks);
// What a blocked state means, for people ("reading the socket", "waiting for a message").
std::string describe_wait(const Segment& seg, const Timeline& t, const Strings& s, Lang lang);
// "non-daemon, inherited from MainThread" and the like.
std::string describe_daemon(const Lane& l, const Strings& s, Lang lang);

} // namespace lab
