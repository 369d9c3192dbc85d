// subprocess.hpp — run a program (no shell), collect its output, kill it after a deadline.
#pragma once

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace testing_support {

struct Result {
    int exit_code = -1; // -1 when killed by a signal
    int signal = 0;
    bool timed_out = false;
    std::string out; // stdout and stderr
    double seconds = 0;
};

inline double now_s() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

// Starts `args` (no shell) with stdin from a pipe and stdout + stderr into another. On
// success fills the pid and this side's ends of the pipes (close-on-exec); else says why.
struct Piped {
    pid_t pid = -1;
    int in = -1;  // write here: the program's stdin
    int out = -1; // read here: its stdout and stderr
    std::string error;
};
inline Piped spawn_piped(std::vector<std::string> args) {
    Piped p;
    int out[2], in[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
        p.error = std::string("pipe: ") + std::strerror(errno);
        return p;
    }
    if (pipe2(in, O_CLOEXEC) != 0) {
        p.error = std::string("pipe: ") + std::strerror(errno);
        close(out[0]);
        close(out[1]);
        return p;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, out[1], 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    int rc = posix_spawn(&p.pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    close(in[0]);
    if (rc != 0) {
        close(out[0]);
        close(in[1]);
        p.pid = -1;
        p.error = std::string("spawn failed: ") + std::strerror(rc);
        return p;
    }
    p.in = in[1];
    p.out = out[0];
    return p;
}

inline Result run(std::vector<std::string> args, double timeout_s = 30,
                  const std::string& stdin_text = "") {
    Result r;
    const double t0 = now_s();
    Piped child = spawn_piped(std::move(args));
    if (child.pid < 0) {
        r.out = child.error;
        return r;
    }
    if (!stdin_text.empty()) {
        ssize_t w = write(child.in, stdin_text.data(), stdin_text.size());
        (void)w;
    }
    close(child.in);
    char buf[4096];
    for (;;) {
        int left = int((t0 + timeout_s - now_s()) * 1000);
        if (left <= 0) {
            r.timed_out = true;
            kill(child.pid, SIGKILL);
            break;
        }
        pollfd p{child.out, POLLIN, 0};
        if (poll(&p, 1, left) <= 0) continue;
        ssize_t n = read(child.out, buf, sizeof buf);
        if (n <= 0) break;
        r.out.append(buf, std::size_t(n));
    }
    close(child.out);
    int status = 0;
    waitpid(child.pid, &status, 0);
    r.seconds = now_s() - t0;
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
    return r;
}

// Starts a program in the background, output to /dev/null; returns its pid (or -1).
inline pid_t spawn(std::vector<std::string> args) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    return rc == 0 ? pid : -1;
}

inline bool alive(pid_t pid) {
    std::string path = "/proc/" + std::to_string(pid) + "/stat";
    FILE* f = fopen(path.c_str(), "r");
    if (!f) return false;
    char buf[256] = {};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    std::string s(buf, n);
    auto p = s.rfind(')');
    return p != std::string::npos && p + 2 < s.size() && s[p + 2] != 'Z'; // zombies are dead
}

// Processes whose parent is `parent` (by default this process: a leftover demo would be one).
inline std::vector<int> children(pid_t parent = getpid()) {
    std::vector<int> kids;
    DIR* d = opendir("/proc");
    if (!d) return kids;
    const std::string me = std::to_string(parent);
    while (dirent* e = readdir(d)) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
        std::string path = std::string("/proc/") + e->d_name + "/stat";
        FILE* f = fopen(path.c_str(), "r");
        if (!f) continue;
        char line[512] = {};
        size_t n = fread(line, 1, sizeof line - 1, f);
        fclose(f);
        std::string s(line, n);
        auto close_paren = s.rfind(')');
        if (close_paren == std::string::npos) continue;
        // after ") " comes the state, then the ppid
        std::size_t p = s.find(' ', close_paren + 2);
        if (p == std::string::npos) continue;
        std::string ppid = s.substr(p + 1, s.find(' ', p + 1) - p - 1);
        if (ppid == me) kids.push_back(std::atoi(e->d_name));
    }
    closedir(d);
    return kids;
}

// A program driven like a person at a terminal: read its output until some text appears,
// then type a line. The destructor kills it if it still runs.
class Interactive {
  public:
    explicit Interactive(std::vector<std::string> args) {
        Piped p = spawn_piped(std::move(args));
        pid_ = p.pid;
        in_ = p.in;
        out_ = p.out;
    }
    ~Interactive() {
        if (in_ >= 0) close(in_);
        if (out_ >= 0) close(out_);
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
    }
    Interactive(const Interactive&) = delete;
    Interactive& operator=(const Interactive&) = delete;

    pid_t pid() const { return pid_; }
    // Everything printed so far.
    const std::string& out() const { return text_; }
    // Reads until `needle` appears after position `from` (true), or the output ends or
    // the time is up (false).
    bool read_until(const std::string& needle, std::size_t from, double timeout_s = 30) {
        const double end = now_s() + timeout_s;
        while (text_.find(needle, from) == std::string::npos) {
            if (!read_some(end - now_s())) return false;
        }
        return true;
    }
    // Reads whatever arrives within `seconds` (to see that nothing does).
    void read_for(double seconds) {
        const double end = now_s() + seconds;
        while (now_s() < end)
            if (!read_some(end - now_s())) break;
    }
    void type(const std::string& line) {
        std::string l = line + "\n";
        ssize_t w = write(in_, l.data(), l.size());
        (void)w;
    }
    // Closes its input, reads the rest, and waits for the exit.
    Result finish(double timeout_s = 30) {
        close(in_);
        in_ = -1;
        const double end = now_s() + timeout_s;
        while (read_some(end - now_s())) {
        }
        Result r;
        if (now_s() >= end) {
            r.timed_out = true;
            kill(pid_, SIGKILL);
        }
        int status = 0;
        waitpid(pid_, &status, 0);
        reaped_ = true;
        if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
        r.out = text_;
        return r;
    }

  private:
    bool read_some(double timeout_s) {
        if (timeout_s <= 0 || out_ < 0) return false;
        pollfd p{out_, POLLIN, 0};
        if (poll(&p, 1, int(timeout_s * 1000) + 1) <= 0) return timeout_s > 0.001;
        char buf[4096];
        ssize_t n = read(out_, buf, sizeof buf);
        if (n <= 0) return false;
        text_.append(buf, std::size_t(n));
        return true;
    }
    pid_t pid_ = -1;
    int out_ = -1, in_ = -1;
    bool reaped_ = false;
    std::string text_;
};

// ../shared/vendor/websockets beside the checkout (CI has it; a fresh clone does not), or
// $DAEMONLAB_VENDOR; "" when neither is there.
inline std::string vendor_dir() {
    if (const char* env = std::getenv("DAEMONLAB_VENDOR"); env && *env) return env;
    for (std::filesystem::path p = std::filesystem::path(DAEMONLAB_SOURCE_DIR);
         !p.empty() && p != p.root_path(); p = p.parent_path())
        if (std::filesystem::is_directory(p.parent_path() / "shared/vendor/websockets"))
            return (p.parent_path() / "shared/vendor/websockets").string();
    return {};
}

} // namespace testing_support
