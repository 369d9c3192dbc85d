#include "export.hpp"

#include "safe_write.hpp"

#include <nlohmann/json.hpp>

namespace lab {

using nlohmann::json;

std::string chrome_trace_json(const RunState& run) {
    const Timeline& t = run.timeline;
    const std::int64_t t0 = run.spawned_ns;
    auto us = [&](std::int64_t ns) { return double(ns - t0) / 1000.0; };
    const int pid = run.pid > 0 ? run.pid : 1;
    json events = json::array();
    events.push_back({{"ph", "M"},
                      {"pid", pid},
                      {"name", "process_name"},
                      {"args", {{"name", "demo-" + run.options.scenario}}}});
    for (const Lane& l : t.lanes()) {
        std::string label = l.name + (l.daemon ? " (daemon)" : " (non-daemon)");
        events.push_back({{"ph", "M"},
                          {"pid", pid},
                          {"tid", l.tid},
                          {"name", "thread_name"},
                          {"args", {{"name", label}}}});
        events.push_back({{"ph", "M"},
                          {"pid", pid},
                          {"tid", l.tid},
                          {"name", "thread_sort_index"},
                          {"args", {{"sort_index", l.tid}}}});
        for (const Segment& s : l.segments) {
            if (s.state == ThreadState::done) continue;
            std::string name(trace::name(s.state));
            if (s.state == ThreadState::blocked) name += ": " + s.on_text;
            if (s.state == ThreadState::paused) name += ": " + s.step;
            const std::int64_t end = s.t1 < 0 ? t.last_ns() : s.t1;
            events.push_back(
                {{"ph", "X"},
                 {"pid", pid},
                 {"tid", l.tid},
                 {"name", name},
                 {"cat", trace::name(s.state)},
                 {"ts", us(s.t0)},
                 {"dur", us(end) - us(s.t0)},
                 {"args", {{"daemon", l.daemon}, {"daemon_source", trace::name(l.source)}}}});
        }
    }
    for (const Marker& m : t.markers()) {
        events.push_back({{"ph", "i"},
                          {"s", "t"},
                          {"pid", pid},
                          {"tid", m.tid},
                          {"name", trace::name(m.kind)},
                          {"ts", us(m.t)},
                          {"args", {{"text", m.text}}}});
    }
    if (run.verdict.exit_seen_ns >= 0)
        events.push_back({{"ph", "i"},
                          {"s", "p"},
                          {"pid", pid},
                          {"tid", 0},
                          {"name", "verdict: " + std::string(to_string(run.verdict.outcome))},
                          {"ts", us(run.verdict.exit_seen_ns)}});
    // Names are valid UTF-8 already (the trace parser makes them so); should one ever not
    // be, it is replaced rather than the export thrown away.
    return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

std::string write_chrome_trace(const RunState& run, const std::string& path) {
    return write_file_atomic(path, chrome_trace_json(run));
}

} // namespace lab
