// spawn.hpp — starts a demo (or the real interpreter, through daemonlab-launch) with its
// pipes: argv, environment and descriptors built here, then posix_spawn. No watching.
#pragma once

#include "lab/run/ca_file.hpp"

#include "lab/model/run_options.hpp"

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <utility>

namespace lab {

// An owned descriptor, closed when it goes.
struct Fd {
    int fd = -1;
    Fd() = default;
    explicit Fd(int f) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd& operator=(Fd&& o) noexcept;
    ~Fd() { reset(); }
    void reset();
};

// A started demo: this side's ends of its pipes.
struct Spawned {
    pid_t pid = -1;
    Fd pidfd;   // -1 on a kernel without pidfd_open
    Fd trace;   // read: the trace (fd 3 in the demo)
    Fd output;  // read: its stdout and stderr
    Fd control; // write, step mode: the control words (fd 4)
    Fd stacks;  // cpython, a socket: a byte written asks for every thread's stack (fd 5)
    std::int64_t spawned_ns = 0; // just before the spawn: the demo's first event is later
    // `pid` is daemonlab-launch, the program's parent and subreaper: SIGTERM from us ends the
    // program's whole tree (demos/launch/launch.cpp); SIGKILL on it would leave orphans.
    bool launcher = false;
    std::string error; // it could not start: why ("" when it did)
};

// `ca`: for a lesson's program on CPython, the echo server's CA, handed over as a descriptor
// (ca_file.hpp); else null.
Spawned spawn(const RunOptions& o, const ServerInfo& server, const CaFile* ca);

// Asks the tracer for every thread's stack (cpython): one byte on the stack socket, which the
// tracer's own thread answers on the same socket. No signal: the program's are its own.
void request_stacks(const Spawned& sp);

} // namespace lab
