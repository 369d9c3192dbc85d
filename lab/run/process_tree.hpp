// process_tree.hpp — the run's processes as the host sees them in /proc: the program and all it
// started (daemonlab-launch is a child subreaper, so orphans stay in the tree), with their
// state and command line. For the timeline (Timeline::set_processes), the JSON's `processes`,
// and the rule on waits on I/O (lab/model/io_wait.hpp).
#pragma once

#include "lab/model/timeline.hpp"

#include <sys/types.h>
#include <vector>

namespace lab {

// `root`: the launcher (`launcher`: the processes below it; the program is `program_pid`, or
// when that is not known yet, the launcher's children), or the demo itself (then it is the
// program, and the rest is below it). At most kMaxProcesses, the first found (parents first).
inline constexpr std::size_t kMaxProcesses = 256;
std::vector<TreeProcess> process_tree(pid_t root, bool launcher, int program_pid);

} // namespace lab
