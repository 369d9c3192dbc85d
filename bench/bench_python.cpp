// bench_python — the CPython engine's figures (docs/PERFORMANCE.md):
//   1. wall time of the same Python program traced and untraced (goal: traced <= 1.3x);
//   2. verdict latency after the interpreter starts waiting (goal: <= grace + 20 ms).
// Usage: bench_python PYTHON RUNS [LESSON_PROGRAM]
//   LESSON_PROGRAM: a lesson's program to time too (it needs websockets on PYTHONPATH and an
//   echo server: run_all.sh gives it ECHO_URI and SSL_CERT_FILE).
#include "lab/net/echo_server.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/runner.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}
double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[std::min(v.size() - 1, std::size_t(p * double(v.size())))];
}

// Runs argv to its end, its trace (fd 3) into a pipe that a thread drains, output to
// /dev/null; returns the wall time in ms.
double wall_ms(const std::vector<std::string>& args) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return -1;
    std::thread drain([fd = p[0]] {
        char buf[65536];
        while (::read(fd, buf, sizeof buf) > 0) {
        }
    });
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], 3);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const auto t0 = lab::monotonic_ns();
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(p[1]);
    int status = 0;
    if (rc == 0) ::waitpid(pid, &status, 0);
    const auto t1 = lab::monotonic_ns();
    drain.join();
    ::close(p[0]);
    return rc == 0 ? double(t1 - t0) / 1e6 : -1;
}

void traced_vs_untraced(const std::string& python, const std::string& program, int runs,
                        const char* what) {
    std::vector<double> plain, traced;
    for (int i = 0; i < runs; ++i) { // interleaved, so drift hits both alike
        plain.push_back(wall_ms({python, program}));
        traced.push_back(wall_ms({python, lab::tracer_path(), "--trace-fd", "3", "--", program}));
    }
    const double a = median(plain), b = median(traced);
    std::printf("  %-34s untraced %7.1f ms   traced %7.1f ms   ratio %.2fx (goal <= 1.3x)\n", what,
                a, b, b / a);
}

std::string write_program(const std::string& name, const std::string& source) {
    const std::string path = std::filesystem::temp_directory_path().string() + "/" + name;
    std::ofstream(path) << source;
    return path;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: bench_python PYTHON RUNS [LESSON_PROGRAM]\n");
        return 2;
    }
    const std::string python = argv[1];
    const int runs = std::max(1, std::atoi(argv[2]));

    std::printf("## traced vs untraced wall time (median of %d, interleaved)\n", runs);
    const std::string pingpong =
        write_program("dl_bench_pingpong.py", "import threading\n"
                                              "ping, pong = threading.Event(), threading.Event()\n"
                                              "def other():\n"
                                              "    for _ in range(300):\n"
                                              "        ping.wait(); ping.clear(); pong.set()\n"
                                              "t = threading.Thread(target=other); t.start()\n"
                                              "for _ in range(300):\n"
                                              "    ping.set(); pong.wait(); pong.clear()\n"
                                              "t.join()\n");
    traced_vs_untraced(python, pingpong, runs, "300 Event round trips (2 threads)");
    const std::string work = write_program(
        "dl_bench_work.py", "import threading, queue\n"
                            "q = queue.Queue()\n"
                            "def worker():\n"
                            "    total = 0\n"
                            "    while (n := q.get()) is not None: total += sum(range(n))\n"
                            "ts = [threading.Thread(target=worker) for _ in range(4)]\n"
                            "for t in ts: t.start()\n"
                            "for i in range(2000): q.put(1000)\n"
                            "for t in ts: q.put(None)\n"
                            "for t in ts: t.join()\n");
    traced_vs_untraced(python, work, runs, "4 workers, 2000 queue items");
    if (argc > 3) traced_vs_untraced(python, argv[3], runs, "a lesson's program (real library)");

    // The whole `daemonlab explain` of a program that exits (host start, tracer, verdict)
    // beside the untraced interpreter on the same program (goal: at most +10 ms).
    {
        const std::string quick = write_program("dl_bench_quick.py", "print('hi')\n");
        // daemonlab is built beside this benchmark (build/bench/bin).
        const std::string bin =
            std::filesystem::canonical("/proc/self/exe").parent_path().string() + "/daemonlab";
        std::vector<double> plain, explained;
        for (int i = 0; i < runs; ++i) {
            plain.push_back(wall_ms({python, quick}));
            explained.push_back(wall_ms({bin, "explain", quick, "--python", python}));
        }
        const double a = median(plain), b = median(explained);
        std::printf("## explain of a program that exits (median of %d, interleaved)\n", runs);
        std::printf("  python3 prog.py %7.1f ms   daemonlab explain prog.py %7.1f ms   +%.1f ms "
                    "(goal <= +10 ms)\n",
                    a, b, b - a);
        std::filesystem::remove(quick);
    }

    // The interpreter starts waiting (shutdown-wait) -> the verdict: the grace plus the
    // host's own delay. And a program that exits: its exit event -> the verdict.
    std::printf("## verdict latency, %d runs each\n", runs);
    const std::string hang = write_program(
        "dl_bench_hang.py", "import threading\n"
                            "stop = threading.Event()\n"
                            "threading.Thread(target=stop.wait, name='poller').start()\n");
    const std::string exits =
        write_program("dl_bench_exit.py", "import threading\n"
                                          "threading.Thread(target=print, "
                                          "args=('hi',), daemon=True).start()\n");
    lab::EchoServer server({.tls = true});
    const lab::ServerInfo info{server.uri(), server.ca_pem()};
    for (int grace : {150, 300}) {
        std::vector<double> after_wait, after_exit;
        for (int i = 0; i < runs; ++i) {
            lab::Run h({.engine = trace::Engine::cpython,
                        .receiver = trace::Receiver::library,
                        .grace_ms = grace,
                        .python = python,
                        .program = hang},
                       info);
            h.wait();
            const lab::RunState st = h.snapshot();
            std::int64_t waited = -1;
            for (const lab::Marker& m : st.timeline.markers())
                if (m.kind == trace::Kind::shutdown_wait && waited < 0) waited = m.t;
            if (st.verdict.outcome == lab::Outcome::hung && waited >= 0)
                after_wait.push_back(double(st.verdict.hang_confirmed_ns - waited) / 1e6);
            lab::Run e({.engine = trace::Engine::cpython,
                        .receiver = trace::Receiver::library,
                        .grace_ms = grace,
                        .python = python,
                        .program = exits},
                       info);
            e.wait();
            const lab::RunState es = e.snapshot();
            for (const lab::Marker& m : es.timeline.markers())
                if (m.kind == trace::Kind::exit)
                    after_exit.push_back(double(es.verdict.exit_seen_ns - m.t) / 1e6);
        }
        std::printf("  grace %d ms: waiting -> hung   p50 %.1f  p90 %.1f  max %.1f ms "
                    "(goal <= %d ms; %zu/%d judged)\n",
                    grace, median(after_wait), pct(after_wait, 0.9), pct(after_wait, 1.0),
                    grace + 20, after_wait.size(), runs);
        std::printf("  grace %d ms: exit -> exited    p50 %.2f  p90 %.2f  max %.2f ms\n", grace,
                    median(after_exit), pct(after_exit, 0.9), pct(after_exit, 1.0));
    }
    for (const std::string& f : {pingpong, work, hang, exits}) std::filesystem::remove(f);
    return 0;
}
