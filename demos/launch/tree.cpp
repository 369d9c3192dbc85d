#include "demos/launch/tree.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <map>
#include <sys/wait.h>
#include <unistd.h>

namespace launch {

namespace {

// /proc/PID/stat: "pid (comm) S ppid ...". The comm may hold anything, ')' included: the last
// ')' ends it. False when the process is gone.
bool read_stat(pid_t pid, Proc& out) {
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d/stat", int(pid));
    std::FILE* f = std::fopen(path, "re");
    if (!f) return false;
    char buf[512];
    const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
    std::fclose(f);
    buf[n] = '\0';
    const char* close = std::strrchr(buf, ')');
    if (!close || close[1] != ' ' || close[2] == '\0' || close[3] != ' ') return false;
    out.pid = pid;
    out.state = close[2];
    out.ppid = pid_t(std::atol(close + 4));
    return true;
}

} // namespace

std::vector<Proc> below(pid_t root) {
    std::multimap<pid_t, Proc> children; // parent → child
    if (DIR* d = ::opendir("/proc")) {
        while (const dirent* e = ::readdir(d)) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
            Proc p;
            if (read_stat(pid_t(std::atol(e->d_name)), p)) children.emplace(p.ppid, p);
        }
        ::closedir(d);
    }
    std::vector<Proc> out;
    std::vector<pid_t> todo = {root};
    while (!todo.empty()) {
        const pid_t p = todo.front();
        todo.erase(todo.begin());
        auto [lo, hi] = children.equal_range(p);
        for (auto it = lo; it != hi; ++it) {
            out.push_back(it->second);
            todo.push_back(it->second.pid);
        }
    }
    return out;
}

std::vector<pid_t> descendants(pid_t root) {
    std::vector<pid_t> out;
    for (const Proc& p : below(root))
        if (p.state != 'Z' && p.state != 'X') out.push_back(p.pid);
    return out;
}

void kill_tree(pid_t root) {
    for (pid_t p : descendants(root)) ::kill(p, SIGKILL);
}

void end_tree(pid_t root, pid_t child, int& child_status) {
    for (;;) {
        kill_tree(root);
        int st = 0;
        const pid_t p = ::waitpid(-1, &st, 0);
        if (p < 0 && errno == EINTR) continue;
        if (p < 0) return; // ECHILD: nothing is left below us
        if (p == child) child_status = st;
    }
}

} // namespace launch
