// time_map.hpp — where on the timeline's time axis a moment of a run is drawn, and how a time
// reads there. Plain data, no drawing (tests/test_session.cpp checks it).
//
// A stepped run spends minutes paused and a kept-alive hang tens of seconds waiting, while
// what matters takes a few milliseconds: those idle stretches (nothing happens in the whole
// process) are collapsed into a break of a fixed shown length, labelled with the time it
// stands for. Time is shown relative to an origin — "main ended" when the compared runs all
// have one, so that they line up there — in "shown ms": real ms with the breaks taken out.
#pragma once

#include "lab/run/runner.hpp"

#include <string>
#include <utility>
#include <vector>

namespace gui {

struct TimeBreak {
    double shown = 0;            // where the break starts on the shown axis
    double length = 0;           // its shown length
    double real0 = 0, real1 = 0; // the real time it stands for (ms since the spawn)
    bool hang = false;           // the waiting after a confirmed hang (else a pause)
};

class TimeMap {
  public:
    // collapse: take idle pauses (and the hang's waiting beyond a few times the run's story)
    // out. align_main: shown 0 is main's end (else the run's first event).
    static TimeMap of(const lab::RunState& run, bool collapse, bool align_main);

    double shown(double real_ms) const; // ms since the spawn → shown ms
    double real(double shown_ms) const; // and back (a break's shown span maps to its start)
    double shown_ns(const lab::RunState& run, std::int64_t ns) const;
    const std::vector<TimeBreak>& breaks() const { return breaks_; }
    // The shown span from the first event to the run's end (or now).
    double lo() const { return lo_; }
    double hi() const { return hi_; }
    double origin() const { return origin_; } // real ms of shown 0

  private:
    std::vector<std::pair<double, double>> knots_; // (real ms, shown ms), both increasing
    std::vector<TimeBreak> breaks_;
    double origin_ = 0, lo_ = 0, hi_ = 1;
};

// The run's right edge in ms since the spawn: now while its process runs, its end after.
double run_end_ms(const lab::RunState& run);

// How a time reads: fmt_ms "2.50", "42.5", "708"; fmt_span "850 ms", "4.2 s", "3 min 20 s";
// tick_label, the axis's, always with its unit, and with as many decimals as its step needs.
std::string fmt_ms(double v);
std::string fmt_span(double ms);
std::string tick_label(double t, double step);

} // namespace gui
