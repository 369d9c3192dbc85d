// test_attach.cpp — `daemonlab attach PID` on real stuck programs (tests/data/attach/), on
// every CPython 3.9–3.13 present: the snapshot against the truth (the program's own
// design, and its observed refusal to exit), then the program released, behaving as it
// would have without the attach (its output and exit status); nothing left behind.
#include "subprocess.hpp"
#include "wait.hpp"

#include "lab/run/attach.hpp"
#include "lab/run/interpreters.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>

using nlohmann::json;
using testing_support::eventually;

namespace {

const std::string kBin = std::string(DAEMONLAB_BIN_DIR) + "/daemonlab";
const std::string kData = std::string(DAEMONLAB_SOURCE_DIR) + "/tests/data/attach/";

// A program under test: its pid, its output so far, and its end.
struct Target {
    testing_support::Piped p;
    std::string out;
    int status = -1;
    bool reaped = false;

    explicit Target(std::vector<std::string> args) : p(testing_support::spawn_piped(args)) {
        if (p.in >= 0) ::close(p.in);
        if (p.out >= 0) ::fcntl(p.out, F_SETFL, O_NONBLOCK);
    }
    ~Target() {
        if (!reaped && p.pid > 0) {
            ::kill(p.pid, SIGKILL);
            ::waitpid(p.pid, nullptr, 0);
        }
        if (p.out >= 0) ::close(p.out);
    }
    void pump() {
        char buf[4096];
        for (ssize_t n; (n = ::read(p.out, buf, sizeof buf)) > 0;) out.append(buf, std::size_t(n));
    }
    bool says(const std::string& text, int seconds = 20) {
        return eventually(
            [&] {
                pump();
                return out.find(text) != std::string::npos;
            },
            std::chrono::seconds(seconds));
    }
    // It ended (reaped, status or -signal in `status`).
    bool ends(int seconds) {
        return eventually(
            [&] {
                int st = 0;
                if (::waitpid(p.pid, &st, WNOHANG) != p.pid) return false;
                reaped = true;
                pump();
                status = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
                return true;
            },
            std::chrono::seconds(seconds));
    }
};

// Runs `daemonlab attach ARGS...`. The machine the tests run on may be busy (parallel
// builds): a generous time-out, and the time each attach took is printed, not asserted.
testing_support::Result attach(std::vector<std::string> args, int timeout_ms = 20000) {
    args.insert(args.begin(), {kBin, "attach", "--timeout", std::to_string(timeout_ms)});
    return testing_support::run(args, 30);
}

// No gdb of ours left: none that attach started for `target` (other tests attach to their
// own targets at the same time).
int gdb_processes(pid_t target) {
    const std::string for_target = std::string("-p") + '\0' + std::to_string(target) + '\0';
    int n = 0;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::ifstream f(e.path() / "cmdline");
        std::string cmd((std::istreambuf_iterator<char>(f)), {});
        if (cmd.find("gdb") != std::string::npos &&
            cmd.find("unwindonsignal") != std::string::npos &&
            cmd.find(for_target) != std::string::npos)
            ++n;
    }
    return n;
}

int traced_by(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.starts_with("TracerPid:")) return std::atoi(line.c_str() + 10);
    return -1;
}

bool have_gdb() {
    return testing_support::run({"/bin/sh", "-c", "command -v gdb"}, 10).exit_code == 0;
}

const json* thread_named(const json& j, const std::string& name) {
    for (const json& t : j["threads"])
        if (t["name"] == name) return &t;
    return nullptr;
}

struct Case {
    std::string program;
    std::string stage;          // the exit stage the program is in
    std::string awaited;        // the thread the exit waits for ("" none: main runs)
    std::string awaited_prefix; // ... or a thread whose name starts so
    std::string blocked_on;     // what that thread (or "taker") is blocked on
    std::string output;         // after SIGUSR1: the program's whole output
    int status;                 // ... and its exit status
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << c.program;
} // gtest's name for it

class AttachFamily : public testing::TestWithParam<Case> {};

