// Whole-process figures (issue: performance), each beside its baseline in the same run:
//   1. demo exit → verdict in the host (pidfd in poll) vs a 100 ms waitpid polling loop
//   2. shutdown starts waiting on a stuck thread → hang diagnosed (and confirmed) vs the
//      same demo under `timeout -s KILL N`
//   3. spawn → verdict for an exiting scenario
// (The whole matrix is timed as `daemonlab matrix` by bench/run_all.sh.)
// Prints a Markdown table (docs/PERFORMANCE.md).
// Usage: bench_runs [exiting runs = 100] [hanging runs = 20] [timeout seconds = 2]
#include "lab/net/echo_server.hpp"
#include "lab/run/runner.hpp"

#include <algorithm>
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

// Spawns the demo for `o` directly, with its trace on a pipe, optionally under
// `/usr/bin/timeout SECONDS` (the baseline for hang detection). Returns the pid and the read
// end of the trace.
struct Spawned {
    pid_t pid = -1;
    int trace = -1;
};
Spawned spawn_plain(const RunOptions& o, const ServerInfo& server, int timeout_s = 0) {
    std::vector<std::string> args = demo_argv(o, server);
    int p[2];
    if (pipe(p) != 0) return {};
    args.insert(args.end(), {"--trace-fd", std::to_string(p[1])});
    if (timeout_s > 0)
        args.insert(args.begin(), {"/usr/bin/timeout", "-s", "KILL", std::to_string(timeout_s)});
    std::vector<std::string> env = {"DAEMONLAB_CA=" + server.ca_pem};
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa; // the demo's prints are not the bench's output
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    const int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return {};
    }
    return {pid, p[0]};
}

Timeline drain(int fd) {
    std::string bytes;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) bytes.append(buf, std::size_t(n));
    close(fd);
    Timeline t;
    TraceReader r;
    r.feed(bytes, [&](TraceEvent&& e) { t.apply(e); });
    return t;
}

std::int64_t marker_ns(const Timeline& t, MarkKind k) {
    std::int64_t at = -1;
    for (const Marker& m : t.markers())
        if (m.kind == k) at = m.t;
    return at;
}

