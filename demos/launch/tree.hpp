// tree.hpp — a run's process tree, from /proc: every descendant of the launcher (a child
// subreaper, so orphans stay below it). The launcher kills and reaps it at the end
// (daemonlab-launch); the host reads it to show the processes and to judge waits on I/O
// (lab/run/process_tree.hpp). One reader of /proc/PID/stat for both (library dl_tree).
#pragma once

#include <sys/types.h>
#include <vector>

namespace launch {

struct Proc {
    pid_t pid = 0;
    pid_t ppid = 0;
    char state = '?'; // R, S, D, T, Z...
};

// Every process below `root` (not `root` itself), parents before children; zombies included
// (they have no children of their own).
std::vector<Proc> below(pid_t root);

// Every live (not zombie) process below `root`.
std::vector<pid_t> descendants(pid_t root);

// SIGKILL to every process below `root`.
void kill_tree(pid_t root);

// Kills every process below `root` and reaps them, until `root` has no child left (new ones,
// forked meanwhile and re-parented to `root`, are killed on the next round). When `child` is
// reaped here, its wait status is stored in `child_status`. Only for `root` == getpid().
void end_tree(pid_t root, pid_t child, int& child_status);

} // namespace launch