TEST_P(AttachFamily, SnapshotMatchesTheTruthAndTheProgramGoesOnUnchanged) {
    if (!have_gdb()) GTEST_SKIP() << "gdb is not installed (apt install gdb)";
    const Case& c = GetParam();
    const auto pythons = lab::one_per_version();
    ASSERT_FALSE(pythons.empty()) << "no CPython 3.9-3.13 found";
    for (int minor = lab::kOldestMinor; minor <= lab::kNewestMinor; ++minor)
        if (std::none_of(pythons.begin(), pythons.end(),
                         [&](const lab::Interpreter& i) { return i.minor == minor; }))
            std::printf("[  SKIP    ] %s on 3.%d: not installed\n", c.program.c_str(), minor);
    for (const lab::Interpreter& py : pythons) {
        SCOPED_TRACE(py.path + " " + c.program);
        Target t({py.path, kData + c.program});
        ASSERT_GT(t.p.pid, 0) << t.p.error;
        ASSERT_TRUE(t.says("ready\n")) << t.out;
        // The truth, observed: it does not exit on its own (well past its main's end).
        EXPECT_FALSE(t.ends(1)) << "the program ended by itself: " << t.out;
        const auto r = attach({std::to_string(t.p.pid), "--json"});
        ASSERT_EQ(r.exit_code, 0) << r.out;
        const json j = json::parse(r.out);
        EXPECT_EQ(j["stage"], c.stage);
        EXPECT_EQ(j["pid"], t.p.pid);
        EXPECT_EQ(j["creators_known"], false);
        std::printf("[  TIME    ] attach %s on %s: %.0f ms\n", c.program.c_str(),
                    py.version.c_str(), j["attach_ms"].get<double>());
        const json* main = thread_named(j, "MainThread");
        ASSERT_NE(main, nullptr) << r.out;
        EXPECT_EQ((*main)["daemon_source"], "main");
        if (c.awaited.empty() && c.awaited_prefix.empty()) {
            EXPECT_TRUE(j["waiting_on"].empty()) << r.out;
        } else {
            ASSERT_EQ(j["waiting_on"].size(), 1u) << r.out;
            const std::string who = j["waiting_on"][0];
            if (!c.awaited.empty()) {
                EXPECT_EQ(who, c.awaited);
            }
            if (!c.awaited_prefix.empty()) {
                EXPECT_TRUE(who.starts_with(c.awaited_prefix)) << who;
            }
            const json* w = thread_named(j, who);
            ASSERT_NE(w, nullptr);
            EXPECT_EQ((*w)["daemon"], false);
            EXPECT_EQ((*w)["daemon_source"], "unknown");
            EXPECT_EQ((*w)["creator"], nullptr);
            EXPECT_EQ((*w)["blocked_on"], c.blocked_on) << r.out;
            EXPECT_FALSE((*w)["stack"].empty());
            EXPECT_NE(r.out.find("not started under DaemonLab's tracer"), std::string::npos);
        }
        if (c.stage == "main") { // the deadlock: both threads wait on a lock
            const json* taker = thread_named(j, "taker");
            ASSERT_NE(taker, nullptr) << r.out;
            EXPECT_EQ((*taker)["blocked_on"], c.blocked_on);
            EXPECT_EQ((*main)["blocked_on"], c.blocked_on);
        }
        // Nothing left: no gdb, nobody tracing it; it still runs, still stuck.
        EXPECT_EQ(traced_by(t.p.pid), 0);
        EXPECT_EQ(gdb_processes(t.p.pid), 0);
        EXPECT_FALSE(t.ends(0));
        // Released, it behaves as it would have: the same output, the same status.
        ::kill(t.p.pid, SIGUSR1);
        ASSERT_TRUE(t.ends(20)) << t.out;
        EXPECT_EQ(t.out, c.output);
        EXPECT_EQ(t.status, c.status);
    }
}

INSTANTIATE_TEST_SUITE_P(Programs, AttachFamily,
                         testing::Values(Case{"event_after_main.py", "join", "waiter", "", "event",
                                              "ready\nwaiter ends\n", 0},
                                         Case{"pool_worker.py", "threading-atexit", "",
                                              "ThreadPoolExecutor", "event", "ready\n", 0},
                                         Case{"timer.py", "join", "Thread-1", "", "event",
                                              "ready\n", 0},
                                         Case{"deadlock.py", "main", "", "", "lock", "ready\n", 7}),
                         [](const testing::TestParamInfo<Case>& i) {
                             std::string n = i.param.program.substr(0, i.param.program.find('.'));
                             return n;
                         });

TEST(Attach, RefusesAProcessThatIsNotCPython) {
    Target t({"/bin/sleep", "30"});
    ASSERT_GT(t.p.pid, 0);
    const auto r = attach({std::to_string(t.p.pid)});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("is not CPython"), std::string::npos) << r.out;
    EXPECT_FALSE(t.ends(0)); // untouched
}

TEST(Attach, RefusesAPidThatDoesNotExist) {
    Target t({"/bin/true"});
    ASSERT_TRUE(t.ends(10));
    const auto r = attach({std::to_string(t.p.pid)});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("no process with pid"), std::string::npos) << r.out;
}

