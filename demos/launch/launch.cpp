// daemonlab-launch HOST_PID PROGRAM [ARGS...] — starts a program that is not one of our demos
// (the real Python interpreter, with DaemonLab's tracer) so that neither it nor anything it
// starts can outlive the run or the host.
//
// - The launcher stays the program's parent and is a child subreaper (PR_SET_CHILD_SUBREAPER):
//   whatever the program starts and orphans — a double fork, a child that called setsid() or
//   setpgid() — is re-parented here, not to init, so its whole tree stays below us.
// - When the program ends, every descendant still alive is killed and reaped; then the
//   launcher ends as the program did (the same exit code, or the same signal), so the host
//   judges the program's own end.
// - The host ends a run with SIGTERM sent to us (only the host's SIGTERM counts, by the
//   sender's pid): the whole tree is killed with SIGKILL, then we die by SIGKILL. The host
//   falls back to SIGKILL on us and the group if that does not happen in time.
// - Other signals from the host are passed on to the program; signals
//   from anyone else reached the program themselves (its group) or are not meant for it.
// - PR_SET_PDEATHSIG (ours and the program's) survives execve(): the kernel kills us when the
//   host's thread that spawned us ends, and the program when we end. The parent checks close
//   the races where the parent died before prctl().
#include "demos/launch/tree.hpp"
#include "demos/trace/protocol.hpp"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

// The host learns on the trace why the program was not started (docs/TRACE-PROTOCOL.md:
// `refused what=python`). The name is the user's own --python; only TAB, LF and backslash
// need escaping, and the line is cut well below trace::kMaxLine.
void refuse_python(const char* program, int err) {
    std::string name;
    for (const char* c = program; *c && name.size() < 1000; ++c)
        name += *c == '\\' ? "\\\\" : *c == '\t' ? "\\t" : *c == '\n' ? "\\n" : std::string(1, *c);
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    const std::string line =
        std::to_string(std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec) + "\t-1\t" +
        std::string(trace::name(trace::Kind::refused)) + "\t" + std::string(trace::key::what) +
        "=" + std::string(trace::name(trace::Refusal::python)) + "\t" +
        std::string(trace::key::text) + "=cannot run " + name + ": " + std::strerror(err) +
        ". Install Python 3.9 to 3.13 (apt-get install python3), or name one with --python "
        "PATH.\n";
    [[maybe_unused]] ssize_t r = ::write(trace::launch::kTraceFd, line.data(), line.size());
}

// Ends like the program did: its exit code, or its signal (without a core file of our own).
[[noreturn]] void end_as(int status) {
    if (WIFEXITED(status)) std::_Exit(WEXITSTATUS(status));
    const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL;
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    std::signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
    ::raise(sig);
    std::_Exit(128 + sig);
}

// The signals we wait for instead of being ended or stopped by them.
sigset_t watched() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM})
        sigaddset(&set, s);
    return set;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: daemonlab-launch HOST_PID PROGRAM [ARGS...]\n");
        return 2;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    const std::string host = argv[1];
    if (std::to_string(::getppid()) != host) return 125; // the host is already gone
    const pid_t host_pid = pid_t(std::atol(argv[1]));
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);

    const sigset_t set = watched();
    sigset_t before;
    ::sigprocmask(SIG_BLOCK, &set, &before);
    const pid_t self = ::getpid();
    const pid_t child = ::fork();
    if (child < 0) {
        std::fprintf(stderr, "daemonlab: cannot start %s: %s\n", argv[2], std::strerror(errno));
        return 127;
    }
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != self) std::_Exit(125); // we are already gone
        ::sigprocmask(SIG_SETMASK, &before, nullptr);
        ::execvp(argv[2], argv + 2);
        const int err = errno;
        std::fprintf(stderr, "daemonlab: cannot start %s: %s\n", argv[2], std::strerror(err));
        refuse_python(argv[2], err);
        std::_Exit(127);
    }
    // The program holds the run's pipes; our copies would only keep them open.
    ::close_range(3, ~0U, 0);

    int status = 0;
    bool child_gone = false;
    for (;;) {
        siginfo_t info{};
        const int sig = ::sigwaitinfo(&set, &info);
        if (sig < 0) continue; // EINTR
        if (sig == SIGCHLD) {
            // Reap whatever ended: the program, or an orphan re-parented to us.
            for (;;) {
                int st = 0;
                const pid_t p = ::waitpid(-1, &st, WNOHANG);
                if (p <= 0) break;
                if (p == child) {
                    status = st;
                    child_gone = true;
                }
            }
            if (!child_gone) continue;
            launch::end_tree(self, child, status); // what it left behind
            end_as(status);
        }
        if (info.si_pid != host_pid) continue; // the program's group got it too, or not ours
        if (sig == SIGTERM) {
            launch::kill_tree(self); // the host ends the run: everything, at once
            launch::end_tree(self, child, status);
            end_as(W_EXITCODE(0, SIGKILL));
        }
        ::kill(child, sig); // any other signal the host sends is meant for the program
    }
}
