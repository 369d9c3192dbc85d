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

constexpr std::size_t kMaxTree = 1 << 16; // pid_max is 2^22; a run's tree is far smaller

// The children of `pid`: /proc/PID/task/TID/children lists those that thread TID forked (or
// that were re-parented to it). False when the kernel has no such files
// (CONFIG_PROC_CHILDREN), and then the whole of /proc is read instead.
bool children_of(pid_t pid, std::vector<pid_t>& out) {
    static const bool have = ::access("/proc/thread-self/children", R_OK) == 0;
    if (!have) return false;
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task", int(pid));
    DIR* d = ::opendir(path);
    if (!d) return true; // gone: no children
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        std::snprintf(path, sizeof path, "/proc/%d/task/%.16s/children", int(pid), e->d_name);
        std::FILE* f = std::fopen(path, "re");
        if (!f) continue; // the thread ended
        int c = 0;
        while (std::fscanf(f, "%d", &c) == 1) out.push_back(pid_t(c));
        std::fclose(f);
    }
    ::closedir(d);
    return true;
}

} // namespace

std::vector<Proc> below(pid_t root) {
    // Only the tree itself, when the kernel lists each process's children: a few files per
    // process of the run instead of every process on the machine (the launcher and the host
    // read it at each run's end and start: docs/PERFORMANCE.md).
    std::vector<Proc> out;
    std::vector<pid_t> kids;
    if (children_of(root, kids)) {
        for (std::size_t i = 0; i < kids.size() && i < kMaxTree; ++i) {
            Proc p;
            if (!read_stat(kids[i], p)) continue; // ended meanwhile
            out.push_back(p);
            if (p.state != 'Z' && p.state != 'X') children_of(p.pid, kids);
        }
        return out;
    }
    std::multimap<pid_t, Proc> children; // parent → child
    if (DIR* d = ::opendir("/proc")) {
        while (const dirent* e = ::readdir(d)) {
            if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
            Proc p;
            if (read_stat(pid_t(std::atol(e->d_name)), p)) children.emplace(p.ppid, p);
        }
        ::closedir(d);
    }
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
        // No child at all (ECHILD): nothing is below us, since an orphan is re-parented to us
        // (the subreaper) before its parent's end can be reaped. Then /proc need not be read:
        // a program that started nothing ends without the launcher walking every process.
        siginfo_t any{};
        if (::waitid(P_ALL, 0, &any, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) return;
        kill_tree(root);
        int st = 0;
        const pid_t p = ::waitpid(-1, &st, 0);
        if (p < 0 && errno == EINTR) continue;
        if (p < 0) return; // ECHILD: nothing is left below us
        if (p == child) child_status = st;
    }
}

} // namespace launch
