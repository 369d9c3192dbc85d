// attach_target.cpp — what /proc says of a process before `attach` touches it: is it
// CPython 3.9–3.13, may we trace it, and the list of the user's Python processes.
#include "lab/run/attach.hpp"

#include "lab/run/interpreters.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace lab {
namespace {

std::string read_small(const std::string& path, std::size_t limit = 64 * 1024) {
    std::ifstream f(path, std::ios::binary);
    std::string s;
    char buf[4096];
    while (f && s.size() < limit) {
        f.read(buf, sizeof buf);
        s.append(buf, std::size_t(f.gcount()));
    }
    return s.substr(0, limit);
}

// "Uid:\t1000\t1000..." → the first number after `key`, or -1.
long status_field(const std::string& status, std::string_view key) {
    std::size_t at = status.find("\n" + std::string(key));
    if (at == std::string::npos) return -1;
    return std::strtol(status.c_str() + at + 1 + key.size(), nullptr, 10);
}

// "3.11" from ".../python3.11" or ".../libpython3.11.so.1.0"; minor 0 when none.
int minor_in(std::string_view name, std::string_view stem) {
    std::size_t at = name.rfind(stem);
    if (at == std::string_view::npos) return 0;
    int minor = 0;
    if (std::sscanf(std::string(name.substr(at + stem.size())).c_str(), "%d", &minor) != 1)
        return 0;
    return minor;
}

bool has_cap_sys_ptrace() {
    const std::string s = read_small("/proc/self/status");
    std::size_t at = s.find("\nCapEff:");
    if (at == std::string::npos) return false;
    unsigned long long caps = std::strtoull(s.c_str() + at + 8, nullptr, 16);
    return (caps >> 19) & 1; // CAP_SYS_PTRACE
}

bool is_descendant(int pid) {
    for (int p = pid, hops = 0; p > 1 && hops < 64; ++hops) {
        if (p == ::getpid()) return true;
        p = int(status_field(read_small("/proc/" + std::to_string(p) + "/status"), "PPid:"));
    }
    return false;
}

double seconds_since_boot() {
    double up = 0;
    std::istringstream(read_small("/proc/uptime")) >> up;
    return up;
}

} // namespace

std::string find_gdb() {
    const char* path = std::getenv("PATH");
    std::string p = path ? path : "/usr/bin:/bin";
    std::size_t a = 0;
    while (a <= p.size()) {
        std::size_t b = p.find(':', a);
        if (b == std::string::npos) b = p.size();
        std::string dir = p.substr(a, b - a);
        if (!dir.empty() && ::access((dir + "/gdb").c_str(), X_OK) == 0) return dir + "/gdb";
        a = b + 1;
    }
    return {};
}

std::string permission_fix(int pid) {
    return "daemonlab may not trace pid " + std::to_string(pid) +
           ". Attaching needs ptrace: run it as the same user with kernel.yama.ptrace_scope = "
           "0 (sudo sysctl kernel.yama.ptrace_scope=0), or as root / with CAP_SYS_PTRACE "
           "(sudo daemonlab attach " +
           std::to_string(pid) + ").";
}

