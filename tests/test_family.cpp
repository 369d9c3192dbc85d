// The family of ways a Python program refuses to exit (issue 19), as real programs
// (demos/python/family/), on every CPython 3.9–3.13 this machine has: `daemonlab explain
// --json` must agree with the truth, observed by running the same program untraced with a
// time limit (it exits: the same exit code; still running at the limit: hung or timeout),
// and explain each member the way the user relies on (the stage, the chain, the thread cut
// off). Nothing here is a verdict written down: each is observed.
#include "lab/run/interpreters.hpp"
#include "subprocess.hpp"

#include "wait.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <filesystem>
#include <future>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <semaphore>

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;

namespace {

constexpr double kLimitS = 4; // the truth's time limit, and explain's --timeout
// ... for a member whose children start slowly (spawn: a new interpreter imports the program
// again; forkserver: the fork server starts and does so, then forks the child: ~1 s alone,
// over 4 s when five interpreters run it side by side on two loaded cores)
constexpr double kSlowLimitS = 12;
const char* kGrace = "300";

struct FamilyRun {
    std::string program, python, version;
    ts::Result truth; // python3 PROGRAM, untraced, killed (its whole group) at kLimitS
    json explain;     // daemonlab explain PROGRAM --json
    std::string raw;  // explain's output, when it is not JSON
};

std::string family(const std::string& name) {
    return (fs::path(DAEMONLAB_SOURCE_DIR) / "demos/python/family" / (name + ".py")).string();
}

// One member on every interpreter, truth and explain side by side, a few at a time (each
// test runs its own member, so ctest can run them in parallel).
std::vector<FamilyRun> runs(const std::string& member, double limit) {
    const std::vector<lab::Interpreter> pythons = lab::one_per_version();
    for (int minor = lab::kOldestMinor; minor <= lab::kNewestMinor; ++minor)
        if (std::none_of(pythons.begin(), pythons.end(),
                         [&](const lab::Interpreter& i) { return i.minor == minor; }))
            std::cout << "[  SKIP    ] CPython 3." << minor
                      << ": not found (PATH, pyenv, venv); its family run is skipped\n";
    std::counting_semaphore<8> slots(6);
    std::vector<std::future<FamilyRun>> futures;
    for (const lab::Interpreter& py : pythons)
        futures.push_back(std::async(std::launch::async, [&slots, member, py, limit] {
            FamilyRun r{member, py.path, py.version, {}, {}, {}};
            slots.acquire();
            // timeout(1) puts the program in its own process group and kills all of it:
            // multiprocessing's children too.
            r.truth = ts::run({"/usr/bin/timeout", "-s", "KILL", std::to_string(int(limit)),
                               py.path, family(member)},
                              limit + 10);
            slots.release();
            slots.acquire();
            ts::Result e = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "explain",
                                    family(member), "--json", "--python", py.path, "--grace",
                                    kGrace, "--timeout", std::to_string(int(limit))},
                                   limit + 20);
            slots.release();
            r.raw = e.out;
            try {
                r.explain = json::parse(e.out);
            } catch (const std::exception&) {
            }
            return r;
        }));
    std::vector<FamilyRun> out;
    for (auto& f : futures) out.push_back(f.get());
    return out;
}

bool still_running(const ts::Result& truth) {
    return truth.signal == SIGKILL || truth.exit_code == 137;
}

std::string text(const json& j) {
    std::string s;
    for (const json& line : j["explanation"]) s += line.get<std::string>() + "\n";
    return s;
}

// The verdict agrees with the truth; then `check` says what the user relies on.
template <class Check>
void each(const std::string& member, Check check, double limit = kLimitS) {
    const std::vector<FamilyRun> all = runs(member, limit);
    if (all.empty()) GTEST_SKIP() << "no CPython 3.9-3.13 found";
    for (const FamilyRun& r : all) {
        SCOPED_TRACE(member + " on " + r.python + " (" + r.version + ")");
        ASSERT_TRUE(r.explain.is_object()) << "explain did not print JSON:\n" << r.raw;
        const std::string verdict = r.explain["verdict"];
        if (still_running(r.truth))
            EXPECT_TRUE(verdict == "hung" || verdict == "timeout")
                << "python3 was still running at " << limit << " s; explain says " << verdict
                << "\n"
                << text(r.explain);
        else {
            EXPECT_EQ(verdict, "exited") << text(r.explain);
            EXPECT_EQ(r.explain["exit_code"], r.truth.exit_code) << r.truth.out;
        }
        for (const char* field : {"stage", "chain", "cut_off", "waiting_on", "explanation"})
            EXPECT_TRUE(r.explain.contains(field)) << field;
        check(r, verdict, text(r.explain));
    }
}

