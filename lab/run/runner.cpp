#include "lab/run/runner.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/run_limits.hpp"
#include "lab/run/ca_file.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/spawn_hygiene.hpp"

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

extern char** environ;

namespace lab {

std::vector<std::string> demo_argv(const RunOptions& o, const ServerInfo& server) {
    using trace::name;
    if (o.engine == trace::Engine::cpython) {
        std::vector<std::string> a = {o.python, tracer_path(), "--receiver",
                                      std::string(name(o.receiver))};
        const std::string program = o.program.empty() ? program_path(o.scenario) : o.program;
        if (o.step) {
            std::string source;
            if (std::FILE* f = std::fopen(program.c_str(), "rb")) {
                char buf[8192];
                for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
                    source.append(buf, n);
                std::fclose(f);
            }
            for (const auto& [pause, line] : pause_points(source))
                a.insert(a.end(), {"--pause", pause + "=" + std::to_string(line)});
        }
        a.push_back("--");
        a.push_back(program);
        a.insert(a.end(), o.args.begin(), o.args.end());
        return a;
    }
    std::vector<std::string> a = {demo_path(o.scenario),
                                  "--uri",
                                  server.uri,
                                  "--receiver",
                                  std::string(name(o.receiver)),
                                  effective_close(o) ? "--close" : "--no-close"};
    const Scenario* s = find_scenario(o.scenario);
    if (s && s->sandbox) {
        a.insert(a.end(), {"--connect-in", std::string(name(o.connect_in)), "--worker",
                           std::string(name(o.worker))});
        if (o.with_block) a.push_back("--with-block");
    }
    if (o.fault != trace::Fault::none) a.insert(a.end(), {"--fault", std::string(name(o.fault))});
    return a;
}

namespace {

using trace::launch::kTraceFd, trace::launch::kControlFd, trace::launch::kStackFd;
constexpr int kStackSignal = SIGUSR2; // faulthandler dumps every thread's stack
constexpr std::size_t kOutputCap = 64 * 1024;
constexpr std::size_t kStackCap = 256 * 1024;

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

// The lessons' programs on CPython: the same minimal environment, with the switches and the
// echo server's CA (a descriptor: ca_file.hpp) as the program reads them; the interpreter's
// own search path (PATH, PYTHONPATH, a virtual environment's VIRTUAL_ENV) passes through.
std::vector<std::string> lesson_env(const RunOptions& o, const ServerInfo& server,
                                    const std::string& ca_file) {
    using trace::name;
    std::vector<std::string> env = {
        "ECHO_URI=" + server.uri, "CLOSE=" + std::string(effective_close(o) ? "1" : "0"),
        "SSL_CERT_FILE=" + ca_file, "PYTHONUNBUFFERED=1", "LC_ALL=C.UTF-8"};
    if (const Scenario* s = find_scenario(o.scenario); s && s->sandbox) {
        env.push_back("CONNECT_IN=" + std::string(name(o.connect_in)));
        env.push_back("WORKER=" + std::string(name(o.worker)));
        env.push_back(std::string("WITH_BLOCK=") + (o.with_block ? "1" : "0"));
    }
    for (const char* v : {"PATH", "PYTHONPATH", "VIRTUAL_ENV", "HOME", "ASAN_OPTIONS",
                          "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* val = std::getenv(v)) env.push_back(std::string(v) + "=" + val);
    return env;
}

// A user's program runs in the user's own environment, as when they run it themselves.
std::vector<std::string> user_env() {
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
    return env;
}

// A program that never ran: a syntax error (the tracer reports main ending in SyntaxError),
// or the tracer refused to start it (status 2 with an error and no main-end). "" otherwise.
std::string broken_program(const Timeline& t, int status) {
    const std::string& exc = t.main_exception();
    if (t.main_end_how() == trace::MainEnd::exception &&
        (exc.starts_with("SyntaxError") || exc.starts_with("IndentationError") ||
         exc.starts_with("TabError")))
        return exc.substr(exc.find('\n') + 1);
    if (t.main_end_ns() < 0 && status == 2)
        for (const Marker& m : t.markers())
            if (m.kind == trace::Kind::error) return m.text;
    return {};
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

void Run::end() {
    command('q');
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return state_.finished() && !state_.alive; });
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

    const bool cpython = opt.engine == trace::Engine::cpython;
    const bool lesson = cpython && opt.program.empty();
    std::optional<CaFile> ca;
    if (cpython) {
        PythonCheck check = check_python(opt.python, lesson);
        {
            std::lock_guard lock(mu_);
            state_.python = check;
        }
        if (!check.error.empty()) return fail(check.error);
        if (lesson) {
            ca.emplace(server_.ca_pem);
            if (!ca->error().empty()) return fail(ca->error());
        }
    }

    Fd trace_r, trace_w, out_r, out_w, ctl_r, ctl_w, stack_r, stack_w;
    if (!make_pipe(trace_r, trace_w) || !make_pipe(out_r, out_w) ||
        (opt.step && !make_pipe(ctl_r, ctl_w)) || (cpython && !make_pipe(stack_r, stack_w)))
        return fail(std::string("cannot make pipes: ") + std::strerror(errno));

    std::vector<std::string> args = demo_argv(opt, server_);
    // The fds' options go before the program's own arguments (for the tracer, before "--").
    std::vector<std::string> fd_args = {std::string(trace::launch::kTraceFdOption),
                                        std::to_string(kTraceFd)};
    if (opt.step)
        fd_args.insert(fd_args.end(),
                       {std::string(trace::launch::kControlFdOption), std::to_string(kControlFd)});
    if (cpython)
        fd_args.insert(fd_args.end(),
                       {std::string(trace::launch::kStackFdOption), std::to_string(kStackFd),
                        "--stack-signal", std::to_string(kStackSignal)});
    args.insert(cpython ? args.begin() + 2 : args.end(), fd_args.begin(), fd_args.end());
    if (cpython) // through the launcher, so that the interpreter dies with us too
        args.insert(args.begin(), {libexec_path("daemonlab-launch"), std::to_string(::getpid())});
    std::vector<std::string> env = !cpython ? demo_env(server_)
                                   : lesson ? lesson_env(opt, server_, ca_child_path())
                                            : user_env();

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 2);
    posix_spawn_file_actions_adddup2(&fa, trace_w.fd, kTraceFd);
    if (opt.step) posix_spawn_file_actions_adddup2(&fa, ctl_r.fd, kControlFd);
    if (cpython) posix_spawn_file_actions_adddup2(&fa, stack_w.fd, kStackFd);
    if (ca) ca->add_to(fa);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Nothing of the host's beyond the run's own fds (the echo server's sockets, other runs'
    // pipes), no blocked signals.
    int rc = child_hygiene(fa, attr,
                           ca         ? kCaFd + 1
                           : cpython  ? kStackFd + 1
                           : opt.step ? kControlFd + 1
                                      : kTraceFd + 1);
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
    stack_w.reset();
    Fd pidfd(pidfd_open(pid));
    {
        std::lock_guard lock(mu_);
        state_.pid = pid;
        state_.spawned_ns = spawned_ns;
        state_.alive = true;
    }
    changed();

    TraceReader reader;
    int paused_tid = -1;         // step mode: the thread waiting at a pause point
    std::int64_t suspected = -1; // when the process stopped making progress
    std::vector<int> stuck;
    std::optional<KilledBy> killed_by;
    std::int64_t confirmed = -1; // the hang was confirmed then (kept alive: keep_hung_ms)
    const std::int64_t deadline =
        opt.step ? -1
                 : state_.spawned_ns +
                       std::int64_t{run_timeout_ms(opt.grace_ms, opt.timeout_ms)} * 1'000'000;
    bool stepping = opt.step;
    char buf[16384];

    auto kill_demo = [&](KilledBy by) {
        if (!killed_by) {
            killed_by = by;
            ::kill(-pid, SIGKILL); // the demo's process group: what it started goes with it
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
            if (e.kind != trace::Kind::state) return;
            if (e.get_enum<ThreadState>(trace::key::state) == ThreadState::paused) {
                state_.paused_at = e.get(trace::key::step);
                paused_tid = e.tid;
            } else if (e.tid == paused_tid) {
                state_.paused_at.clear();
                paused_tid = -1;
            }
        });
        state_.malformed = reader.malformed();
        // Any event restarts the watch: the process moved.
        if (confirmed >= 0) return true; // the verdict is in; the process only lingers
        stuck = stuck_waits(state_.timeline);
        suspected = stuck.empty() ? -1 : monotonic_ns();
        if (!stuck.empty()) state_.verdict.hang_suspected_ns = suspected;
        return true;
    };
    // cpython: faulthandler's dump of every thread's stack, asked for at a suspected hang.
    std::string stacks;
    std::int64_t stacks_for = -1; // the suspicion the stacks were asked for
    auto read_stacks = [&]() -> bool {
        ssize_t n = ::read(stack_r.fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) return true;
        if (n <= 0) return false;
        if (stacks.size() < kStackCap) stacks.append(buf, std::size_t(n));
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
        std::array<pollfd, 5> fds{};
        fds[0] = {trace_r.fd, POLLIN, 0};
        fds[1] = {out_r.fd, POLLIN, 0};
        fds[2] = {pidfd.fd, POLLIN, 0};
        fds[3] = {cmd_fd_, POLLIN, 0};
        fds[4] = {stack_r.fd, POLLIN, 0};
        int timeout = -1;
        const std::int64_t now = monotonic_ns();
        auto until = [&](std::int64_t t) {
            int left = int(std::max<std::int64_t>(0, (t - now + 999'999) / 1'000'000));
            timeout = timeout < 0 ? left : std::min(timeout, left);
        };
        if (confirmed >= 0) {
            if (!killed_by) until(confirmed + std::int64_t{opt.keep_hung_ms} * 1'000'000);
        } else {
            if (suspected >= 0 && !killed_by)
                until(suspected + std::int64_t{opt.grace_ms} * 1'000'000);
            if (cpython && suspected >= 0 && suspected != stacks_for && !killed_by)
                until(suspected + std::int64_t{opt.grace_ms} * 500'000); // time to ask for stacks
            if (deadline >= 0 && !killed_by) until(deadline);
        }
        if (pidfd.fd < 0) until(now + 5'000'000); // no pidfd (old kernel): look every 5 ms
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            // Cannot watch any more: end the demo rather than leave it behind.
            kill_demo(KilledBy::host);
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
        if (fds[4].revents && !read_stacks()) stack_r.reset();
        // A suspected hang on the real interpreter, still for half the grace: ask for every
        // thread's stack. Anything that moves later starts a new suspicion, and a new dump
        // replaces this one, so the stacks shown are those of the hang that was confirmed.
        if (cpython && suspected >= 0 && suspected != stacks_for && !killed_by &&
            monotonic_ns() - suspected >= std::int64_t{opt.grace_ms} * 500'000) {
            stacks_for = suspected;
            stacks.clear();
            ::kill(pid, kStackSignal);
        }
        if (fds[3].revents & POLLIN) {
            char c;
            while (::read(cmd_fd_, &c, 1) == 1) {
                if (c == 'k') kill_demo(KilledBy::user);
                if (c == 'q') kill_demo(KilledBy::host);
                if (c == 'g') send_control((std::string(trace::launch::kGo) + '\n').c_str());
                if (c == 'r' && stepping) {
                    stepping = false;
                    send_control((std::string(trace::launch::kRun) + '\n').c_str());
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
        if (!killed_by && confirmed < 0 && suspected >= 0 &&
            t - suspected >= opt.grace_ms * 1'000'000LL) {
            confirmed = t;
            {
                std::lock_guard lock(mu_);
                state_.verdict.waiting_on = stuck;
                state_.verdict.hang_confirmed_ns = t;
                // Kept alive: the verdict is known now; the process lives on until the
                // limit, the user's Kill or the host's end.
                if (opt.keep_hung_ms > 0) state_.verdict.outcome = Outcome::hung;
            }
            if (opt.keep_hung_ms > 0) {
                done_cv_.notify_all();
                changed();
            } else
                kill_demo(KilledBy::hang);
        }
        if (!killed_by && confirmed >= 0 && t - confirmed >= opt.keep_hung_ms * 1'000'000LL)
            kill_demo(KilledBy::hang);
        if (!killed_by && confirmed < 0 && deadline >= 0 && t >= deadline)
            kill_demo(KilledBy::timeout);
    }
    const std::int64_t end_ns = monotonic_ns();
    // Whatever the program started and left behind (its group outlives it): no orphans.
    ::kill(-pid, SIGKILL);
    // The demo is gone: what it wrote is in the pipes. Read it without waiting, so a process
    // that left the group (setsid) and still holds a pipe cannot keep the verdict waiting.
    for (const Fd* f : {&trace_r, &out_r, &stack_r})
        if (f->fd >= 0) ::fcntl(f->fd, F_SETFL, ::fcntl(f->fd, F_GETFL) | O_NONBLOCK);
    // The demo is gone, so its ends of the pipes are closed: read what is left to EOF.
    while (trace_r.fd >= 0 && read_trace()) {
    }
    while (out_r.fd >= 0 && read_output()) {
    }
    while (stack_r.fd >= 0 && read_stacks()) {
    }
    {
        std::lock_guard lock(mu_);
        if (!stacks.empty()) state_.stacks = parse_stacks(stacks);
        reader.finish();
        state_.malformed = reader.malformed();
        Verdict& v = state_.verdict;
        v.exit_seen_ns = end_ns;
        state_.timeline.close_at(end_ns);
        state_.paused_at.clear();
        state_.alive = false;
        if (info.si_code == CLD_EXITED) {
            v.outcome = Outcome::exited;
            v.exit_code = info.si_status;
            if (state_.timeline.main_end_ns() >= 0)
                v.main_end_to_exit_ms = double(end_ns - state_.timeline.main_end_ns()) / 1e6;
            if (cpython) {
                if (std::string why = broken_program(state_.timeline, info.si_status);
                    !why.empty()) {
                    v.outcome = Outcome::error;
                    v.error = why;
                }
            }
        } else {
            v.signal = info.si_status;
            if (confirmed >= 0 && killed_by) { // a confirmed hang, ended by us: who ended it
                v.outcome = Outcome::hung;
                v.killed_by = killed_by;
            } else if (killed_by == KilledBy::hang)
                v.outcome = Outcome::hung;
            else if (killed_by == KilledBy::timeout) {
                v.outcome = Outcome::timed_out;
                v.killed_by = killed_by;
            } else if (killed_by) {
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
