#include "lab/run/python_engine.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/lines.hpp"
#include "lab/run/spawn_hygiene.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <mutex>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lab {
namespace fs = std::filesystem;

std::string tracer_path() {
    return python_dir() + "/daemonlab_tracer.py";
}

// Runs argv, feeding nothing, for at most timeout_ms; returns (exit status or -1, output).
// Under daemonlab-launch, as the engine's runs are: whatever it starts (pip, venv's ensurepip)
// ends with it, with the calling thread, and with the host (demos/launch/launch.cpp).
std::pair<int, std::string> run_captured(const std::vector<std::string>& args, int timeout_ms,
                                         const std::atomic<bool>* stop) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return {-1, std::strerror(errno)};
    std::vector<std::string> full = args;
    const std::string launcher = libexec_path("daemonlab-launch");
    const bool launched = ::access(launcher.c_str(), X_OK) == 0;
    if (launched) full.insert(full.begin(), {launcher, std::to_string(::getpid())});
    pid_t pid = -1;
    const int rc = spawn_with_output(full, p[1], pid);
    ::close(p[1]);
    if (rc != 0) {
        ::close(p[0]);
        return {-1, std::strerror(rc)};
    }
    std::string out;
    char buf[4096];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    auto stopped = [stop] { return stop && stop->load(); };
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || stopped()) break;
        pollfd f{p[0], POLLIN, 0};
        const int n_ready =
            ::poll(&f, 1, int(stop ? std::min<long>(left.count(), 100) : left.count()));
        if (n_ready == 0 && stop) continue; // look at `stop` again
        if (n_ready <= 0) break;
        ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break; // end of output: the program is done (or about to be)
        out.append(buf, std::size_t(n));
        if (out.size() > 64 * 1024) out.erase(0, out.size() - 64 * 1024); // the last 64 KiB
    }
    ::close(p[0]);
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(pid, &status, WNOHANG)) == 0 &&
           std::chrono::steady_clock::now() < deadline && !stopped())
        ::usleep(2'000);
    if (done == 0) { // the time is up, or it was stopped: end it and all it started
        if (launched) ::kill(pid, SIGTERM); // the launcher kills its whole tree
        for (int i = 0; i < 100 && ::waitpid(pid, &status, WNOHANG) == 0; ++i) ::usleep(10'000);
        ::kill(-pid, SIGKILL); // its process group (child_hygiene), whatever is left
        ::waitpid(pid, &status, 0);
    }
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

namespace {

std::string first_line(std::string_view s) {
    return std::string(s.substr(0, s.find('\n')));
}

} // namespace

PythonCheck check_python(const std::string& python, bool need_websockets, int timeout_ms) {
    static std::mutex mu;
    static std::map<std::string, PythonCheck> cache;
    const char* pp = std::getenv("PYTHONPATH");
    const std::string key = python + '\0' + (pp ? pp : "");
    PythonCheck c;
    {
        std::lock_guard lock(mu);
        if (auto it = cache.find(key); it != cache.end()) c = it->second;
    }
    if (c.python.empty()) {
        c.python = python;
        // One line each: the interpreter's version, then websockets' (or "-").
        const char* probe = "import sys\n"
                            "print('%d.%d.%d' % sys.version_info[:3])\n"
                            "try:\n"
                            "    from websockets.version import version\n"
                            "except Exception:\n"
                            "    version = '-'\n"
                            "print(version)\n";
        auto [status, out] = run_captured({python, "-c", probe}, timeout_ms);
        if (status != 0) {
            c.error = "cannot run " + python + (out.empty() ? "" : ": " + first_line(out)) +
                      ". Install Python 3.9 or newer (apt-get install python3), or name one "
                      "with --python PATH.";
        } else {
            c.version = first_line(out);
            std::string rest = out.substr(std::min(out.size(), c.version.size() + 1));
            std::string ws = first_line(rest);
            if (ws != "-") c.websockets = ws;
            int major = 0, minor = 0;
            std::sscanf(c.version.c_str(), "%d.%d", &major, &minor);
            if (major < 3 || (major == 3 && minor < 9))
                c.error = python + " is Python " + c.version +
                          "; DaemonLab needs 3.9 or newer (apt-get install python3, or "
                          "--python PATH).";
        }
        std::lock_guard lock(mu);
        cache[key] = c;
    }
    if (c.error.empty() && need_websockets) {
        int major = 0;
        std::sscanf(c.websockets.c_str(), "%d", &major);
        if (c.websockets.empty())
            c.error = python + " (Python " + c.version +
                      ") has no websockets. Make a virtual environment with it: python3 -m "
                      "venv ~/dl-venv && ~/dl-venv/bin/pip install websockets, then run with "
                      "--python ~/dl-venv/bin/python (or set PYTHONPATH to a websockets "
                      "source tree).";
        else if (major < 11)
            c.error = python + " has websockets " + c.websockets +
                      "; the lessons need 11 or newer, whose websockets.sync client they use "
                      "(pip install -U websockets in a virtual environment, then --python).";
    }
    return c;
}

Stacks parse_stacks(std::string_view dump, std::size_t max_frames) {
    Stacks out;
    std::vector<Frame>* current = nullptr;
    for_each_line(dump, [&](std::string_view line, int) {
        if (line.size() > 2000) return; // not faulthandler's
        // "Thread 0x00007f3a2b7fe6c0 (most recent call first):" or "Current thread 0x…"
        if (std::size_t at = line.find("hread 0x");
            at != std::string_view::npos &&
            (line.starts_with("Thread 0x") || line.starts_with("Current thread 0x"))) {
            std::string_view hex = line.substr(at + 8);
            hex = hex.substr(0, hex.find(' '));
            unsigned long long ident = 0;
            auto r = std::from_chars(hex.data(), hex.data() + hex.size(), ident, 16);
            current = r.ec == std::errc{} ? &out[std::to_string(ident)] : nullptr;
            if (current) current->clear(); // a later dump of the same thread replaces it
            return;
        }
        // '  File "/usr/lib/python3.11/ssl.py", line 1134 in read'
        if (!current || !line.starts_with("  File \"")) return;
        std::string_view rest = line.substr(8);
        std::size_t q = rest.find("\", line ");
        if (q == std::string_view::npos) return;
        Frame f;
        f.file = std::string(rest.substr(0, q));
        rest = rest.substr(q + 8);
        std::size_t sp = rest.find(" in ");
        std::string_view num = rest.substr(0, sp);
        std::from_chars(num.data(), num.data() + num.size(), f.line);
        if (sp != std::string_view::npos) f.function = std::string(rest.substr(sp + 4));
        if (f.file.ends_with("daemonlab_tracer.py")) return; // the tracer's own wrappers
        if (current->size() < max_frames) current->push_back(std::move(f));
    });
    return out;
}

} // namespace lab
