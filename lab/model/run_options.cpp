#include "lab/model/run_options.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/run_limits.hpp"

#include <algorithm>
#include <ctime>
#include <thread>

namespace lab {

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string validate(const RunOptions& o) {
    const bool cpython = o.engine == trace::Engine::cpython;
    if (o.grace_ms < kMinGraceMs || o.grace_ms > kMaxGraceMs)
        return "--grace must be " + std::to_string(kMinGraceMs) + ".." +
               std::to_string(kMaxGraceMs) + " ms";
    if (o.io_grace_ms < kMinGraceMs || o.io_grace_ms > kMaxGraceMs)
        return "--io-grace must be " + std::to_string(kMinGraceMs) + ".." +
               std::to_string(kMaxGraceMs) + " ms";
    if (o.keep_hung_ms < 0 || o.keep_hung_ms > kMaxKeepHungMs)
        return "keep_hung_ms must be 0.." + std::to_string(kMaxKeepHungMs) + " ms";
    if (cpython && !o.program.empty()) return {}; // a program of the user's, as it is
    const Scenario* s = find_scenario(o.scenario);
    if (!s) return "unknown scenario '" + o.scenario + "' (see: daemonlab list)";
    using trace::ConnectIn, trace::Worker;
    if (s->cpython_only && !cpython)
        return "'" + o.scenario +
               "' is a real Python program with no C++ model (chapter 2): run it on CPython "
               "with --engine python";
    if (std::string err = check_receiver(o); !err.empty()) return err;
    if (cpython && o.fault != trace::Fault::none)
        return "--inject-fault is for the model's demos (--engine model)";
    const RunOptions def;
    if (!s->sandbox && (o.connect_in != def.connect_in || o.worker != def.worker || o.with_block))
        return "--connect-in, --worker and --with-block apply to the sandbox scenario only";
    if (o.worker == Worker::none && o.connect_in == ConnectIn::worker)
        return "--connect-in worker needs a worker thread (--worker daemon or non-daemon)";
    return {};
}

std::span<const trace::Receiver> receivers_for(trace::Engine engine) {
    static constexpr trace::Receiver kCpython[] = {
        trace::Receiver::library, trace::Receiver::inherit, trace::Receiver::daemon,
        trace::Receiver::non_daemon};
    static_assert(std::size(kMatrixReceivers) == std::size(kCpython) - 1);
    if (engine == trace::Engine::cpython) return kCpython;
    return kMatrixReceivers;
}

trace::Receiver default_receiver(trace::Engine engine) {
    return engine == trace::Engine::cpython ? trace::Receiver::library : trace::Receiver::inherit;
}

trace::Receiver effective_receiver(trace::Engine engine, trace::Receiver wanted) {
    const std::span<const trace::Receiver> can = receivers_for(engine);
    return std::find(can.begin(), can.end(), wanted) != can.end() ? wanted
                                                                  : trace::Receiver::inherit;
}

trace::Receiver effective_receiver(const RunOptions& o) {
    return effective_receiver(o.engine, o.receiver);
}

std::string check_receiver(const RunOptions& o) {
    if (effective_receiver(o) == o.receiver) return {};
    return "--receiver " + std::string(trace::name(o.receiver)) +
           " needs the CPython engine (--engine python)";
}

bool effective_close(const RunOptions& o) {
    const Scenario* s = find_scenario(o.scenario);
    return o.close.value_or(s && s->close_by_default);
}

std::vector<RunOptions> matrix_cells(int grace_ms, trace::Engine engine) {
    std::vector<RunOptions> cells;
    for (const Scenario& s : catalog()) {
        if (s.cpython_only) continue;
        for (trace::Receiver r : kMatrixReceivers)
            for (bool close : kMatrixCloses)
                cells.push_back({.engine = engine,
                                 .scenario = std::string(s.id),
                                 .receiver = r,
                                 .close = close,
                                 .grace_ms = grace_ms});
    }
    return cells;
}

int default_matrix_jobs() {
    return 2 * int(std::max(1u, std::thread::hardware_concurrency())) + 2;
}

} // namespace lab
