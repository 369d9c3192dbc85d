// daemonlab-launch HOST_PID PROGRAM [ARGS...] — starts a program that is not one of our demos
// (the real Python interpreter, with DaemonLab's tracer) so that it cannot outlive the host:
// PR_SET_PDEATHSIG survives execve(), so the kernel kills the program when the thread that
// spawned us ends, and the parent check closes the race where the host died before prctl().
// Every fd the host passed stays as it is; nothing else happens here.
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
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
    std::fprintf(stderr, "daemonlab: cannot start %s: %s\n", argv[2], std::strerror(errno));
    return 127;
}
