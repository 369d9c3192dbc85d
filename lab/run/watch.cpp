#include "lab/run/watch.hpp"

#include "lab/model/chain.hpp"
#include "lab/model/io_wait.hpp"
#include "lab/model/run_limits.hpp"

#include <algorithm>

namespace lab {

namespace {
constexpr std::int64_t kMs = 1'000'000;
} // namespace

Watch::Watch(const RunOptions& options, std::int64_t spawned_ns)
    : options_(options), last_trace_(spawned_ns), stepping_(options.step) {
    if (!options.step)
        timeout_at_ =
            spawned_ns + std::int64_t{run_timeout_ms(options.grace_ms, options.timeout_ms)} * kMs;
}

Facts Watch::facts(const Timeline& t, std::int64_t now) const {
    Facts f{.timeline = t,
            .engine = options_.engine,
            .grace_ms = options_.grace_ms,
            .io_grace_ms = io_grace_ms(options_),
            .quiet_ns = now - last_trace_,
            .killed_by = killed_by_};
    if (confirmed_ >= 0) {
        f.hang_confirmed_ns = verdict_.hang_confirmed_ns;
        f.waiting_on = verdict_.waiting_on;
        f.io_quiet_ms = verdict_.io_quiet_ms;
    }
    return f;
}

void Watch::kill(KilledBy by, std::int64_t now, WatchActions& a) {
    if (!killed_by_) killed_by_ = by; // the first reason stays: who ended it
    kill_sent_ = now;
    a.kill = killed_by_;
}

WatchActions Watch::on_trace(const Timeline& t, std::int64_t now) {
    // Any event restarts the watch: the process moved.
    WatchActions a;
    const bool stuck = !stuck_waits(t).empty();
    const std::int64_t progress = last_progress_ns(t);
    // Only a periodic daemon thread woke up (websockets' keepalive): the suspicion, and the
    // quiet it counts from, stand.
    const auto& lanes = t.lanes();
    const std::vector<int> waited = waited_for(t);
    const bool ticking = std::any_of(lanes.begin(), lanes.end(), [&](const Lane& l) {
        return l.alive() && periodic(l, t, waited);
    });
    if (confirmed_ < 0 && stuck && ticking && suspected_ >= 0 && progress == progress_ns_) return a;
    last_trace_ = now;
    progress_ns_ = progress;
    if (confirmed_ >= 0) return a; // the verdict is in; the process only lingers
    suspected_ = stuck ? now : -1;
    suspect_grace_ms_ = hang_grace_ms(t, options_.grace_ms, io_grace_ms(options_));
    recheck_at_ = -1;
    if (suspected_ >= 0) {
        verdict_.hang_suspected_ns = suspected_;
        a.verdict_changed = true;
    }
    return a;
}

void Watch::on_tree(const Timeline& t, std::int64_t now) {
    const std::size_t peers = live_peers(t).size();
    if (peers < peers_) last_trace_ = std::max(last_trace_, now);
    peers_ = peers;
}

WatchActions Watch::on_command(WatchCommand c, std::int64_t now) {
    WatchActions a;
    switch (c) {
    case WatchCommand::kill:
        kill(KilledBy::user, now, a);
        break;
    case WatchCommand::end:
        kill(KilledBy::host, now, a);
        break;
    case WatchCommand::end_kept_hang:
        kill(confirmed_ >= 0 ? KilledBy::hang : KilledBy::host, now, a);
        break;
    case WatchCommand::go:
        a.control.push_back(trace::launch::kGo);
        break;
    case WatchCommand::run_to_end:
        if (stepping_) {
            stepping_ = false;
            a.control.push_back(trace::launch::kRun);
            a.close_control = true;
        }
        break;
    }
    return a;
}

WatchActions Watch::on_tick(const Timeline& t, std::int64_t now) {
    WatchActions a;
    if (killed_by_) { // sent, and the process is not gone yet: send it again
        if (now - kill_sent_ >= kKillAgainNs) kill(*killed_by_, now, a);
        return a;
    }
    if (confirmed_ < 0) {
        // A suspected hang on the real interpreter, still for half the grace: ask for every
        // thread's stack. Anything that moves later starts a new suspicion, and a new dump
        // replaces this one, so the stacks shown are those of the hang that was confirmed.
        if (options_.engine == trace::Engine::cpython && suspected_ >= 0 &&
            suspected_ != stacks_for_ && now - suspected_ >= options_.grace_ms * kMs / 2) {
            stacks_for_ = suspected_;
            a.request_stacks = true;
        }
        Verdict v = judge(facts(t, now));
        // Past the grace and still not a hang: a wait on I/O that a process of the program's
        // tree may still answer (io_wait.hpp). Look again soon: that process may end.
        if (v.outcome != Outcome::hung && suspected_ >= 0 &&
            now >= suspected_ + suspect_grace_ms_ * kMs)
            recheck_at_ = now + kRecheckNs;
        if (v.outcome == Outcome::hung) {
            confirmed_ = now;
            verdict_.io_quiet_ms = v.io_quiet_ms;
            verdict_.waiting_on = std::move(v.waiting_on);
            verdict_.hang_confirmed_ns = now;
            // Kept alive: the verdict is known now; the process lives on until the limit, the
            // user's Kill or the host's end. Otherwise it is told once the process is gone.
            if (options_.keep_hung_ms > 0) verdict_.outcome = Outcome::hung;
            a.verdict_changed = true;
        }
    }
    if (confirmed_ >= 0 && now - confirmed_ >= options_.keep_hung_ms * kMs)
        kill(KilledBy::hang, now, a);
    else if (confirmed_ < 0 && timeout_at_ >= 0 && now >= timeout_at_)
        kill(KilledBy::timeout, now, a);
    return a;
}

void Watch::on_exit(const Timeline& t, const ProcessEnd& end) {
    Facts f = facts(t, end.seen_ns);
    f.end = end;
    const std::int64_t suspected = verdict_.hang_suspected_ns;
    verdict_ = judge(f);
    verdict_.hang_suspected_ns = suspected;
}

std::int64_t Watch::deadline() const {
    if (killed_by_) return kill_sent_ + kKillAgainNs;
    if (confirmed_ >= 0) return confirmed_ + options_.keep_hung_ms * kMs;
    std::int64_t at = timeout_at_;
    auto until = [&](std::int64_t t) { at = at < 0 ? t : std::min(at, t); };
    if (suspected_ >= 0) {
        until(suspected_ + suspect_grace_ms_ * kMs);
        if (recheck_at_ >= 0) until(recheck_at_);
        if (options_.engine == trace::Engine::cpython && suspected_ != stacks_for_)
            until(suspected_ + options_.grace_ms * kMs / 2); // time to ask for the stacks
    }
    return at;
}

} // namespace lab