bool has(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

TEST(Family, PoolWorkerAndAtexitStopIsHungInConcurrentFuturesExitHook) {
    each("pool_atexit", [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
        if (!still_running(r.truth)) return;
        EXPECT_EQ(verdict, "hung") << why;
        EXPECT_EQ(r.explain["stage"], "threading-atexit");
        EXPECT_TRUE(has(why, "concurrent.futures' exit hook")) << why;
        EXPECT_TRUE(has(why, "ThreadPoolExecutor-0_0")) << why;
        EXPECT_TRUE(has(why, "no running thread can end that wait")) << why;
    });
}

TEST(Family, PlainPoolWorkerBlockedForeverIsHung) {
    each("pool_blocked",
         [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
             if (!still_running(r.truth)) return;
             EXPECT_EQ(verdict, "hung") << why;
             EXPECT_TRUE(has(why, "concurrent.futures' exit hook")) << why;
         });
}

TEST(Family, AsyncioRunJoinsTheDefaultExecutor) {
    each("asyncio_executor", [](const FamilyRun& r, const std::string& verdict,
                                const std::string& why) {
        if (!still_running(r.truth)) return;
        EXPECT_EQ(r.explain["stage"], "main");
        EXPECT_TRUE(has(why, "asyncio.run() (the default executor's shutdown)")) << why;
        EXPECT_TRUE(has(why, "asyncio_0")) << why;
        // 3.12 and later give the join 300 s: still running, and it says when it gives up.
        if (has(r.version, "3.9") || has(r.version, "3.10") || has(r.version, "3.11"))
            EXPECT_EQ(verdict, "hung") << why;
        else
            EXPECT_TRUE(verdict == "timeout" && has(why, "gives up in")) << verdict << "\n" << why;
    });
}

TEST(Family, ServerCloseWithAClientConnectedIsStillRunningOnIo) {
    each("socketserver_close",
         [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
             if (!still_running(r.truth)) return;
             EXPECT_EQ(verdict, "timeout") << why;
             EXPECT_TRUE(has(why, "server_close")) << why;
             EXPECT_TRUE(has(why, "can still end by itself")) << why;
         });
}

TEST(Family, ProcessPoolWorkerThatNeverReturnsAgreesWithTheTruth) {
    each("process_pool", [](const FamilyRun&, const std::string&, const std::string&) {});
}

TEST(Family, TimerNobodyCancelsIsStillRunningAndSaysWhenItFires) {
    each("timer", [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
        if (!still_running(r.truth)) return;
        EXPECT_EQ(verdict, "timeout") << why;
        EXPECT_TRUE(has(why, "threading.Timer nobody cancelled")) << why;
        EXPECT_TRUE(has(why, "fires in 59")) << why; // 600 s, less the seconds it ran
    });
}

TEST(Family, DaemonWriterCutOffIsNamedWithWhere) {
    each("daemon_writer",
         [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
             if (verdict != "exited") return;
             ASSERT_EQ(r.explain["cut_off"].size(), 1u) << r.explain.dump(2);
             const json& c = r.explain["cut_off"][0];
             EXPECT_EQ(c["thread"], "writer");
             EXPECT_TRUE(has(c["at"].get<std::string>(), "daemon_writer.py:")) << c.dump();
             EXPECT_TRUE(has(why, "writer was cut off at")) << why;
         });
}

TEST(Family, LockOrderDeadlockBeforeMainEndsIsHungWithTheChain) {
    each("lock_order", [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
        if (!still_running(r.truth)) return;
        EXPECT_EQ(verdict, "hung") << why;
        EXPECT_EQ(r.explain["stage"], "main");
        EXPECT_TRUE(has(why, "a lock held by two") || has(why, "a lock held by one")) << why;
        EXPECT_GE(r.explain["chain"].size(), 3u) << r.explain["chain"].dump(2);
    });
}

namespace {

// The thread entries of `explain --json` in process `pid`.
std::vector<json> threads_of(const json& j, int pid) {
    std::vector<json> out;
    for (const json& t : j["threads"])
        if (t.value("pid", -1) == pid) out.push_back(t);
    return out;
}

// Nothing of the run is left: every process the run's tree held is gone once explain returned.
void nothing_left(const json& j) {
    for (const json& p : j["processes"]) {
        const int pid = p["pid"];
        EXPECT_TRUE(ts::eventually([pid] { return kill(pid, 0) != 0 && errno == ESRCH; }))
            << "left behind: pid " << pid << " " << p.dump();
    }
}

// What every hang through another process of the program shares: nothing of the run is left,
// and where the real interpreter hung, the verdict is hung while main runs, with a chain of
// three: the parent's waiting thread, the child, the child's thread that holds it. The child's
// pid, or -1 when there is nothing more to check (the truth exited, or the chain is wrong).
int hung_through_a_child(const FamilyRun& r, const std::string& verdict, const std::string& why) {
    nothing_left(r.explain);
    if (!still_running(r.truth)) return -1;
    EXPECT_EQ(verdict, "hung") << why << r.explain.dump(1);
    EXPECT_EQ(r.explain["stage"], "main");
    const json& chain = r.explain["chain"];
    EXPECT_EQ(chain.size(), 3u) << chain.dump(2);
    if (chain.size() != 3u) return -1;
    const int parent = chain[0]["pid"], child = chain[1]["pid"];
    EXPECT_NE(parent, child);
    EXPECT_EQ(chain[2]["pid"], child);
    return child;
}

// mp_queue_join and mp_spawn_join: the hang through the child, end to end.
void through_the_child(const FamilyRun& r, const std::string& verdict, const std::string& why) {
    const int child = hung_through_a_child(r, verdict, why);
    if (child < 0) return;
    const json& chain = r.explain["chain"];
    EXPECT_EQ(chain[2]["thread"], "QueueFeederThread");
    EXPECT_TRUE(has(why, "MainThread waits in Process.join() for process " + std::to_string(child) +
                             " to end"))
        << why;
    // The child's exit joins the feeder: "in multiprocessing's exit function _exit_function"
    // (3.9-3.12; 3.13 names the frame that joins, e.g. Queue._finalize_join).
    EXPECT_TRUE(has(why, "MainThread (pid " + std::to_string(child) + ") waits in")) << why;
    EXPECT_TRUE(
        has(why, "QueueFeederThread (pid " + std::to_string(child) + ") is writing to a full pipe"))
        << why;
    // Main has not ended: the interpreter's join at exit is not the rule that applies.
    EXPECT_FALSE(has(why, "Before exiting, the interpreter joins every non-daemon thread")) << why;
    EXPECT_TRUE(has(why, "Main has not finished, so this is not the interpreter's wait at exit"))
        << why;
    // The child's threads are lanes of their own, under the child's pid.
    const std::vector<json> in_child = threads_of(r.explain, child);
    EXPECT_EQ(in_child.size(), 2u) << r.explain["threads"].dump(1);
}

} // namespace

TEST(Family, MultiprocessingQueueJoinIsHungWithTheChainThroughTheChild) {
    each("mp_queue_join", through_the_child);
}

TEST(Family, SpawnedChildIsTracedAndItsQueueJoinIsHungWithTheChain) {
    each("mp_spawn_join", through_the_child, kSlowLimitS); // a new interpreter starts first
}

TEST(Family, ForkserverChildIsTracedAndItsQueueJoinIsHungWithTheChain) {
    each(
        "mp_forkserver_join",
        [](const FamilyRun& r, const std::string& verdict, const std::string& why) {
            through_the_child(r, verdict, why);
            if (verdict != "hung" || r.explain["chain"].size() != 3u) return;
            // The child's parent is the fork server: a helper, shown with its state, not traced.
            const int child = r.explain["chain"][1]["pid"];
            int server = -1;
            for (const json& p : r.explain["processes"])
                if (p["pid"] == child) server = p["ppid"];
            bool shown = false;
            for (const json& p : r.explain["processes"])
                if (p["pid"] == server) {
                    shown = true;
                    EXPECT_TRUE(p["helper"].get<bool>()) << p.dump();
                    EXPECT_FALSE(p["traced"].get<bool>()) << p.dump();
                    EXPECT_FALSE(p["program"].get<bool>()) << p.dump();
                    EXPECT_FALSE(p["state"].get<std::string>().empty()) << p.dump();
                }
            EXPECT_TRUE(shown) << "the fork server " << server << " is not among the processes\n"
                               << r.explain["processes"].dump(1);
        },
        kSlowLimitS);
}

namespace {

// subprocess_run_child and subprocess_popen_c: the same interpreter started through
// subprocess, whose worker keeps it from exiting; the parent waits in `call`.
void through_the_subprocess(const FamilyRun& r, const std::string& verdict, const std::string& why,
                            const std::string& call) {
    const int child = hung_through_a_child(r, verdict, why);
    if (child < 0) return;
    const json& chain = r.explain["chain"];
    EXPECT_EQ(chain[0]["call"], call);
    EXPECT_EQ(chain[0]["on"], "process");
    EXPECT_EQ(chain[1]["thread"], "MainThread");
    EXPECT_EQ(chain[1]["on"], "join");
    EXPECT_EQ(chain[2]["thread"], "worker");
    EXPECT_EQ(chain[2]["on"], "event");
    const std::string pid = std::to_string(child);
    EXPECT_TRUE(has(why, "MainThread waits in " + call + "() for process " + pid + " to end"))
        << why;
    EXPECT_TRUE(has(why, "MainThread (pid " + pid +
                             ") has finished its main program, and its interpreter joins worker "
                             "(pid " +
                             pid + ") at exit"))
        << why;
    EXPECT_TRUE(has(why, "worker (pid " + pid + ") is waiting for an event, and no running thread"))
        << why;
    EXPECT_FALSE(has(why, "Before exiting, the interpreter joins every non-daemon thread")) << why;
    const std::vector<json> in_child = threads_of(r.explain, child);
    EXPECT_EQ(in_child.size(), 2u) << r.explain["threads"].dump(1);
    bool traced = false;
    for (const json& p : r.explain["processes"])
        if (p["pid"] == child) traced = p["traced"].get<bool>();
    EXPECT_TRUE(traced) << r.explain["processes"].dump(1);
}

} // namespace

TEST(Family, SubprocessRunOfTheSameInterpreterIsHungWithTheChainThroughTheChild) {
    each("subprocess_run_child",
         [](const FamilyRun& r, const std::string& v, const std::string& w) {
             through_the_subprocess(r, v, w, "subprocess.run");
         });
}

TEST(Family, SubprocessPopenDashCIsHungWithTheChainThroughTheChild) {
    each("subprocess_popen_c", [](const FamilyRun& r, const std::string& v, const std::string& w) {
        through_the_subprocess(r, v, w, "subprocess.Popen.communicate");
    });
}

TEST(Family, ForkedChildThreadsAreLanesUnderItsPid) {
    each("fork_threads", [](const FamilyRun& r, const std::string& verdict, const std::string&) {
        nothing_left(r.explain);
        if (verdict != "exited") return;
        std::vector<int> pids;
        for (const json& t : r.explain["threads"]) {
            const int pid = t.value("pid", -1);
            if (std::find(pids.begin(), pids.end(), pid) == pids.end()) pids.push_back(pid);
        }
        ASSERT_EQ(pids.size(), 2u) << r.explain["threads"].dump(1);
        const std::vector<json> child = threads_of(r.explain, pids[1]);
        ASSERT_EQ(child.size(), 3u) << r.explain["threads"].dump(1);
        EXPECT_EQ(child[1]["name"], "child-worker-0");
        EXPECT_EQ(child[2]["name"], "child-worker-1");
        for (const json& t : child) EXPECT_EQ(t["state_at_end"], "done") << t.dump();
    });
}

TEST(Family, TerminalTimelineGroupsLanesByProcess) {
    const std::vector<lab::Interpreter> pythons = lab::one_per_version();
    if (pythons.empty()) GTEST_SKIP() << "no CPython 3.9-3.13 found";
    ts::Result e = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "explain",
                            family("mp_queue_join"), "--lang", "en", "--python",
                            pythons.back().path, "--grace", kGrace, "--timeout", "4"},
                           30);
    EXPECT_TRUE(has(e.out, "process ")) << e.out;
    EXPECT_TRUE(has(e.out, "(the program)")) << e.out;
    EXPECT_TRUE(has(e.out, "child process ")) << e.out;
    EXPECT_TRUE(has(e.out, "(traced)")) << e.out;
    EXPECT_TRUE(has(e.out, "QueueFeederThread")) << e.out;
}

// The headline of a hang through a child blames the thread where main's chain ends, with its
// pid (the child's MainThread only waits for it).
TEST(Family, CrossProcessHeadlineBlamesTheChainsEndWithItsPid) {
    const std::vector<lab::Interpreter> pythons = lab::one_per_version();
    if (pythons.empty()) GTEST_SKIP() << "no CPython 3.9-3.13 found";
    for (const auto& [member, blamed] :
         {std::pair<std::string, std::string>{"mp_queue_join", "QueueFeederThread (pid "},
          {"subprocess_run_child", "worker (pid "}}) {
        ts::Result e = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "explain",
                                family(member), "--lang", "en", "--python", pythons.back().path,
                                "--grace", kGrace, "--timeout", "4"},
                               30);
        EXPECT_TRUE(has(e.out, "Verdict: hung: main has not finished: it waits for process "))
            << e.out;
        EXPECT_TRUE(has(e.out, "which cannot end: " + blamed)) << e.out;
        EXPECT_TRUE(has(e.out, ") is stuck there")) << e.out;
    }
}
