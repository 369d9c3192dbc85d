// attach.cpp — the mechanism of `daemonlab attach` (attach.hpp says how and why).
#include "lab/run/attach.hpp"

#include "lab/model/programs.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/spawn_hygiene.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace lab {
namespace {

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
    return int(std::max<long long>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count()));
}

// Still running: it exists and is not a zombie (a test's child is one until reaped).
bool alive(int pid) {
    // istream::read: a process that ends mid-read (ESRCH) is a short read here; an
    // istreambuf_iterator lets libstdc++'s ios_base::failure out of attach instead.
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat(4096, '\0');
    f.read(stat.data(), std::streamsize(stat.size()));
    stat.resize(std::size_t(f.gcount()));
    const std::size_t rp = stat.rfind(')');
    return rp != std::string::npos && rp + 2 < stat.size() && stat[rp + 2] != 'Z' &&
           stat[rp + 2] != 'X';
}

// A private directory (0700, a fresh random name) and the files in it; removed when it goes.
struct PrivateDir {
    std::string path;
    std::vector<std::string> files;
    ~PrivateDir() {
        for (const std::string& f : files) ::unlink((path + "/" + f).c_str());
        if (!path.empty()) ::rmdir(path.c_str());
    }
    // A new file, never an existing one or a link: O_EXCL | O_NOFOLLOW.
    bool create(const std::string& name, std::string_view content, int uid, int gid) {
        const std::string p = path + "/" + name;
        int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) return false;
        files.push_back(name);
        bool ok = true;
        for (std::size_t off = 0; off < content.size();) {
            ssize_t n = ::write(fd, content.data() + off, content.size() - off);
            if (n <= 0) {
                ok = false;
                break;
            }
            off += std::size_t(n);
        }
        if (uid >= 0 && ::fchown(fd, uid_t(uid), gid_t(gid)) != 0) ok = false;
        ::close(fd);
        return ok;
    }
};

// What an attach killed half-way (the app closed by a signal) left in `base`: our own
// private directories older than two minutes (an attach takes at most one), with the four files
// they can hold.
void remove_stale(const std::string& base) {
    DIR* d = ::opendir(base.c_str());
    if (!d) return;
    const std::time_t now = std::time(nullptr);
    while (dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (!name.starts_with("daemonlab-attach-")) continue;
        const std::string path = base + "/" + name;
        struct stat st {};
        if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || now - st.st_mtime < 120)
            continue;
        if (st.st_uid != ::geteuid() && ::geteuid() != 0) continue;
        for (const char* f : {"trace", "stacks", "code", "gdb"}) ::unlink((path + "/" + f).c_str());
        ::rmdir(path.c_str());
    }
    ::closedir(d);
}

std::string hex(std::string_view s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() * 2);
    for (unsigned char c : s) {
        out += digits[c >> 4];
        out += digits[c & 15];
    }
    return out;
}

// The Python statement PyRun_SimpleString runs in __main__: it defines nothing there (exec
// with a dict of its own), and every byte of ours travels as hex, so nothing needs quoting.
std::string injected_code(const std::string& reporter, const std::string& dir) {
    return "exec(compile(bytes.fromhex('" + hex(reporter) +
           "').decode(),'<daemonlab-attach>','exec'),{'OUT':bytes.fromhex('" + hex(dir) +
           "').decode(),'__name__':'__daemonlab_attach__'})";
}

// gdb's commands: a private page, the code in it, the pending call; then the main thread's
// lock wait ends with EINTR (x86-64: the futex syscall's restart is turned into EINTR), so
// CPython runs pending calls now rather than when the wait ends by itself.
std::string gdb_script(const std::string& dir, std::size_t size) {
    const std::size_t pages = (size + 1 + 4095) / 4096 * 4096;
    std::string s = "set $dl_page = (long) mmap(0, " + std::to_string(pages) +
                    ", 3, 0x22, -1, 0)\n"
                    "if $dl_page == -1\n  echo DL-ERROR mmap\\n\n  detach\n  quit\nend\n"
                    "restore " +
                    dir +
                    "/code binary $dl_page\n"
                    "set $dl_rc = (int) Py_AddPendingCall(PyRun_SimpleString, $dl_page)\n"
                    "printf \"DL-QUEUED %d\\n\", $dl_rc\n";
#if defined(__x86_64__)
    s += "if $orig_rax == 202 && ($rax == -512 || $rax == -516)\n  set $rax = -4\nend\n";
#endif
    s += "detach\nquit\n";
    return s;
}