TEST(Attach, NamesThePackageWhenGdbIsMissing) {
    Target t({"/usr/bin/python3", kData + "event_after_main.py"});
    ASSERT_TRUE(t.says("ready\n"));
    const auto r = testing_support::run(
        {"/usr/bin/env", "PATH=/nonexistent", kBin, "attach", std::to_string(t.p.pid)}, 30);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("apt install gdb"), std::string::npos) << r.out;
}

TEST(Attach, APidThatExitsDuringTheAttachIsRefused) {
    if (!have_gdb()) GTEST_SKIP() << "gdb is not installed (apt install gdb)";
    Target t({"/usr/bin/python3", kData + "exits_soon.py"});
    ASSERT_TRUE(t.says("ready\n"));
    const auto r = attach({std::to_string(t.p.pid)});
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_TRUE(r.out.find("exited") != std::string::npos ||
                r.out.find("no process") != std::string::npos)
        << r.out;
    ASSERT_TRUE(t.ends(10));
    EXPECT_EQ(t.status, 0);
    EXPECT_EQ(gdb_processes(t.p.pid), 0);
}

TEST(Attach, AGilHeldInCTimesOutAndChangesNothing) {
    if (!have_gdb()) GTEST_SKIP() << "gdb is not installed (apt install gdb)";
    for (const lab::Interpreter& py : lab::one_per_version()) {
        SCOPED_TRACE(py.path);
        // 2^27 backtracking steps: ~3.7 s here, well past gdb's ~0.5 s plus the reporter's
        // 1 s. (With 2^25, ~1 s, the regex could end just as the reporter's time ran out: the
        // reporter then ran and the attach rightly succeeded.)
        Target t({py.path, kData + "gil_loop.py", "27"});
        ASSERT_TRUE(t.says("ready\n"));
        const auto r = attach({std::to_string(t.p.pid)}, 1000);
        if (t.ends(0)) { // the loop was quicker than the attach on this machine
            std::printf("[  SKIP    ] %s: the regex ended before the attach did\n",
                        py.path.c_str());
            continue;
        }
        EXPECT_EQ(r.exit_code, 5) << r.out;
        EXPECT_NE(r.out.find("time-out:"), std::string::npos) << r.out;
        // Never hangs: gdb's part is bounded (kGdbLimitMs), then the reporter's 1 s.
        EXPECT_LT(r.seconds, lab::kGdbLimitMs / 1000.0 + 1.0 + 1.0);
        EXPECT_EQ(traced_by(t.p.pid), 0);
        EXPECT_EQ(gdb_processes(t.p.pid), 0);
        // When the loop ends the program goes on exactly as it would have (the queued
        // reporter then finds its files gone and does nothing).
        ASSERT_TRUE(t.ends(90)) << t.out;
        EXPECT_EQ(t.out, "ready\nregex done\n");
        EXPECT_EQ(t.status, 3);
    }
}

} // namespace

// A process we may not trace (root's, seen from another user): a refusal that names the fix,
// and the target untouched.
TEST(Attach, AProcessWeMayNotTraceIsRefusedNamingTheFix) {
    if (!have_gdb()) GTEST_SKIP() << "gdb is not installed (apt install gdb)";
    if (::geteuid() != 0) GTEST_SKIP() << "needs root, to attach as another user (nobody)";
    const std::vector<std::string> as_nobody = {"/usr/bin/setpriv", "--reuid=65534",
                                                "--regid=65534", "--clear-groups"};
    std::vector<std::string> probe = as_nobody;
    probe.insert(probe.end(), {kBin, "--version"});
    if (testing_support::run(probe, 10).exit_code != 0)
        GTEST_SKIP() << "nobody cannot run " << kBin
                     << " (setpriv missing, or the build is private)";
    Target t({"/usr/bin/python3", kData + "event_after_main.py"});
    ASSERT_TRUE(t.says("ready\n"));
    std::vector<std::string> cmd = as_nobody;
    cmd.insert(cmd.end(), {kBin, "attach", std::to_string(t.p.pid)});
    const auto r = testing_support::run(cmd, 30);
    EXPECT_EQ(r.exit_code, 2) << r.out;
    EXPECT_NE(r.out.find("may not trace pid " + std::to_string(t.p.pid)), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("ptrace_scope"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("CAP_SYS_PTRACE"), std::string::npos) << r.out;
    EXPECT_EQ(traced_by(t.p.pid), 0);
    EXPECT_EQ(gdb_processes(t.p.pid), 0);
    EXPECT_FALSE(t.ends(0));
    ::kill(t.p.pid, SIGUSR1);
    ASSERT_TRUE(t.ends(20)) << t.out;
    EXPECT_EQ(t.status, 0);
}