// Baseline for (1): the same demo, its end noticed by waitpid(WNOHANG) every 100 ms.
double polling_latency_ms(const ServerInfo& server) {
    Spawned s =
        spawn_plain({.scenario = "threaded-client", .receiver = trace::Receiver::daemon}, server);
    if (s.pid < 0) return -1;
    std::int64_t seen = -1;
    for (;;) {
        if (waitpid(s.pid, nullptr, WNOHANG) == s.pid) {
            seen = monotonic_ns();
            break;
        }
        usleep(100'000);
    }
    std::int64_t ex = exit_event_ns(drain(s.trace));
    return ex < 0 ? -1 : double(seen - ex) / 1e6;
}

// Baseline for (2): `timeout -s KILL N demo ...`, the way a hang is usually caught: the
// process is declared hung when it has not ended N seconds after it started. Returns the ms
// from the moment shutdown began waiting on the stuck thread to the kill being seen.
double timeout_detection_ms(const ServerInfo& server, int seconds) {
    Spawned s = spawn_plain({.scenario = "threaded-client", .receiver = trace::Receiver::inherit},
                            server, seconds);
    if (s.pid < 0) return -1;
    int status = 0;
    waitpid(s.pid, &status, 0);
    const std::int64_t seen = monotonic_ns();
    std::int64_t wait_ns = marker_ns(drain(s.trace), MarkKind::shutdown_wait);
    return wait_ns < 0 ? -1 : double(seen - wait_ns) / 1e6;
}

} // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? std::atoi(argv[1]) : 100;     // exiting runs
    const int hang_reps = argc > 2 ? std::atoi(argv[2]) : 20; // hanging runs
    const int timeout_s = argc > 3 ? std::atoi(argv[3]) : 2;  // the `timeout` baseline
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    {
        Run warm({.scenario = "threaded-client", .receiver = trace::Receiver::daemon},
                 info); // page cache
        warm.wait();
    }

    std::vector<double> verdict_ms, whole_ms, poll_ms, suspect_ms, confirm_ms, timeout_ms;
    for (int i = 0; i < reps; ++i) {
        // (1) and (3): an exiting run, timed from before the spawn to wait() returning.
        const std::int64_t t0 = monotonic_ns();
        Run run({.scenario = "threaded-client", .receiver = trace::Receiver::daemon}, info);
        run.wait();
        const std::int64_t t1 = monotonic_ns();
        RunState st = run.snapshot();
        if (std::int64_t ex = exit_event_ns(st.timeline); ex >= 0)
            verdict_ms.push_back(double(t1 - ex) / 1e6);
        whole_ms.push_back(double(t1 - t0) / 1e6);
    }
    for (int i = 0; i < hang_reps; ++i) {
        // (2): a hanging run. Diagnosed = the host's verdict rules see that shutdown waits on
        // a thread that nothing can wake (the banner says so then); confirmed = grace later.
        Run hang({.scenario = "threaded-client", .receiver = trace::Receiver::inherit}, info);
        hang.wait();
        RunState h = hang.snapshot();
        std::int64_t wait_ns = marker_ns(h.timeline, MarkKind::shutdown_wait);
        if (wait_ns >= 0 && h.verdict.hang_suspected_ns >= 0) {
            suspect_ms.push_back(double(h.verdict.hang_suspected_ns - wait_ns) / 1e6);
            confirm_ms.push_back(double(h.verdict.hang_confirmed_ns - wait_ns) / 1e6);
        }
    }
    for (int i = 0; i < std::min(reps, 10); ++i) poll_ms.push_back(polling_latency_ms(info));
    for (int i = 0; i < 3; ++i) timeout_ms.push_back(timeout_detection_ms(info, timeout_s));

    std::printf(
        "| figure | measured | baseline (same run) | ratio | goal |\n|---|---|---|---|---|\n");
    std::printf("| demo exit → verdict in the host, p50 | %.2f ms | 100 ms waitpid poll: %.1f ms | "
                "%.0f× faster | ≤ 5 ms |\n",
                pct(verdict_ms, 50), pct(poll_ms, 50), pct(poll_ms, 50) / pct(verdict_ms, 50));
    std::printf("| demo exit → verdict in the host, p99 | %.2f ms | 100 ms waitpid poll, max: %.1f "
                "ms | %.0f× faster | |\n",
                pct(verdict_ms, 99), pct(poll_ms, 100), pct(poll_ms, 100) / pct(verdict_ms, 99));
    std::printf("| shutdown waits on a stuck thread → hang diagnosed, p50 (p99) | %.2f (%.2f) ms | "
                "`timeout -s KILL %d`: %.0f ms | %.0f× faster | ≤ 50 ms |\n",
                pct(suspect_ms, 50), pct(suspect_ms, 99), timeout_s, pct(timeout_ms, 50),
                pct(timeout_ms, 50) / std::max(0.001, pct(suspect_ms, 50)));
    std::printf(
        "| ... → hang confirmed and demo killed (diagnosed + 300 ms grace), p50 | %.1f ms | "
        "`timeout -s KILL %d`: %.0f ms | %.1f× faster | |\n",
        pct(confirm_ms, 50), timeout_s, pct(timeout_ms, 50),
        pct(timeout_ms, 50) / pct(confirm_ms, 50));
    std::printf("| whole run of an exiting scenario, spawn → verdict, p50 / p99 | %.1f / %.1f ms | "
                "| | ≤ 100 ms |\n",
                pct(whole_ms, 50), pct(whole_ms, 99));
    std::printf("\n(%d exiting runs, %d hanging runs, %zu polled, %zu under timeout; %u cores)\n",
                reps, hang_reps, poll_ms.size(), timeout_ms.size(),
                std::thread::hardware_concurrency());
    return 0;
}
