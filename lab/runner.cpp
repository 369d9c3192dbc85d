#include "runner.hpp"

#include "catalog.hpp"
#include "run_limits.hpp"
#include "spawn_hygiene.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lab {

std::int64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::string validate(const RunOptions& o) {
    const Scenario* s = find_scenario(o.scenario);
    if (!s) return "unknown scenario '" + o.scenario + "' (see: daemonlab list)";
    if (o.receiver != "inherit" && o.receiver != "daemon" && o.receiver != "non-daemon")
        return "--receiver must be inherit, daemon or non-daemon, not '" + o.receiver + "'";
    if (o.connect_in != "main" && o.connect_in != "worker")
        return "--connect-in must be main or worker, not '" + o.connect_in + "'";
    if (o.worker != "none" && o.worker != "daemon" && o.worker != "non-daemon")
        return "--worker must be none, daemon or non-daemon, not '" + o.worker + "'";
    if (!s->sandbox && (o.connect_in != "main" || o.worker != "daemon" || o.with_block))
        return "--connect-in, --worker and --with-block apply to the sandbox scenario only";
    if (o.worker == "none" && o.connect_in == "worker")
        return "--connect-in worker needs a worker thread (--worker daemon or non-daemon)";
    if (o.grace_ms < kMinGraceMs || o.grace_ms > kMaxGraceMs)
        return "--grace must be " + std::to_string(kMinGraceMs) + ".." +
               std::to_string(kMaxGraceMs) + " ms";
    if (!o.fault.empty() && o.fault != "segv" && o.fault != "abort" && o.fault != "garbage" &&
        o.fault != "badname")
        return "--inject-fault must be segv, abort, garbage or badname, not '" + o.fault + "'";
    return {};
}

bool effective_close(const RunOptions& o) {
    const Scenario* s = find_scenario(o.scenario);
    return o.close.value_or(s && s->close_by_default);
}

std::vector<RunOptions> matrix_cells(int grace_ms) {
    std::vector<RunOptions> cells;
    for (const Scenario& s : catalog())
        for (const char* r : {"inherit", "daemon", "non-daemon"})
            for (bool close : {false, true})
                cells.push_back({.scenario = std::string(s.id),
                                 .receiver = r,
                                 .close = close,
                                 .grace_ms = grace_ms});
    return cells;
}

int default_matrix_jobs() {
    return 2 * int(std::max(1u, std::thread::hardware_concurrency())) + 2;
}

std::vector<std::string> demo_argv(const RunOptions& o, const ServerInfo& server) {
    std::vector<std::string> a = {
        demo_path(o.scenario), "--uri",    server.uri,
        "--receiver",          o.receiver, effective_close(o) ? "--close" : "--no-close"};
    const Scenario* s = find_scenario(o.scenario);
    if (s && s->sandbox) {
        a.insert(a.end(), {"--connect-in", o.connect_in, "--worker", o.worker});
        if (o.with_block) a.push_back("--with-block");
    }
    if (!o.fault.empty()) a.insert(a.end(), {"--fault", o.fault});
    return a;
}

namespace {

constexpr int kTraceFd = 3, kControlFd = 4;
constexpr std::size_t kOutputCap = 64 * 1024;

struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        reset();
        fd = std::exchange(o.fd, -1);
        return *this;
    }
    ~Fd() { reset(); }
    void reset() {
        if (fd >= 0) ::close(fd);
        fd = -1;
    }
};

bool make_pipe(Fd& r, Fd& w) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    r = Fd(p[0]);
    w = Fd(p[1]);
    return true;
}

int pidfd_open(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

// Sanitizer settings pass through, so a sanitized build can run its demos; nothing else.
std::vector<std::string> demo_env(const ServerInfo& server) {
    std::vector<std::string> env = {"DAEMONLAB_CA=" + server.ca_pem,
                                    "DAEMONLAB_HOST_PID=" + std::to_string(::getpid()),
                                    "LC_ALL=C.UTF-8"};
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
    return env;
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

Run::Run(RunOptions options, ServerInfo server, std::function<void()> on_change)
    : server_(std::move(server)), on_change_(std::move(on_change)) {
    state_.options = std::move(options);
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
    cmd_fd_ = p[0];
    cmd_w_ = p[1];
    // The watcher spawns the demo itself: PR_SET_PDEATHSIG follows the thread that forked,
    // and the watcher outlives its demo.
    watcher_ = std::thread([this] { watch(); });
}

Run::~Run() {
    command('q');
    watcher_.join();
    ::close(cmd_fd_);
    ::close(cmd_w_);
}

void Run::command(char c) {
    ssize_t r;
    do r = ::write(cmd_w_, &c, 1);
    while (r < 0 && errno == EINTR);
}

void Run::kill() {
    command('k');
}
void Run::go() {
    command('g');
}
void Run::run_to_end() {
    command('r');
}

RunState Run::snapshot() const {
    std::lock_guard lock(mu_);
    RunState s = state_;
    s.now_ns = monotonic_ns();
    return s;
}

Verdict Run::wait() {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return state_.finished(); });
    return state_.verdict;
}

