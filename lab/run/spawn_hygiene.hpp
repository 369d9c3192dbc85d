// spawn_hygiene.hpp — what a child process must not inherit from the host, and what the
// host's watcher thread must not die of.
#pragma once

#include <spawn.h>
#include <string>
#include <sys/types.h>
#include <vector>

namespace lab {

// Sets up a posix_spawn so that the child gets no descriptor at or above `first_closed`
// (every host fd: the echo server's sockets, other runs' pipes, the GUI's X connection...),
// an empty signal mask, and default actions for SIGPIPE and SIGXFSZ (the host blocks or
// ignores them; a demo must start as any program does), in a process group of its own (the
// runner ends the whole group: a program's own children go with it). Call after the dup2
// actions.
// Returns 0 or an errno.
int child_hygiene(posix_spawn_file_actions_t& actions, posix_spawnattr_t& attr, int first_closed);

// A helper program whose output the host reads (gdb, pip, an interpreter's probe): stdin
// /dev/null, stdout and stderr to `out_fd`, the hygiene above; args[0] is looked up in PATH
// when it has no '/'. Returns 0 (the child in `pid`) or an errno.
int spawn_with_output(const std::vector<std::string>& args, int out_fd, pid_t& pid);

// In the calling thread only: SIGPIPE blocked, so a write to a pipe nobody reads fails with
// EPIPE instead of killing the whole host.
void block_sigpipe_in_this_thread();
// After such an EPIPE: drops the SIGPIPE left pending on this thread.
void drop_pending_sigpipe();

} // namespace lab
