// daemonlab-launch HOST_PID PROGRAM [ARGS...] — starts a program that is not one of our demos
// (the real Python interpreter, with DaemonLab's tracer) so that it cannot outlive the host:
// PR_SET_PDEATHSIG survives execve(), so the kernel kills the program when the thread that
// spawned us ends, and the parent check closes the race where the host died before prctl().
// Every fd the host passed stays as it is; nothing else happens here.
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
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: daemonlab-launch HOST_PID PROGRAM [ARGS...]\n");
        return 2;
    }
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (std::to_string(::getppid()) != argv[1]) return 125; // the host is already gone
    ::execvp(argv[2], argv + 2);
    const int err = errno;
    std::fprintf(stderr, "daemonlab: cannot start %s: %s\n", argv[2], std::strerror(err));
    // The host learns why on the trace (docs/TRACE-PROTOCOL.md: `refused what=python`). The
    // name is the user's own --python; only TAB, LF and backslash need escaping, and a line
    // is cut well below trace::kMaxLine.
    std::string name;
    for (const char* c = argv[2]; *c && name.size() < 1000; ++c)
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
    return 127;
}