Target inspect_target(int pid, std::string& error) {
    Target t;
    t.pid = pid;
    const std::string dir = "/proc/" + std::to_string(pid);
    struct stat st {};
    if (pid <= 0 || ::stat(dir.c_str(), &st) != 0) {
        error = "no process with pid " + std::to_string(pid) + " (it may have exited).";
        return t;
    }
    if (pid == ::getpid()) {
        error = "pid " + std::to_string(pid) + " is daemonlab itself.";
        return t;
    }
    const std::string status = read_small(dir + "/status");
    t.uid = int(status_field(status, "Uid:"));
    t.gid = int(status_field(status, "Gid:"));
    if (status.find("\nState:\tZ") != std::string::npos) {
        error = "pid " + std::to_string(pid) + " has exited (a zombie its parent has not reaped).";
        return t;
    }
    std::string cmd = read_small(dir + "/cmdline", 4096);
    std::replace(cmd.begin(), cmd.end(), '\0', ' ');
    while (!cmd.empty() && cmd.back() == ' ') cmd.pop_back();
    t.cmdline = cmd;
    char exe[4096];
    ssize_t n = ::readlink((dir + "/exe").c_str(), exe, sizeof exe - 1);
    if (n < 0) {
        error = errno == EACCES || errno == EPERM ? permission_fix(pid)
                                                  : "pid " + std::to_string(pid) +
                                                        " has no executable to look at (a "
                                                        "kernel thread, or it just exited).";
        return t;
    }
    t.exe.assign(exe, std::size_t(n));
    const std::string base = t.exe.substr(t.exe.rfind('/') + 1);
    t.minor = minor_in(base, "python3.");
    if (t.minor == 0) { // an embedding program (uwsgi, gdb...) or a build named python3
        const std::string maps = read_small(dir + "/maps", 1 << 20);
        t.minor = minor_in(maps, "libpython3.");
    }
    if (t.minor == 0) {
        error = "pid " + std::to_string(pid) + " (" + base +
                ") is not CPython: neither its executable nor a loaded libpython is "
                "python3.X. attach explains CPython 3.9–3.13 processes.";
        return t;
    }
    t.python = "3." + std::to_string(t.minor);
    if (t.minor < kOldestMinor || t.minor > kNewestMinor) {
        error = "pid " + std::to_string(pid) + " runs CPython " + t.python +
                "; attach knows CPython 3." + std::to_string(kOldestMinor) + "–3." +
                std::to_string(kNewestMinor) + ".";
        return t;
    }
    // /proc/PID/stat: field 22 is the start time in clock ticks after boot.
    const std::string stat = read_small(dir + "/stat", 4096);
    if (std::size_t rp = stat.rfind(')'); rp != std::string::npos) {
        std::istringstream in(stat.substr(rp + 2));
        std::string f;
        for (int i = 3; i <= 22 && in >> f; ++i)
            if (i == 22)
                t.age_s = seconds_since_boot() -
                          std::strtod(f.c_str(), nullptr) / double(::sysconf(_SC_CLK_TCK));
    }
    if (long tracer = status_field(status, "TracerPid:"); tracer > 0) {
        error = "pid " + std::to_string(pid) + " is already traced by pid " +
                std::to_string(tracer) + " (a debugger, strace?): only one tracer at a time.";
        return t;
    }
    const bool root = ::geteuid() == 0 || has_cap_sys_ptrace();
    if (!root && t.uid != int(::geteuid())) {
        error = permission_fix(pid) + " It belongs to uid " + std::to_string(t.uid) + ".";
        return t;
    }
    const std::string yama = read_small("/proc/sys/kernel/yama/ptrace_scope", 16);
    const int scope = yama.empty() ? 0 : std::atoi(yama.c_str());
    if (!root && (scope >= 2 || (scope == 1 && !is_descendant(pid)))) {
        error =
            permission_fix(pid) + " (kernel.yama.ptrace_scope is " + std::to_string(scope) + ".)";
        return t;
    }
    return t;
}

std::vector<Target> python_processes() {
    std::vector<Target> out;
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    const bool root = ::geteuid() == 0;
    while (dirent* e = ::readdir(d)) {
        char* end = nullptr;
        long pid = std::strtol(e->d_name, &end, 10);
        if (!end || *end || pid <= 0 || pid == ::getpid()) continue;
        std::string err;
        Target t = inspect_target(int(pid), err);
        if (t.python.empty() || (!root && t.uid != int(::geteuid()))) continue;
        // DaemonLab's own runs (under its tracer) are explained by their run, live.
        if (t.cmdline.find("daemonlab_tracer.py") != std::string::npos) continue;
        out.push_back(std::move(t));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end(),
              [](const Target& a, const Target& b) { return a.age_s < b.age_s; });
    return out;
}

} // namespace lab
