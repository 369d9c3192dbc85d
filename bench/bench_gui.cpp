// Whole-process figures of the desktop app, measured from outside it (run under Xvfb, see
// bench/run_all.sh). The app is not changed: it runs with bench/dlprobe preloaded, which
// timestamps its GLFW/GL/fontconfig calls and the trace lines it reads (dlprobe.cpp).
//
//   bench_gui idle SECONDS -- CMD...     CPU (utime+stime from /proc/PID/stat) and frames
//                                        drawn over SECONDS, after 3 s to settle; VmHWM
//   bench_gui start N -- CMD...          N cold starts: spawn → first frame drawn, with where
//                                        the time went (wall time since the spawn and CPU
//                                        time used by then; CMD: daemonlab gui --screenshot ...)
//   bench_gui latency N -- CMD...        N runs started by clicking Run (xdotool, at DL_RUN_XY,
//                                        default "33 445") in one idle app: each trace event's
//                                        demo timestamp → the end of the frame that drew it;
//                                        VmRSS and VmHWM after the runs
// Environment: DLPROBE (path of libdlprobe.so), set by the script.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

extern char** environ;

namespace {

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

double pct(std::vector<double> v, double p) {
    if (v.empty()) return -1;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p / 100.0 * double(v.size())))];
}

struct Rec {
    std::int64_t t;
    std::string tag;
    std::int64_t v;
    std::int64_t cpu; // CPU ns the process had used by then
};

std::vector<Rec> read_log(const std::string& path) {
    std::vector<Rec> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);) {
        std::istringstream s(line);
        Rec r{0, {}, -1, -1};
        if (s >> r.t >> r.tag) {
            s >> r.v >> r.cpu;
            out.push_back(r);
        }
    }
    return out;
}

struct Child {
    pid_t pid = -1;
    std::string log;
};

Child spawn(std::vector<std::string> cmd, const std::string& home) {
    static int n = 0;
    Child c;
    c.log = "/tmp/dlprobe-" + std::to_string(::getpid()) + "-" + std::to_string(n++) + ".log";
    std::remove(c.log.c_str());
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "HOME=", 5) != 0 && std::strncmp(*e, "LD_PRELOAD=", 11) != 0)
            env.emplace_back(*e);
    env.push_back("HOME=" + home);
    env.push_back("DLPROBE_LOG=" + c.log);
    if (const char* p = std::getenv("DLPROBE")) env.push_back(std::string("LD_PRELOAD=") + p);
    std::vector<char*> argv, envp;
    for (auto& a : cmd) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addchdir_np(&fa, home.c_str()); // imgui.ini and such land there
    if (int rc = posix_spawnp(&c.pid, argv[0], &fa, nullptr, argv.data(), envp.data()); rc != 0) {
        std::fprintf(stderr, "bench_gui: cannot start %s: %s\n", argv[0], std::strerror(rc));
        std::exit(1);
    }
    posix_spawn_file_actions_destroy(&fa);
    return c;
}

void stop(pid_t pid) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 200; ++i) {
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

// utime + stime of a live process, in seconds.
double cpu_seconds(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::istringstream s(all.substr(all.rfind(')') + 2)); // fields from 3 on
    std::string f;
    long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && s >> f; ++i) {
        if (i == 14) utime = std::stoll(f);
        if (i == 15) stime = std::stoll(f);
    }
    return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

long status_kb(pid_t pid, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key, 0) == 0) return std::atol(line.c_str() + std::strlen(key) + 1);
    return -1;
}

std::size_t count(const std::vector<Rec>& log, const char* tag) {
    return std::size_t(
        std::count_if(log.begin(), log.end(), [&](const Rec& r) { return r.tag == tag; }));
}

std::string make_home() {
    char tmpl[] = "/tmp/dlbench-home-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    return d ? d : "/tmp";
}

int idle(double seconds, const std::vector<std::string>& cmd) {
    Child c = spawn(cmd, make_home());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const double cpu0 = cpu_seconds(c.pid);
    const std::size_t f0 = count(read_log(c.log), "swap");
    const std::int64_t t0 = now_ns();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    const double cpu1 = cpu_seconds(c.pid);
    const double wall = double(now_ns() - t0) / 1e9;
    const std::size_t f1 = count(read_log(c.log), "swap");
    const long hwm = status_kb(c.pid, "VmHWM:"), rss = status_kb(c.pid, "VmRSS:");
    stop(c.pid);
    std::printf("idle: cpu %.2f%% of a core (%.3f s cpu in %.2f s), %.1f frames/s, VmRSS %.1f MB, "
                "VmHWM %.1f MB\n",
                100 * (cpu1 - cpu0) / wall, cpu1 - cpu0, wall, double(f1 - f0) / wall,
                double(rss) / 1024, double(hwm) / 1024);
    return 0;
}

