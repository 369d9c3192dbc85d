#include "lab/model/judge.hpp"

#include "lab/model/io_wait.hpp"

#include <string>

namespace lab {

namespace {

// A program that never ran: a syntax error (the tracer reports main ending in SyntaxError).
// "" otherwise. (Whatever the exit status: a program that ran and exited with 2 ran.)
std::string syntax_error(const Timeline& t) {
    const std::string& exc = t.main_exception();
    if (t.main_end_how() == trace::MainEnd::exception &&
        (exc.starts_with("SyntaxError") || exc.starts_with("IndentationError") ||
         exc.starts_with("TabError")))
        return exc.substr(exc.find('\n') + 1);
    return {};
}

void judge_exit(const Facts& f, Verdict& v) {
    v.outcome = Outcome::exited;
    v.exit_code = f.end->status;
    if (f.timeline.main_end_ns() >= 0)
        v.main_end_to_exit_ms = double(f.end->seen_ns - f.timeline.main_end_ns()) / 1e6;
    if (const std::optional<Refusal>& r = f.timeline.refusal()) {
        // Refused by the writer: the program is not a runnable file (bad input), or the
        // interpreter or its websockets cannot run it (a failure to run).
        v.outcome = r->what == trace::Refusal::program ? Outcome::error : Outcome::failed;
        v.error = r->text;
    } else if (f.engine == trace::Engine::cpython) {
        if (std::string why = syntax_error(f.timeline); !why.empty()) {
            v.outcome = Outcome::error;
            v.error = why;
        }
    }
}

void judge_signal(const Facts& f, Verdict& v) {
    v.signal = f.end->status;
    const bool confirmed = f.hang_confirmed_ns >= 0;
    if (confirmed && f.killed_by) { // a confirmed hang, ended by us: who ended it
        v.outcome = Outcome::hung;
        v.killed_by = f.killed_by;
    } else if (f.killed_by == KilledBy::hang)
        v.outcome = Outcome::hung;
    else if (f.killed_by) {
        v.outcome = f.killed_by == KilledBy::timeout ? Outcome::timed_out : Outcome::killed;
        v.killed_by = f.killed_by;
    } else
        v.outcome = Outcome::crashed;
}

} // namespace

Verdict judge(const Facts& f) {
    Verdict v;
    v.hang_confirmed_ns = f.hang_confirmed_ns;
    v.waiting_on = f.waiting_on;
    v.io_quiet_ms = f.io_quiet_ms;
    if (f.end) {
        v.exit_seen_ns = f.end->seen_ns;
        if (f.end->by_signal)
            judge_signal(f, v);
        else
            judge_exit(f, v);
        return v;
    }
    if (f.hang_confirmed_ns >= 0) {
        v.outcome = Outcome::hung;
        v.io_quiet_ms = f.io_quiet_ms;
        return v;
    }
    // The hang rule: shutdown waits and no thread can move (stuck_waits), and nothing at all
    // has happened for the grace. A wait on I/O is judged by the other end (io_wait.hpp):
    // still running while a process of the program's own tree may answer, else a hang after
    // the I/O grace.
    std::vector<int> stuck = stuck_waits(f.timeline);
    if (stuck.empty()) return v;
    const bool io = f.io_grace_ms >= 0 && !io_waits(f.timeline).empty();
    if (io && !live_peers(f.timeline).empty()) return v;
    const int grace = hang_grace_ms(f.timeline, f.grace_ms, f.io_grace_ms);
    if (f.quiet_ns >= std::int64_t{grace} * 1'000'000) {
        v.outcome = Outcome::hung;
        v.waiting_on = std::move(stuck);
        if (io) v.io_quiet_ms = grace;
    }
    return v;
}

} // namespace lab
