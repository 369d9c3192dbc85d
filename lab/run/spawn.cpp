#include "lab/run/spawn.hpp"

#include "lab/model/branches.hpp"
#include "lab/model/catalog.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/runner.hpp" // demo_argv's declaration
#include "lab/run/spawn_hygiene.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace lab {

namespace launch = trace::launch;

Fd& Fd::operator=(Fd&& o) noexcept {
    reset();
    fd = std::exchange(o.fd, -1);
    return *this;
}

void Fd::reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

void request_stacks(const Spawned& sp) {
    if (sp.stacks.fd < 0) return;
    const char ask = '?';
    ssize_t r;
    do r = ::send(sp.stacks.fd, &ask, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
}

std::vector<std::string> demo_argv(const RunOptions& o, const ServerInfo& server) {
    using trace::name;
    if (o.engine == trace::Engine::cpython) {
        std::vector<std::string> a = {o.python, tracer_path(), std::string(launch::kReceiverOption),
                                      std::string(name(o.receiver))};
        const Scenario* lesson = o.program.empty() ? find_scenario(o.scenario) : nullptr;
        // a lesson: the tracer checks its websockets before it runs (chapter 2 needs none)
        if (lesson && !lesson->cpython_only)
            a.insert(a.end(), {std::string(launch::kNeedWebsocketsOption),
                               std::to_string(kLessonsNeedWebsockets)});
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
                a.insert(a.end(),
                         {std::string(launch::kPauseOption), pause + "=" + std::to_string(line)});
        }
        a.push_back(std::string(launch::kEndOfOptions));
        a.push_back(program);
        a.insert(a.end(), o.args.begin(), o.args.end());
        return a;
    }
    std::vector<std::string> a = {
        demo_path(o.scenario),
        std::string(launch::kUriOption),
        server.uri,
        std::string(launch::kReceiverOption),
        std::string(name(o.receiver)),
        std::string(effective_close(o) ? launch::kCloseOption : launch::kNoCloseOption)};
    const Scenario* s = find_scenario(o.scenario);
    if (s && s->sandbox) {
        a.insert(a.end(), {std::string(launch::kConnectInOption), std::string(name(o.connect_in)),
                           std::string(launch::kWorkerOption), std::string(name(o.worker))});
        if (o.with_block) a.push_back(std::string(launch::kWithBlockOption));
    }
    if (o.fault != trace::Fault::none)
        a.insert(a.end(), {std::string(launch::kFaultOption), std::string(name(o.fault))});
    return a;
}

namespace {

using trace::launch::kTraceFd, trace::launch::kControlFd, trace::launch::kStackFd;

bool make_pipe(Fd& r, Fd& w) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return false;
    r = Fd(p[0]);
    w = Fd(p[1]);
    return true;
}

// The stack channel goes both ways (a request, then the dump): a socket pair.
bool make_socket_pair(Fd& ours, Fd& theirs) {
    int p[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) != 0) return false;
    ours = Fd(p[0]);
    theirs = Fd(p[1]);
    return true;
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

// The lessons' programs on CPython: the same minimal environment, with the switches (as
// branches.hpp's switch_env maps them) and the echo server's CA (a descriptor: ca_file.hpp) as the
// program reads them; the interpreter's own search path (PATH, PYTHONPATH, a virtual environment's
// VIRTUAL_ENV) passes through.
std::vector<std::string> lesson_env(const RunOptions& o, const ServerInfo& server,
                                    const std::string& ca_file) {
    std::vector<std::string> env = {"ECHO_URI=" + server.uri, "SSL_CERT_FILE=" + ca_file,
                                    "PYTHONUNBUFFERED=1", "LC_ALL=C.UTF-8"};
    for (const auto& [name, value] : switch_env(o)) env.push_back(name + "=" + value);
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

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// The demo's command line, with the fds' options before the program's own arguments (for the
// tracer, before "--"); the interpreter goes through the launcher, so that it dies with us too.
std::vector<std::string> spawn_argv(const RunOptions& o, const ServerInfo& server) {
    const bool cpython = o.engine == trace::Engine::cpython;
    std::vector<std::string> args = demo_argv(o, server);
    std::vector<std::string> fd_args = {std::string(trace::launch::kTraceFdOption),
                                        std::to_string(kTraceFd)};
    if (o.step)
        fd_args.insert(fd_args.end(),
                       {std::string(trace::launch::kControlFdOption), std::to_string(kControlFd)});
    if (cpython)
        fd_args.insert(fd_args.end(),
                       {std::string(trace::launch::kStackFdOption), std::to_string(kStackFd)});
    args.insert(cpython ? args.begin() + 2 : args.end(), fd_args.begin(), fd_args.end());
    if (cpython)
        args.insert(args.begin(), {libexec_path("daemonlab-launch"), std::to_string(::getpid())});
    return args;
}

int pidfd_open(pid_t pid) {
    return int(::syscall(SYS_pidfd_open, pid, 0));
}

} // namespace

Spawned spawn(const RunOptions& o, const ServerInfo& server, const CaFile* ca) {
    Spawned sp;
    const bool cpython = o.engine == trace::Engine::cpython;
    Fd trace_w, out_w, ctl_r, stack_w;
    if (!make_pipe(sp.trace, trace_w) || !make_pipe(sp.output, out_w) ||
        (o.step && !make_pipe(ctl_r, sp.control)) ||
        (cpython && !make_socket_pair(sp.stacks, stack_w))) {
        sp.error = std::string("cannot make pipes: ") + std::strerror(errno);
        return sp;
    }
    std::vector<std::string> args = spawn_argv(o, server);
    std::vector<std::string> env = !cpython            ? demo_env(server)
                                   : o.program.empty() ? lesson_env(o, server, ca_child_path())
                                                       : user_env();

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_w.fd, 2);
    posix_spawn_file_actions_adddup2(&fa, trace_w.fd, kTraceFd);
    if (o.step) posix_spawn_file_actions_adddup2(&fa, ctl_r.fd, kControlFd);
    if (cpython) posix_spawn_file_actions_adddup2(&fa, stack_w.fd, kStackFd);
    if (ca) ca->add_to(fa);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    // Nothing of the host's beyond the run's own fds (the echo server's sockets, other runs'
    // pipes), no blocked signals.
    int rc = child_hygiene(fa, attr,
                           ca        ? kCaFd + 1
                           : cpython ? kStackFd + 1
                           : o.step  ? kControlFd + 1
                                     : kTraceFd + 1);
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    sp.spawned_ns = monotonic_ns(); // before: the demo's first event is later
    if (rc == 0) rc = ::posix_spawn(&sp.pid, argv[0], &fa, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
        sp.error = "cannot start " + args[0] + ": " + std::strerror(rc) +
                   (rc == ENOENT ? " (is the project built? demos live in libexec/daemonlab)" : "");
        return sp;
    }
    // The demo's ends close here as they go: only the demo writes, so EOF on the trace means
    // it is gone.
    sp.pidfd = Fd(pidfd_open(sp.pid));
    sp.launcher = cpython;
    return sp;
}

} // namespace lab
