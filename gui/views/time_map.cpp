#include "gui/views/time_map.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {
namespace {

constexpr double kMinGapMs = 60;    // an idle stretch shorter than this stays as it is
constexpr double kMarginMs = 8;     // ... and this much of it stays on each side of a break
constexpr double kMinHangMs = 1500; // a kept hang shows this much waiting, at least, as is

double ms_since(const lab::RunState& run, std::int64_t ns) {
    return double(ns - run.spawned_ns) / 1e6;
}

} // namespace

double run_end_ms(const lab::RunState& run) {
    std::int64_t end = run.now_ns;
    if (run.finished() && !run.alive)
        end = std::max(run.verdict.exit_seen_ns, run.timeline.last_ns());
    return std::max(1.0, ms_since(run, end));
}

TimeMap TimeMap::of(const lab::RunState& run, bool collapse, bool align_main) {
    TimeMap m;
    const double end = run_end_ms(run);
    const double start =
        std::min(0.0, run.timeline.first_ns() >= 0 ? ms_since(run, run.timeline.first_ns()) : 0);
    std::vector<std::pair<double, double>> gaps; // real, to collapse
    if (collapse) {
        // Every moment something happened: no break may swallow one.
        std::vector<double> events{start, end};
        std::vector<std::pair<double, double>> paused;
        for (const lab::Lane& lane : run.timeline.lanes())
            for (const lab::Segment& s : lane.segments) {
                const double a = ms_since(run, s.t0), b = s.t1 < 0 ? end : ms_since(run, s.t1);
                events.push_back(a);
                if (s.t1 >= 0) events.push_back(b);
                if (s.state == lab::ThreadState::paused) paused.emplace_back(a, b);
            }
        for (const lab::Marker& mk : run.timeline.markers()) events.push_back(ms_since(run, mk.t));
        std::sort(events.begin(), events.end());
        std::sort(paused.begin(), paused.end());
        std::vector<std::pair<double, double>> merged;
        for (auto [a, b] : paused)
            if (!merged.empty() && a <= merged.back().second)
                merged.back().second = std::max(merged.back().second, b);
            else
                merged.emplace_back(a, b);
        // The idle stretches inside each pause: between two consecutive events.
        for (auto [a, b] : merged) {
            auto it = std::lower_bound(events.begin(), events.end(), a);
            double p = a;
            for (; it != events.end() && *it <= b; ++it) {
                if (*it - p > kMinGapMs) gaps.emplace_back(p + kMarginMs, *it - kMarginMs);
                p = std::max(p, *it);
            }
            if (b - p > kMinGapMs) gaps.emplace_back(p + kMarginMs, b - kMarginMs);
        }
        // A hang kept alive: show its waiting as it is up to a few times the run's story
        // (the lanes grow), then as a break that keeps counting, and the live edge.
        if (run.verdict.hang_confirmed_ns >= 0) {
            const double c = ms_since(run, run.verdict.hang_confirmed_ns);
            double story = c - start;
            for (auto [a, b] : gaps)
                if (b <= c) story -= b - a;
            const double cap = std::max(kMinHangMs, 2 * story), tail = cap * 0.08;
            if (end - c > cap + tail + kMinGapMs) gaps.emplace_back(c + cap, end - tail);
        }
    }
    std::sort(gaps.begin(), gaps.end());
    double collapsed = 0;
    for (auto [a, b] : gaps) collapsed += b - a;
    const double length = std::max(0.5, 0.06 * (end - start - collapsed));
    // Knots of a piecewise-linear map (slope 1 outside breaks), from `start` at 0 ...
    const double confirmed =
        run.verdict.hang_confirmed_ns >= 0 ? ms_since(run, run.verdict.hang_confirmed_ns) : 1e300;
    double at = 0, prev = start;
    for (auto [a, b] : gaps) {
        if (a < prev) continue; // overlapping (cannot happen: events bound them); skip
        at += a - prev;
        m.breaks_.push_back({at, length, a, b, a >= confirmed});
        m.knots_.emplace_back(a, at);
        at += length;
        m.knots_.emplace_back(b, at);
        prev = b;
    }
    // ... then shifted so that the origin is 0.
    m.origin_ = align_main && run.timeline.main_end_ns() >= 0
                    ? ms_since(run, run.timeline.main_end_ns())
                    : start;
    m.knots_.insert(m.knots_.begin(), {start, 0.0});
    const double shift = m.shown(m.origin_);
    for (auto& k : m.knots_) k.second -= shift;
    for (TimeBreak& br : m.breaks_) br.shown -= shift;
    m.lo_ = m.shown(start);
    m.hi_ = m.shown(end);
    return m;
}

double TimeMap::shown(double real_ms) const {
    if (knots_.empty()) return real_ms - origin_;
    auto it = std::upper_bound(knots_.begin(), knots_.end(), real_ms,
                               [](double v, const auto& k) { return v < k.first; });
    if (it == knots_.begin()) return real_ms - it->first + it->second;
    auto k0 = std::prev(it);
    if (it == knots_.end() || it->first - k0->first <= 0) return real_ms - k0->first + k0->second;
    return k0->second + (real_ms - k0->first) / (it->first - k0->first) * (it->second - k0->second);
}

double TimeMap::real(double shown_ms) const {
    if (knots_.empty()) return shown_ms + origin_;
    auto it = std::upper_bound(knots_.begin(), knots_.end(), shown_ms,
                               [](double v, const auto& k) { return v < k.second; });
    if (it == knots_.begin()) return shown_ms - it->second + it->first;
    auto k0 = std::prev(it);
    if (it == knots_.end() || it->second - k0->second <= 0)
        return shown_ms - k0->second + k0->first;
    return k0->first +
           (shown_ms - k0->second) / (it->second - k0->second) * (it->first - k0->first);
}

double TimeMap::shown_ns(const lab::RunState& run, std::int64_t ns) const {
    return shown(ms_since(run, ns));
}

std::string fmt_ms(double v) {
    char b[32];
    const double a = std::abs(v);
    std::snprintf(b, sizeof b, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", v);
    return b;
}

std::string fmt_span(double ms) {
    char b[48];
    if (ms < 1000)
        std::snprintf(b, sizeof b, "%.0f ms", ms);
    else if (ms < 60000)
        std::snprintf(b, sizeof b, "%.1f s", ms / 1000);
    else
        std::snprintf(b, sizeof b, "%d min %d s", int(ms / 60000),
                      int(std::fmod(ms, 60000) / 1000));
    return b;
}

// A tick's label, always with its unit: ms below a second, else s ("-27 s", never "-27000").
std::string tick_label(double t, double step) {
    char b[48];
    const char* sign = t > 0 ? "+" : "";
    if (step >= 1000)
        std::snprintf(b, sizeof b,
                      step >= 10000 || std::fmod(t, 1000) == 0 ? "%s%.0f s" : "%s%.1f s", sign,
                      t / 1000);
    else if (step >= 1)
        std::snprintf(b, sizeof b, "%s%s ms", sign, fmt_ms(t).c_str());
    else // zoomed in: as many decimals as the step needs ("+708.005 ms"), so no two read alike
        std::snprintf(b, sizeof b, "%s%.*f ms", sign, int(std::ceil(-std::log10(step) - 1e-9)), t);
    return b;
}

} // namespace gui