int start(int n, const std::vector<std::string>& cmd) {
    std::map<std::string, std::vector<double>> phase;     // ms since spawn
    std::map<std::string, std::vector<double>> phase_cpu; // CPU ms used by then (-1: not known)
    std::vector<double> first, whole, first_cpu;
    const std::string home = make_home();
    for (int i = 0; i < n; ++i) {
        const std::int64_t t0 = now_ns();
        Child c = spawn(cmd, home);
        // Until the first frame is on screen (or the process ends); a program that does not
        // end by itself (the stock loop) is stopped then.
        int status = 0;
        bool exited = false;
        auto first_frame = [&](const std::vector<Rec>& log) {
            for (const Rec& r : log)
                if (r.tag == "readpixels" || r.tag == "swap") return &r - log.data();
            return std::ptrdiff_t(-1);
        };
        for (;;) {
            if (::waitpid(c.pid, &status, WNOHANG) == c.pid) {
                exited = true;
                break;
            }
            if (first_frame(read_log(c.log)) >= 0) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        for (int k = 0; !exited && k < 200; ++k) { // up to 2 s to finish by itself
            exited = ::waitpid(c.pid, &status, WNOHANG) == c.pid;
            if (!exited) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (!exited) stop(c.pid);
        const double exit_ms = double(now_ns() - t0) / 1e6;
        std::vector<Rec> log = read_log(c.log);
        // Wall time since the spawn, and the CPU time the process had used, at `tag`.
        auto at = [&](const char* tag, bool last = false) -> std::pair<double, double> {
            std::pair<double, double> v{-1, -1};
            for (const Rec& r : log)
                if (r.tag == tag) {
                    v = {double(r.t - t0) / 1e6, double(r.cpu) / 1e6};
                    if (!last) break;
                }
            return v;
        };
        double fc_ms = 0;
        for (const Rec& r : log)
            if (r.tag == "fcinit" || r.tag == "fcmatch") fc_ms += double(r.v) / 1e6;
        const std::ptrdiff_t ff = first_frame(log);
        const double frame = ff < 0 ? -1 : double(log[std::size_t(ff)].t - t0) / 1e6;
        if (frame < 0) {
            std::fprintf(stderr, "bench_gui: run %d drew no frame (status %d)\n", i, status);
            continue;
        }
        first.push_back(frame);
        first_cpu.push_back(double(log[std::size_t(ff)].cpu) / 1e6);
        whole.push_back(exit_ms);
        auto add = [&](const char* k, std::pair<double, double> wall_cpu) {
            phase[k].push_back(wall_cpu.first);
            phase_cpu[k].push_back(wall_cpu.second);
        };
        add("exec → probe loaded (dynamic linking)", at("S"));
        add("→ glfwInit done", at("glfwinit"));
        add("→ window + GL context made", at("window"));
        add("fontconfig: FcInit + FcFontMatch (sum)", {fc_ms, -1});
        add("→ last font lookup done", at("fcmatch", true));
        add("→ first frame begins (glfwPollEvents returned)", at("frame"));
        add("→ first frame drawn (swapped or read back)", {frame, first_cpu.back()});
        add("→ process exited (or was stopped)", {exit_ms, -1});
    }
    std::printf("start: %zu runs; spawn → first frame p50 %.1f ms, p90 %.1f ms, min %.1f, max "
                "%.1f; spawn → exit p50 %.1f ms\n",
                first.size(), pct(first, 50), pct(first, 90), pct(first, 0), pct(first, 100),
                pct(whole, 50));
    std::printf(
        "  CPU used by the app up to its first frame: p50 %.1f ms (wall time above includes "
        "waiting for a core)\n",
        pct(first_cpu, 50));
    for (const char* k :
         {"exec → probe loaded (dynamic linking)", "→ glfwInit done", "→ window + GL context made",
          "fontconfig: FcInit + FcFontMatch (sum)", "→ last font lookup done",
          "→ first frame begins (glfwPollEvents returned)",
          "→ first frame drawn (swapped or read back)", "→ process exited (or was stopped)"}) {
        const double cpu = pct(phase_cpu[k], 50);
        std::printf("  %-48s p50 %7.1f ms", k, pct(phase[k], 50));
        if (cpu >= 0) std::printf("   CPU used by then p50 %7.1f ms", cpu);
        std::printf("\n");
    }
    return first.empty() ? 1 : 0;
}

int latency(int n, const std::vector<std::string>& cmd) {
    std::vector<double> to_read, to_frame_start, to_drawn, frame_ms;
    int missed = 0;
    std::map<long, int> frames_late; // frames begun after the read that (may) not draw it
    // The app starts, settles and idles; then xdotool clicks Run n times, 1.5 s apart, so each
    // run starts from the idle loop (glfwWaitEvents), as when a person presses Run.
    const char* xy = std::getenv("DL_RUN_XY") ? std::getenv("DL_RUN_XY") : "33 445";
    Child c = spawn(cmd, make_home());
    std::this_thread::sleep_for(std::chrono::seconds(3));
    const std::int64_t first_click = now_ns();
    const std::string click = std::string("xdotool mousemove ") + xy + " click 1";
    for (int i = 0; i < n; ++i) {
        if (std::system(click.c_str()) != 0) std::fprintf(stderr, "bench_gui: xdotool failed\n");
        std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    const double hwm = double(status_kb(c.pid, "VmHWM:")) / 1024;
    const double rss = double(status_kb(c.pid, "VmRSS:")) / 1024;
    stop(c.pid);
    {
        std::vector<Rec> log = read_log(c.log);
        std::vector<std::int64_t> posts, frames, swaps;
        for (const Rec& r : log) {
            if (r.tag == "post") posts.push_back(r.t);
            if (r.tag == "frame") frames.push_back(r.t);
            if (r.tag == "swap") swaps.push_back(r.t);
        }
        for (std::size_t k = 0; k < frames.size(); ++k) {
            auto s = std::lower_bound(swaps.begin(), swaps.end(), frames[k]);
            if (frames[k] >= first_click && s != swaps.end() &&
                (k + 1 == frames.size() || *s < frames[k + 1]))
                frame_ms.push_back(double(*s - frames[k]) / 1e6);
        }
        for (const Rec& r : log) {
            if (r.tag != "ev" || r.t < first_click) continue;
            // The watcher read the line at r.t, applied it, then posted an empty event; the
            // first frame that begins after that post draws it (an earlier one may, too: this
            // is the later, safe bound), and is on screen when its swap returns.
            auto p = std::lower_bound(posts.begin(), posts.end(), r.t);
            if (p == posts.end()) {
                ++missed;
                continue;
            }
            auto f = std::lower_bound(frames.begin(), frames.end(), *p);
            if (f == frames.end()) {
                ++missed;
                continue;
            }
            auto s = std::lower_bound(swaps.begin(), swaps.end(), *f);
            if (s == swaps.end()) {
                ++missed;
                continue;
            }
            ++frames_late[long(std::lower_bound(frames.begin(), frames.end(), *f) -
                               std::upper_bound(frames.begin(), frames.end(), r.t))];
            to_read.push_back(double(r.t - r.v) / 1e6);
            to_frame_start.push_back(double(*f - r.v) / 1e6);
            to_drawn.push_back(double(*s - r.v) / 1e6);
        }
    }
    std::printf("latency: %zu trace events in %d runs started by a click on Run (%d not matched "
                "to a frame)\n",
                to_drawn.size(), n, missed);
    std::printf("  event → host read it           p50 %6.2f ms  p99 %6.2f ms\n", pct(to_read, 50),
                pct(to_read, 99));
    std::printf("  event → frame that draws it begins p50 %6.2f ms  p99 %6.2f ms\n",
                pct(to_frame_start, 50), pct(to_frame_start, 99));
    std::printf("  event → that frame swapped (drawn) p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms\n",
                pct(to_drawn, 50), pct(to_drawn, 99), pct(to_drawn, 100));
    std::printf("  one frame (begin → swap) during runs p50 %6.2f ms  p99 %6.2f ms (%zu frames)\n",
                pct(frame_ms, 50), pct(frame_ms, 99), frame_ms.size());
    std::printf("  frames begun between the host reading an event and the frame that draws it:");
    for (auto [late, k] : frames_late) std::printf(" %ld: %d events;", late, k);
    std::printf("\n");
    std::printf("  after the runs: VmRSS %.1f MB, VmHWM %.1f MB\n", rss, hwm);
    return to_drawn.empty() ? 1 : 0;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<std::string> cmd;
    int dash = 0;
    for (int i = 1; i < argc; ++i)
        if (std::string(argv[i]) == "--") {
            dash = i;
            break;
        }
    if (argc < 4 || dash != 3) {
        std::fprintf(stderr, "usage: bench_gui idle SECONDS|start N|latency N -- CMD...\n");
        return 2;
    }
    for (int i = dash + 1; i < argc; ++i) cmd.emplace_back(argv[i]);
    const std::string mode = argv[1];
    const double x = std::atof(argv[2]);
    if (mode == "idle") return idle(x, cmd);
    if (mode == "start") return start(int(x), cmd);
    if (mode == "latency") return latency(int(x), cmd);
    std::fprintf(stderr, "bench_gui: unknown mode %s\n", mode.c_str());
    return 2;
}
