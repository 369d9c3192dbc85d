#include "lab/term/export.hpp"

#include "lab/term/safe_write.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

namespace lab {

using nlohmann::json;

namespace {

// The program's file name (a user's program on CPython), or "".
std::string program_name(const RunState& run) {
    return run.options.program.empty()
               ? std::string()
               : std::filesystem::path(run.options.program).filename().string();
}

// "demo-threaded-client" (a lesson's demo), "python3 prog.py" (a user's program).
std::string process_name(const RunState& run) {
    if (run.options.program.empty()) return "demo-" + run.options.scenario;
    return std::filesystem::path(run.options.python).filename().string() + " " + program_name(run);
}

} // namespace

std::string chrome_trace_json(const RunState& run, const Strings* strings) {
    const Timeline& t = run.timeline;
    const std::int64_t t0 = run.spawned_ns;
    auto us = [&](std::int64_t ns) { return double(ns - t0) / 1000.0; };
    const int pid = run.pid > 0 ? run.pid : 1;
    json events = json::array();
    events.push_back({{"ph", "M"},
                      {"pid", pid},
                      {"name", "process_name"},
                      {"args", {{"name", process_name(run)}}}});
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
    const Verdict& v = run.verdict;
    const bool hung = v.outcome == Outcome::hung;
    const std::string end_key = hung ? hang_end_key(v.killed_by.value_or(KilledBy::hang)) : "";
    json metadata = {
        {"scenario", run.options.scenario.empty() ? json(nullptr) : json(run.options.scenario)},
        {"program", run.options.program.empty() ? json(nullptr) : json(program_name(run))},
        {"python",
         run.options.engine == trace::Engine::cpython ? json(run.options.python) : json(nullptr)},
        {"python_version", run.python.version.empty() ? json(nullptr) : json(run.python.version)},
        {"websockets", run.python.websockets.empty() ? json(nullptr) : json(run.python.websockets)},
        {"engine", trace::name(run.options.engine)},
        {"receiver", trace::name(run.options.receiver)},
        {"close", effective_close(run.options)},
        {"step", run.options.step},
        {"grace_ms", run.options.grace_ms},
        {"keep_hung_ms", run.options.keep_hung_ms},
        {"verdict", to_string(v.outcome)},
        {"exit_code", v.outcome == Outcome::exited ? json(v.exit_code) : json(nullptr)},
        {"killed_by", v.killed_by ? json(to_string(*v.killed_by)) : json(nullptr)},
        {"hang_confirmed_ms",
         v.hang_confirmed_ns >= 0 ? json(us(v.hang_confirmed_ns) / 1000) : json(nullptr)},
        {"end_ms", v.exit_seen_ns >= 0 ? json(us(v.exit_seen_ns) / 1000) : json(nullptr)},
        {"end", end_key.empty() ? json(nullptr) : json(end_key)}};
    json end_words = nullptr;
    if (strings) {
        json words = json::object(), reasons = json::object();
        for (Lang l : {Lang::zh, Lang::en}) {
            const char* id = l == Lang::zh ? "zh" : "en";
            if (!end_key.empty()) words[id] = strings->get(end_key, l);
            reasons[id] = headline(v, t, *strings, l);
            for (const std::string& line : explanation(v, t, *strings, l, &run.stacks))
                reasons[id] = reasons[id].get<std::string>() + "\n" + line;
        }
        if (!end_key.empty()) metadata["end_text"] = end_words = words;
        metadata["reason"] = reasons;
    }
    if (hung && v.hang_confirmed_ns >= 0)
        events.push_back({{"ph", "i"},
                          {"s", "p"},
                          {"pid", pid},
                          {"tid", 0},
                          {"name", "hang confirmed"},
                          {"ts", us(v.hang_confirmed_ns)}});
    if (v.exit_seen_ns >= 0) {
        std::string name = "verdict: " + std::string(to_string(v.outcome));
        if (end_words.is_object()) name += " — " + end_words["en"].get<std::string>();
        events.push_back({{"ph", "i"},
                          {"s", "p"},
                          {"pid", pid},
                          {"tid", 0},
                          {"name", name},
                          {"ts", us(v.exit_seen_ns)},
                          {"args", metadata}});
    }
    // Names are valid UTF-8 already (the trace parser makes them so); should one ever not
    // be, it is replaced rather than the export thrown away.
    return json{{"traceEvents", events}, {"displayTimeUnit", "ms"}, {"metadata", metadata}}.dump(
        -1, ' ', false, json::error_handler_t::replace);
}

std::string write_chrome_trace(const RunState& run, const std::string& path,
                               const Strings* strings) {
    return write_file_atomic(path, chrome_trace_json(run, strings));
}

} // namespace lab