struct GdbRun {
    int status = -1; // exit status, -1: killed or not started
    std::string output;
    bool timed_out = false;
};

// gdb, in batch mode, for at most until `deadline`: then SIGINT (with unwindonsignal an
// inferior call in progress is unwound, and gdb detaches as it quits), then SIGKILL.
GdbRun run_gdb(const std::string& gdb, int pid, const std::string& script,
               Clock::time_point deadline) {
    GdbRun r;
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return r;
    const std::vector<std::string> args = {gdb,      "-q",
                                           "-batch", "-nx",
                                           "-iex",   "set auto-load off",
                                           "-iex",   "set debuginfod enabled off",
                                           "-iex",   "set confirm off",
                                           "-iex",   "set pagination off",
                                           "-iex",   "set unwindonsignal on",
                                           "-iex",   "set unwind-on-terminating-exception on",
                                           "-p",     std::to_string(pid),
                                           "-x",     script};
    pid_t child = -1;
    const int rc = spawn_with_output(args, p[1], child);
    ::close(p[1]);
    if (rc != 0) {
        ::close(p[0]);
        r.output = std::strerror(rc);
        return r;
    }
    char buf[4096];
    int signals_sent = 0;
    for (;;) {
        int left = ms_left(deadline);
        if (left == 0) {
            // First ask (SIGINT: the call in progress is unwound, then gdb detaches), then
            // end it (SIGKILL: the kernel detaches).
            r.timed_out = true;
            ::kill(child, signals_sent++ == 0 ? SIGINT : SIGKILL);
            deadline = Clock::now() + std::chrono::milliseconds(500);
            if (signals_sent > 2) break;
            continue;
        }
        pollfd f{p[0], POLLIN, 0};
        if (::poll(&f, 1, left) < 0 && errno != EINTR) break;
        if (f.revents == 0) continue;
        ssize_t n = ::read(p[0], buf, sizeof buf);
        if (n <= 0) break;
        if (r.output.size() < 64 * 1024) r.output.append(buf, std::size_t(n));
    }
    ::close(p[0]);
    int status = 0;
    if (::waitpid(child, &status, WNOHANG) == 0) {
        ::kill(child, SIGKILL);
        ::waitpid(child, &status, 0);
    }
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string read_file(const std::string& path, std::size_t limit) {
    std::ifstream f(path, std::ios::binary);
    std::string s(limit, '\0');
    f.read(s.data(), std::streamsize(limit));
    s.resize(std::size_t(f.gcount()));
    return s;
}

bool contains(const std::string& s, std::string_view what) {
    return s.find(what) != std::string::npos;
}

// What gdb's output says went wrong, as a refusal; "" when it queued the call.
std::string gdb_refusal(const GdbRun& g, int pid) {
    if (contains(g.output, "DL-QUEUED 0")) return {};
    // First: a process that ended (a zombie too) gives ptrace's EPERM as well.
    if (contains(g.output, "No such process") || !alive(pid))
        return "pid " + std::to_string(pid) + " exited during the attach.";
    if (contains(g.output, "Operation not permitted") ||
        contains(g.output, "ptrace: Permission denied"))
        return "gdb could not attach: ptrace: Operation not permitted. " + permission_fix(pid);
    if (contains(g.output, "No symbol") && contains(g.output, "Py_AddPendingCall"))
        return "pid " + std::to_string(pid) +
               " has no Py_AddPendingCall symbol: not a CPython that attach knows.";
    if (contains(g.output, "DL-QUEUED"))
        return "CPython refused the pending call (its queue of pending calls is full).";
    if (g.timed_out)
        return "time-out: gdb did not get the reporter queued within " +
               std::to_string(kGdbLimitMs / 1000) +
               " s (a very busy machine); it was interrupted and has detached, and the process "
               "runs on unchanged.";
    std::string last = g.output.substr(g.output.size() > 300 ? g.output.size() - 300 : 0);
    return "gdb did not queue the reporter (status " + std::to_string(g.status) + "): " + last;
}

} // namespace

