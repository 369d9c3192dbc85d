// The cost of one trace event in a demo (goal: ≤ 2 µs): format + one write(2).
#include "demos/trace/trace.hpp"

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

// To /dev/null: formatting plus the syscall, nothing else.
static void BM_EmitDevNull(benchmark::State& state) {
    int fd = open("/dev/null", O_WRONLY);
    trace::open(fd);
    for (auto _ : state)
        trace::emit(3, trace::Kind::state,
                    {{trace::key::state, trace::name(trace::State::blocked)},
                     {trace::key::on, trace::name(trace::Wait::socket_read)},
                     {trace::key::target, "-1"},
                     {trace::key::pending, "0"}});
    trace::open(-1);
    close(fd);
}
BENCHMARK(BM_EmitDevNull);

// To a pipe that a reader drains, as in a real run.
static void BM_EmitPipe(benchmark::State& state) {
    int p[2];
    if (pipe(p) != 0) return;
    std::thread reader([fd = p[0]] {
        char buf[65536];
        while (read(fd, buf, sizeof buf) > 0) {
        }
    });
    trace::open(p[1]);
    for (auto _ : state)
        trace::emit(3, trace::Kind::message,
                    {{trace::key::text, "Request served by daemonlab-echo"}});
    trace::open(-1);
    close(p[1]);
    reader.join();
    close(p[0]);
}
BENCHMARK(BM_EmitPipe);

// Tracing off: what a demo pays when nobody watches.
static void BM_EmitDisabled(benchmark::State& state) {
    trace::open(-1);
    for (auto _ : state)
        trace::emit(3, trace::Kind::state,
                    {{trace::key::state, trace::name(trace::State::running)}});
}
BENCHMARK(BM_EmitDisabled);

BENCHMARK_MAIN();
