// timeline_thin.cpp — the timeline's memory cap (timeline.hpp, "Memory is bounded"): repeats
// of one wait merged, a lane's older half drawn as one segment, old finished lanes and
// surplus markers dropped; each counted, so the output can say the trace was thinned.
#include "lab/model/timeline.hpp"

#include <algorithm>

namespace lab {

namespace {

bool same_wait(const Segment& a, const Segment& b) {
    return a.state == ThreadState::blocked && b.state == ThreadState::blocked &&
           a.on_text == b.on_text && a.at == b.at && a.target == b.target &&
           a.timeout == b.timeout && a.call == b.call && !a.thinned;
}

// The shutdown's markers are what the verdict and the explanation stand on: always kept.
bool always_kept(MarkKind k) {
    switch (k) {
    case MarkKind::main_end:
    case MarkKind::threading_atexit:
    case MarkKind::shutdown:
    case MarkKind::shutdown_wait:
    case MarkKind::atexit:
    case MarkKind::exit:
        return true;
    default:
        return false;
    }
}

} // namespace

// A lane that has grown past kThinAfter and enters the wait it was just in again (after a
// run between, or at once): the earlier segment goes on, one more repeat.
bool Timeline::merge_repeat(Lane& l, const Segment& s) {
    auto& segs = l.segments;
    const std::size_t n = segs.size();
    if (n < kThinAfter || s.state != ThreadState::blocked) return false;
    if (same_wait(segs[n - 1], s)) { // blocked again on the same, with no run between
        segs[n - 1].t1 = -1;
        segs[n - 1].deadline = s.deadline; // the wait's latest deadline is the one that counts
        ++segs[n - 1].repeats;
        ++thinned_.merged;
        return true;
    }
    if (segs[n - 1].state != ThreadState::running || !same_wait(segs[n - 2], s)) return false;
    segs[n - 2].t1 = -1;
    segs[n - 2].deadline = s.deadline;
    segs[n - 2].repeats += 1 + segs[n - 1].repeats;
    segs.pop_back();
    --segments_;
    thinned_.merged += 2;
    return true;
}

// Too many segments in all: this lane's older half (never its current one) becomes one.
void Timeline::thin_lane(Lane& l) {
    auto& segs = l.segments;
    if (segs.size() < 8) return;
    const std::size_t half = segs.size() / 2;
    Segment one;
    one.t0 = segs.front().t0;
    one.t1 = segs[half - 1].t1;
    one.state = ThreadState::running;
    one.thinned = true;
    for (std::size_t i = 0; i < half; ++i) one.repeats += 1 + segs[i].repeats;
    one.repeats -= 1;
    segs.erase(segs.begin(), segs.begin() + std::ptrdiff_t(half));
    segs.insert(segs.begin(), std::move(one));
    segments_ -= half - 1;
    thinned_.merged += half - 1;
}

// Too many lanes: the oldest finished ones go (a short-lived thread per request, for an
// hour), down to three quarters of the cap. Live lanes and main stay.
void Timeline::drop_finished_lanes() {
    std::size_t excess = lanes_.size() - kMaxLanes * 3 / 4;
    auto gone = [&](const Lane& l) {
        if (excess == 0 || l.alive() || l.is_main() || l.segments.empty()) return false;
        --excess;
        segments_ -= l.segments.size();
        ++thinned_.lanes;
        return true;
    };
    lanes_.erase(std::remove_if(lanes_.begin(), lanes_.end(), gone), lanes_.end());
}

void Timeline::add_marker(Marker m) {
    if (markers_.size() >= kMaxMarkers && !always_kept(m.kind)) {
        ++thinned_.markers;
        return;
    }
    markers_.push_back(std::move(m));
}

} // namespace lab