void Run::watch() {
    auto changed = [&] {
        if (on_change_) on_change_();
    };
    auto fail = [&](std::string why) {
        {
            std::lock_guard lock(mu_);
            state_.verdict.outcome = Outcome::failed;
            state_.verdict.error = std::move(why);
        }
        done_cv_.notify_all();
        changed();
    };

    const RunOptions opt = state_.options; // immutable after construction
    block_sigpipe_in_this_thread();        // a demo gone from its control pipe is EPIPE, not death
    if (std::string err = validate(opt); !err.empty()) return fail(err);

    Fd trace_r, trace_w, out_r, out_w, ctl_r, ctl_w;
    if (!make_pipe(trace_r, trace_w) || !make_pipe(out_r, out_w) ||
        (opt.step && !make_pipe(ctl_r, ctl_w)))
        return fail(std::string("cannot make pipes: ") + std::strerror(errno));

    std::vector<std::string> args = demo_argv(opt, server_);
    args.insert(args.end(), {"--trace-fd", std::to_string(kTraceFd)});
    if (opt.step) args.insert(args.end(), {"--control-fd", std::to_string(kControlFd)});
    std::vector<std::string> env = demo_env(server_);

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 2);
    posix_spawn_file_actions_adddup2(&fa, trace_w.fd, kTraceFd);
    if (opt.step) posix_spawn_file_actions_adddup2(&fa, ctl_r.fd, kControlFd);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Nothing of the host's beyond the run's own fds (the echo server's sockets, other runs'
    // pipes), no blocked signals.
    int rc = child_hygiene(fa, attr, opt.step ? kControlFd + 1 : kTraceFd + 1);
    pid_t pid = -1;
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    const std::int64_t spawned_ns = monotonic_ns(); // before: the demo's first event is later
    if (rc == 0) rc = ::posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0)
        return fail(
            "cannot start " + args[0] + ": " + std::strerror(rc) +
            (rc == ENOENT ? " (is the project built? demos live in libexec/daemonlab)" : ""));
    trace_w.reset(); // only the demo writes: EOF on the trace means it is gone
    out_w.reset();
    ctl_r.reset();
    Fd pidfd(pidfd_open(pid));
    {
        std::lock_guard lock(mu_);
        state_.pid = pid;
        state_.spawned_ns = spawned_ns;
    }
    changed();

    TraceReader reader;
    int paused_tid = -1;         // step mode: the thread waiting at a pause point
    std::int64_t suspected = -1; // when the process stopped making progress
    std::vector<int> stuck;
    std::string killed_by;
    const std::int64_t deadline =
        opt.step ? -1
                 : state_.spawned_ns +
                       std::int64_t{run_timeout_ms(opt.grace_ms, opt.timeout_ms)} * 1'000'000;
    bool stepping = opt.step;
    char buf[16384];

    auto kill_demo = [&](std::string by) {
        if (killed_by.empty()) {
            killed_by = std::move(by);
            ::kill(pid, SIGKILL);
        }
    };
    auto send_control = [&](const char* line) {
        if (ctl_w.fd < 0) return;
        ssize_t r;
        do r = ::write(ctl_w.fd, line, std::strlen(line));
        while (r < 0 && errno == EINTR);
        if (r < 0 && errno == EPIPE) { // the demo is gone (its verdict follows from the pidfd)
            drop_pending_sigpipe();
            ctl_w.reset();
        }
    };
    // Reads what the trace pipe holds; false at EOF.
    auto read_trace = [&]() -> bool {
        ssize_t n = ::read(trace_r.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) return true;
        if (n <= 0) return false;
        std::lock_guard lock(mu_);
        reader.feed(std::string_view(buf, std::size_t(n)), [&](TraceEvent&& e) {
            state_.timeline.apply(e);
            // One thread pauses at a time (the demo holds a lock there); only that thread
            // going on ends the pause, not the others' comings and goings meanwhile.
            if (e.kind != "state") return;
            if (e.get("state") == "paused") {
                state_.paused_at = e.get("on");
                paused_tid = e.tid;
            } else if (e.tid == paused_tid) {
                state_.paused_at.clear();
                paused_tid = -1;
            }
        });
        state_.malformed = reader.malformed();
        // Any event restarts the watch: the process moved.
        stuck = stuck_waits(state_.timeline);
        suspected = stuck.empty() ? -1 : monotonic_ns();
        if (!stuck.empty()) state_.verdict.hang_suspected_ns = suspected;
        return true;
    };
    auto read_output = [&]() -> bool {
        ssize_t n = ::read(out_r.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) return true;
        if (n <= 0) return false;
        std::lock_guard lock(mu_);
        state_.output.append(buf, std::size_t(n));
        if (state_.output.size() > kOutputCap)
            state_.output.erase(0, state_.output.size() - kOutputCap);
        return true;
    };

    siginfo_t info{};
    for (;;) {
        std::array<pollfd, 4> fds{};
        fds[0] = {trace_r.fd, POLLIN, 0};
        fds[1] = {out_r.fd, POLLIN, 0};
        fds[2] = {pidfd.fd, POLLIN, 0};
        fds[3] = {cmd_fd_, POLLIN, 0};
        int timeout = -1;
        const std::int64_t now = monotonic_ns();
        auto until = [&](std::int64_t t) {
            int left = int(std::max<std::int64_t>(0, (t - now + 999'999) / 1'000'000));
            timeout = timeout < 0 ? left : std::min(timeout, left);
        };
        if (suspected >= 0 && killed_by.empty())
            until(suspected + std::int64_t{opt.grace_ms} * 1'000'000);
        if (deadline >= 0 && killed_by.empty()) until(deadline);
        if (pidfd.fd < 0) until(now + 5'000'000); // no pidfd (old kernel): look every 5 ms
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            // Cannot watch any more: end the demo rather than leave it behind.
            kill_demo("host");
            ::waitid(P_PID, id_t(pid), &info, WEXITED);
            break;
        }

        bool moved = false;
        if (fds[0].revents) {
            if (read_trace())
                moved = true;
            else
                trace_r.reset(); // fd -1: poll ignores it
        }
        if (fds[1].revents) {
            if (read_output())
                moved = true;
            else
                out_r.reset();
        }
        if (fds[3].revents & POLLIN) {
            char c;
            while (::read(cmd_fd_, &c, 1) == 1) {
                if (c == 'k') kill_demo("user");
                if (c == 'q') kill_demo("host");
                if (c == 'g') send_control("go\n");
                if (c == 'r' && stepping) {
                    stepping = false;
                    send_control("run\n");
                    ctl_w.reset(); // EOF: run on, whatever comes
                }
            }
        }
        if (moved) changed();

        // Has it ended? With a pidfd, poll said so; without, ask.
        bool ended = false;
        if (pidfd.fd >= 0 ? (fds[2].revents & POLLIN) != 0 : true) {
            info = {};
            ended = ::waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == pid;
        }
        if (ended) break;

        const std::int64_t t = monotonic_ns();
        if (killed_by.empty() && suspected >= 0 && t - suspected >= opt.grace_ms * 1'000'000LL) {
            std::lock_guard lock(mu_);
            state_.verdict.waiting_on = stuck;
            state_.verdict.hang_confirmed_ns = t;
            kill_demo("hang");
        }
        if (killed_by.empty() && deadline >= 0 && t >= deadline) kill_demo("timeout");
    }
    const std::int64_t end_ns = monotonic_ns();
    // The demo is gone, so its ends of the pipes are closed: read what is left to EOF.
    while (trace_r.fd >= 0 && read_trace()) {
    }
    while (out_r.fd >= 0 && read_output()) {
    }
    {
        std::lock_guard lock(mu_);
        reader.finish();
        state_.malformed = reader.malformed();
        Verdict& v = state_.verdict;
        v.exit_seen_ns = end_ns;
        state_.timeline.close_at(end_ns);
        state_.paused_at.clear();
        if (info.si_code == CLD_EXITED) {
            v.outcome = Outcome::exited;
            v.exit_code = info.si_status;
            if (state_.timeline.main_end_ns() >= 0)
                v.main_end_to_exit_ms = double(end_ns - state_.timeline.main_end_ns()) / 1e6;
        } else {
            v.signal = info.si_status;
            if (killed_by == "hang")
                v.outcome = Outcome::hung;
            else if (!killed_by.empty()) {
                v.outcome = Outcome::killed;
                v.killed_by = killed_by;
            } else
                v.outcome = Outcome::crashed;
        }
    }
    done_cv_.notify_all();
    changed();
}

} // namespace lab
