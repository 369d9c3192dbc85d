// A run's life (issue 18): the Watch state machine on its own, with a clock the test holds,
// and the kill that cannot miss (issue 23): a program that leaves its process group is still
// ended, and the host returns.
#include "lab/model/trace_parser.hpp"
#include "lab/run/watch.hpp"
#include "subprocess.hpp"

#include <dirent.h>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;

namespace {

// The live processes whose command line mentions `needle`.
std::vector<pid_t> processes_mentioning(const std::string& needle) {
    std::vector<pid_t> found;
    DIR* d = ::opendir("/proc");
    if (!d) return found;
    while (dirent* e = ::readdir(d)) {
        const pid_t pid = std::atoi(e->d_name);
        if (pid <= 0 || pid == ::getpid()) continue;
        std::ifstream in("/proc/" + std::string(e->d_name) + "/cmdline", std::ios::binary);
        const std::string cmdline(std::istreambuf_iterator<char>(in), {});
        if (cmdline.find(needle) != std::string::npos && ts::alive(pid)) found.push_back(pid);
    }
    ::closedir(d);
    return found;
}

lab::Timeline load(const std::string& name) {
    std::ifstream in(std::string(DAEMONLAB_SOURCE_DIR) + "/tests/data/traces/" + name + ".trace",
                     std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    lab::Timeline t;
    lab::TraceReader reader;
    reader.feed(bytes, [&](lab::TraceEvent&& e) { t.apply(e); });
    return t;
}

constexpr std::int64_t kMs = 1'000'000;

} // namespace

// A recorded hang (the model's passed-in, receiver inherit), read at t0: suspected at once,
// confirmed when the grace has passed with nothing new, and killed right then (the CLI's fast
// verdict, which tells `hung` once the process is gone).
TEST(Watch, AHangIsConfirmedAtTheGraceAndKilledThen) {
    const lab::Timeline t = load("model-passed-in-inherit");
    const std::int64_t t0 = 1000 * kMs;
    lab::Watch w({.scenario = "passed-in", .grace_ms = 300}, 0);
    EXPECT_FALSE(w.on_trace(t, t0).kill);
    EXPECT_EQ(w.verdict().hang_suspected_ns, t0);
    EXPECT_EQ(w.deadline(), t0 + 300 * kMs);
    EXPECT_FALSE(w.on_tick(t, t0 + 299 * kMs).kill);
    const lab::WatchActions a = w.on_tick(t, t0 + 300 * kMs);
    EXPECT_EQ(a.kill, lab::KilledBy::hang);
    EXPECT_TRUE(a.verdict_changed);
    EXPECT_EQ(w.verdict().outcome, lab::Outcome::running); // told when the process is gone
    EXPECT_EQ(w.verdict().waiting_on, std::vector<int>{1});
    EXPECT_EQ(w.verdict().hang_confirmed_ns, t0 + 300 * kMs);
    w.on_exit(t, {.by_signal = true, .status = SIGKILL, .seen_ns = t0 + 301 * kMs});
    EXPECT_EQ(w.verdict().outcome, lab::Outcome::hung);
    EXPECT_EQ(w.verdict().killed_by, lab::KilledBy::hang);
    EXPECT_EQ(w.verdict().hang_suspected_ns, t0);
}

// Issue 23: a kill that has not taken effect holds the deadline and is sent again, for as long
// as the process is there; who ended it stays the first reason.
TEST(Watch, AKillThatHasNotTakenEffectIsSentAgain) {
    const lab::Timeline t = load("model-paused"); // main waits at a pause point: no hang
    lab::Watch w({.scenario = "threaded-client", .timeout_ms = 2000}, 0);
    w.on_trace(t, 10 * kMs);
    EXPECT_EQ(w.deadline(), 2000 * kMs);
    EXPECT_EQ(w.on_tick(t, 2000 * kMs).kill, lab::KilledBy::timeout);
    for (std::int64_t at = 2000 * kMs; at < 3000 * kMs;) {
        ASSERT_GT(w.deadline(), at) << "no deadline after a kill: nothing would send it again";
        at = w.deadline();
        EXPECT_EQ(w.on_tick(t, at).kill, lab::KilledBy::timeout);
    }
    EXPECT_EQ(w.on_command(lab::WatchCommand::kill, 3100 * kMs).kill, lab::KilledBy::timeout);
}

// The GUI keeps a confirmed hang alive: `hung` at confirmation, killed at the limit.
TEST(Watch, AHangKeptAliveIsToldAtOnceAndKilledAtItsLimit) {
    const lab::Timeline t = load("model-passed-in-inherit");
    lab::Watch w({.scenario = "passed-in", .keep_hung_ms = 700}, 0);
    w.on_trace(t, 0);
    const lab::WatchActions a = w.on_tick(t, 300 * kMs);
    EXPECT_FALSE(a.kill);
    EXPECT_TRUE(a.verdict_changed);
    EXPECT_EQ(w.verdict().outcome, lab::Outcome::hung);
    EXPECT_EQ(w.deadline(), 1000 * kMs);
    EXPECT_FALSE(w.on_tick(t, 999 * kMs).kill);
    EXPECT_EQ(w.on_tick(t, 1000 * kMs).kill, lab::KilledBy::hang);
}

// On the real interpreter, the stacks are asked for once per suspicion, at half the grace.
TEST(Watch, StacksAreAskedForOnceAtHalfTheGrace) {
    const lab::Timeline t = load("python-passed-in-inherit");
    lab::Watch w({.engine = trace::Engine::cpython, .grace_ms = 300}, 0);
    w.on_trace(t, 0);
    EXPECT_EQ(w.deadline(), 150 * kMs);
    EXPECT_FALSE(w.on_tick(t, 149 * kMs).request_stacks);
    EXPECT_TRUE(w.on_tick(t, 150 * kMs).request_stacks);
    EXPECT_FALSE(w.on_tick(t, 200 * kMs).request_stacks);
    EXPECT_EQ(w.deadline(), 300 * kMs);
    w.on_trace(t, 250 * kMs); // it moved: a new suspicion, new stacks
    EXPECT_TRUE(w.on_tick(t, 400 * kMs).request_stacks);
}

TEST(Watch, StepCommandsBecomeControlWords) {
    lab::Watch w({.scenario = "threaded-client", .step = true}, 0);
    EXPECT_EQ(w.deadline(), -1); // no time limit in step mode
    lab::WatchActions a = w.on_command(lab::WatchCommand::go, 0);
    ASSERT_EQ(a.control.size(), 1u);
    EXPECT_EQ(a.control[0], "go");
    a = w.on_command(lab::WatchCommand::run_to_end, 0);
    ASSERT_EQ(a.control.size(), 1u);
    EXPECT_EQ(a.control[0], "run");
    EXPECT_TRUE(a.close_control);
    EXPECT_TRUE(w.on_command(lab::WatchCommand::run_to_end, 0).control.empty());
}

// Issue 23, item 1: the program moves itself into its parent's process group (the host's), so
// the runner's kill of the demo's own group reaches nobody. Before the fix the hang was
// confirmed, the kill missed, and no deadline ever fired again: `explain` never returned.
TEST(ReliabilityKill, AProgramThatLeftItsGroupIsStillKilledAndTheHostReturns) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "python-programs";
    fs::create_directories(dir);
    const std::string file = (dir / ("left-group-" + std::to_string(::getpid()) + ".py")).string();
    std::ofstream(file)
        << "import os, threading\n"
           "os.setpgid(0, os.getpgid(os.getppid()))\n"
           "print('pgid', os.getpgid(0), 'parent', os.getpgid(os.getppid()))\n"
           "threading.Thread(target=threading.Event().wait, name='waiter').start()\n";
    const ts::Result r = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "explain", file,
                                  "--json", "--python", "/usr/bin/python3", "--timeout", "3"},
                                 20);
    EXPECT_FALSE(r.timed_out) << "the host never returned: the kill missed\n" << r.out;
    json j;
    ASSERT_NO_THROW(j = json::parse(r.out)) << r.out;
    EXPECT_EQ(j["verdict"], "hung") << j.dump(2);
    EXPECT_EQ(j["waiting_on"], json::array({"waiter"})) << j.dump(2);
    // Nothing is left behind (the kernel's reaping of a SIGKILLed process is quick, not
    // instantaneous: look again for a moment).
    std::vector<pid_t> left = processes_mentioning(file);
    for (int i = 0; i < 200 && !left.empty(); ++i) {
        ::poll(nullptr, 0, 10);
        left = processes_mentioning(file);
    }
    EXPECT_TRUE(left.empty()) << "left behind: pid " << (left.empty() ? 0 : left[0]);
    for (pid_t pid : left) ::kill(pid, SIGKILL);
}