AttachResult attach(int pid, int timeout_ms) {
    const auto t0 = Clock::now();
    AttachResult r;
    auto done = [&](AttachStatus s, std::string error) {
        r.status = s;
        r.error = std::move(error);
        r.took_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        return r;
    };
    std::string err;
    r.target = inspect_target(pid, err);
    if (!err.empty()) return done(AttachStatus::refused, err);
    const std::string gdb = find_gdb();
    if (gdb.empty())
        return done(AttachStatus::refused,
                    "gdb is not installed, and attach uses it to reach into the process. "
                    "Install the Debian package gdb: sudo apt install gdb");
    const std::string reporter = read_file(python_dir() + "/daemonlab_attach_report.py", 1 << 20);
    if (reporter.empty())
        return done(AttachStatus::refused, "the reporter " + python_dir() +
                                               "/daemonlab_attach_report.py is missing: "
                                               "reinstall daemonlab.");
    PrivateDir dir;
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    struct stat st {};
    std::string base = runtime && ::stat(runtime, &st) == 0 && S_ISDIR(st.st_mode) &&
                               st.st_uid == ::geteuid() && int(st.st_uid) == r.target.uid
                           ? runtime
                           : "/tmp";
    remove_stale(base);
    std::string templ = base + "/daemonlab-attach-XXXXXX";
    if (!::mkdtemp(templ.data()))
        return done(AttachStatus::refused,
                    "cannot make a private directory in " + base + ": " + std::strerror(errno));
    dir.path = templ;
    // The target writes the report: when it is another user's (we are root), the directory
    // and the two report files are its own, still closed to everybody else.
    const bool other = r.target.uid >= 0 && r.target.uid != int(::geteuid());
    const int uid = other ? r.target.uid : -1, gid = other ? r.target.gid : -1;
    const std::string code = injected_code(reporter, dir.path);
    if (!dir.create("trace", "", uid, gid) || !dir.create("stacks", "", uid, gid) ||
        !dir.create("code", code + std::string(1, '\0'), -1, -1) ||
        !dir.create("gdb", gdb_script(dir.path, code.size()), -1, -1) ||
        (other && ::chown(dir.path.c_str(), uid_t(uid), gid_t(gid)) != 0))
        return done(AttachStatus::refused,
                    "cannot write in " + dir.path + ": " + std::strerror(errno));
    const GdbRun g =
        run_gdb(gdb, pid, dir.path + "/gdb", t0 + std::chrono::milliseconds(kGdbLimitMs));
    r.gdb_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (std::string why = gdb_refusal(g, pid); !why.empty())
        return done(g.timed_out && alive(pid) ? AttachStatus::timed_out : AttachStatus::refused,
                    why);
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    // The reporter runs in the main thread when CPython gets to its pending calls.
    std::string trace;
    while (true) {
        trace = read_file(dir.path + "/trace", 4 << 20);
        if (contains(trace, "\tsnapshot\t")) break;
        if (!alive(pid))
            return done(AttachStatus::refused,
                        "pid " + std::to_string(pid) + " exited during the attach.");
        if (ms_left(deadline) == 0)
            return done(AttachStatus::timed_out,
                        "time-out: the main thread did not run the reporter within " +
                            std::to_string(timeout_ms) +
                            " ms: it is not at a point where Python code can run (C code "
                            "holding the GIL, e.g. a long re.match, or a long time.sleep or "
                            "socket read in the main thread). gdb has detached; the process "
                            "runs on unchanged, and the queued reporter will do nothing.");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const std::string stacks = read_file(dir.path + "/stacks", 4 << 20);
    if (!read_snapshot(trace, stacks, r))
        return done(AttachStatus::refused, "the reporter's snapshot could not be read.");
    r.state.pid = pid;
    r.trace = std::move(trace);
    return done(AttachStatus::ok, {});
}

bool read_snapshot(std::string_view trace, std::string_view stacks, AttachResult& r) {
    TraceReader reader;
    bool complete = false;
    reader.feed(trace, [&](TraceEvent e) {
        if (e.kind == trace::Kind::snapshot) {
            complete = true;
            // The stage by the model's name; one it does not know: the one its markers show.
            r.stage =
                stage_from(e.get(trace::key::stage)).value_or(stage_at(r.state.timeline).stage);
        }
        r.state.timeline.apply(e);
    });
    reader.finish();
    r.state.malformed = reader.malformed();
    r.state.stacks = parse_stacks(stacks);
    r.state.options.engine = trace::Engine::cpython;
    r.state.options.program = r.state.timeline.process().program;
    r.state.python.version = r.state.timeline.process().python;
    r.state.spawned_ns = r.state.timeline.first_ns();
    r.state.now_ns = r.state.timeline.last_ns();
    r.state.alive = true;
    r.state.verdict.outcome = Outcome::running;
    return complete;
}

} // namespace lab
