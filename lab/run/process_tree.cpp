#include "lab/run/process_tree.hpp"

#include "demos/launch/tree.hpp"
#include "lab/model/sanitize.hpp"

#include <cstdio>
#include <string>

namespace lab {

namespace {

// /proc/PID/cmdline, its NULs as spaces, bounded; "" when it is gone (or a kernel thread).
std::string command_of(pid_t pid) {
    const std::string path = "/proc/" + std::to_string(pid) + "/cmdline";
    std::FILE* f = std::fopen(path.c_str(), "re");
    if (!f) return {};
    char buf[TreeProcess::kMaxCommand + 1];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    std::string out(buf, n);
    while (!out.empty() && out.back() == '\0') out.pop_back();
    for (char& c : out)
        if (c == '\0') c = ' ';
    return valid_utf8(out);
}

TreeProcess make(const launch::Proc& p, bool program) {
    return {.pid = p.pid,
            .ppid = p.ppid,
            .state = p.state,
            .command = command_of(p.pid),
            .program = program};
}

} // namespace

std::vector<TreeProcess> process_tree(pid_t root, bool launcher, int program_pid) {
    std::vector<TreeProcess> out;
    if (!launcher) out.push_back(make({.pid = root, .ppid = 0, .state = 'R'}, true));
    for (const launch::Proc& p : launch::below(root)) {
        if (out.size() >= kMaxProcesses) break;
        const bool program = launcher && (program_pid > 0 ? p.pid == program_pid : p.ppid == root);
        out.push_back(make(p, program));
    }
    return out;
}

} // namespace lab
