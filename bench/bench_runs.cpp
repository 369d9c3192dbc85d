// Whole-process figures (issue: performance), each beside its baseline in the same run:
//   1. demo exit → verdict in the host (pidfd in poll) vs a 100 ms waitpid polling loop
//   2. shutdown starts waiting on a stuck thread → hang suspected (and confirmed)
//   3. spawn → verdict for an exiting scenario
//   4. the whole matrix in parallel vs the same runs one by one
// Prints a Markdown table (docs/PERFORMANCE.md). Usage: bench_runs [repetitions]
#include "catalog.hpp"
#include "echo_server.hpp"
#include "runner.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace lab;

namespace {

double pct(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())))];
}

std::int64_t exit_event_ns(const Timeline& t) {
    for (const Marker& m : t.markers())
        if (m.kind == MarkKind::exit) return m.t;
    return -1;
}

// Baseline for (1): the same demo, its end noticed by waitpid(WNOHANG) every 100 ms.
double polling_latency_ms(const ServerInfo& server) {
    RunOptions o{.scenario = "threaded-client", .receiver = "daemon"};
    std::vector<std::string> args = demo_argv(o, server);
    int p[2];
    if (pipe(p) != 0) return -1;
    args.insert(args.end(), {"--trace-fd", std::to_string(p[1])});
    std::vector<std::string> env = {"DAEMONLAB_CA=" + server.ca_pem};
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid;
    if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), envp.data()) != 0) return -1;
    close(p[1]);
    std::int64_t seen = -1;
    for (;;) {
        if (waitpid(pid, nullptr, WNOHANG) == pid) {
            seen = monotonic_ns();
            break;
        }
        usleep(100'000);
    }
    std::string bytes;
    char buf[4096];
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) bytes.append(buf, std::size_t(n));
    close(p[0]);
    Timeline t;
    TraceReader r;
    r.feed(bytes, [&](TraceEvent&& e) { t.apply(e); });
    std::int64_t ex = exit_event_ns(t);
    return ex < 0 ? -1 : double(seen - ex) / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::atoi(argv[1]) : 30;
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};

    std::vector<double> verdict_ms, whole_ms, poll_ms, suspect_ms, confirm_ms;
    for (int i = 0; i < reps; ++i) {
        // (1) and (3): an exiting run.
        const std::int64_t t0 = monotonic_ns();
        Run run({.scenario = "threaded-client", .receiver = "daemon"}, info);
        run.wait();
        const std::int64_t t1 = monotonic_ns();
        RunState st = run.snapshot();
        if (std::int64_t ex = exit_event_ns(st.timeline); ex >= 0)
            verdict_ms.push_back(double(t1 - ex) / 1e6);
        whole_ms.push_back(double(t1 - t0) / 1e6);
        // (2): a hanging run.
        Run hang({.scenario = "threaded-client", .receiver = "inherit"}, info);
        hang.wait();
        RunState h = hang.snapshot();
        std::int64_t wait_ns = -1;
        for (const Marker& m : h.timeline.markers())
            if (m.kind == MarkKind::shutdown_wait) wait_ns = m.t;
        if (wait_ns >= 0 && h.verdict.hang_suspected_ns >= 0) {
            suspect_ms.push_back(double(h.verdict.hang_suspected_ns - wait_ns) / 1e6);
            confirm_ms.push_back(double(h.verdict.hang_confirmed_ns - wait_ns) / 1e6);
        }
    }
    for (int i = 0; i < std::min(reps, 10); ++i) poll_ms.push_back(polling_latency_ms(info));

    // (4): the matrix, parallel and serial.
    std::vector<RunOptions> cells;
    for (const Scenario& s : catalog())
        for (const char* r : {"inherit", "daemon", "non-daemon"})
            for (bool close : {false, true})
                cells.push_back({.scenario = std::string(s.id), .receiver = r, .close = close});
    auto matrix = [&](int jobs) {
        std::atomic<std::size_t> next{0};
        const std::int64_t t0 = monotonic_ns();
        std::vector<std::thread> ws;
        for (int w = 0; w < jobs; ++w)
            ws.emplace_back([&] {
                for (std::size_t i; (i = next.fetch_add(1)) < cells.size();) {
                    Run run(cells[i], info);
                    run.wait();
                }
            });
        for (auto& w : ws) w.join();
        return double(monotonic_ns() - t0) / 1e6;
    };
    const double parallel = matrix(6), serial = matrix(1);

    std::printf(
        "| figure | measured | baseline (same run) | ratio | goal |\n|---|---|---|---|---|\n");
    std::printf("| demo exit → verdict, p50 | %.2f ms | 100 ms waitpid poll: %.1f ms | %.0f× "
                "faster | ≤ 5 ms |\n",
                pct(verdict_ms, 50), pct(poll_ms, 50), pct(poll_ms, 50) / pct(verdict_ms, 50));
    std::printf("| demo exit → verdict, p99 | %.2f ms | 100 ms waitpid poll p99: %.1f ms | | |\n",
                pct(verdict_ms, 99), pct(poll_ms, 99));
    std::printf("| shutdown waits on a stuck thread → hang suspected, p50 | %.2f ms | `timeout 5`: "
                "5000 ms | %.0f× faster | ≤ 50 ms |\n",
                pct(suspect_ms, 50), 5000 / std::max(0.001, pct(suspect_ms, 50)));
    std::printf("| ... → hang confirmed (suspected + 300 ms grace), p50 | %.1f ms | | | |\n",
                pct(confirm_ms, 50));
    std::printf("| whole run of an exiting scenario, spawn → verdict, p50 / p99 | %.1f / %.1f ms | "
                "| | ≤ 100 ms |\n",
                pct(whole_ms, 50), pct(whole_ms, 99));
    std::printf("| whole matrix (%zu runs), 6 at a time | %.0f ms | one by one: %.0f ms | %.1f× "
                "faster | ≤ 2000 ms |\n",
                cells.size(), parallel, serial, serial / parallel);
    std::printf("\n(%d repetitions; %u cores)\n", reps, std::thread::hardware_concurrency());
    return 0;
}
