// judge() on recorded traces (tests/data/traces/, recorded by record.sh there from real runs
// of the C++ model demos and of the real CPython under the tracer): each row is a trace, the
// facts the host had at the end (how the process ended, or how long it had been still), and
// the verdict and thread that must come out. No processes, no clock.
#include "lab/model/chain.hpp"
#include "lab/model/judge.hpp"
#include "lab/model/trace_parser.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <optional>
#include <string>

using namespace lab;

namespace {

Timeline load(const std::string& name) {
    std::ifstream in(std::string(DAEMONLAB_SOURCE_DIR) + "/tests/data/traces/" + name + ".trace",
                     std::ios::binary);
    const std::string bytes(std::istreambuf_iterator<char>(in), {});
    Timeline t;
    TraceReader reader;
    reader.feed(bytes, [&](TraceEvent&& e) { t.apply(e); });
    reader.finish();
    EXPECT_EQ(reader.malformed(), 0u) << name;
    EXPECT_GT(t.last_ns(), 0) << name << ": no trace (run record.sh)";
    return t;
}

constexpr int kSigKill = 9, kSigSegv = 11;

struct Row {
    const char* trace;
    // What the host knew at the end:
    std::optional<int> exit_code; // it exited with this code ...
    int signal = 0;               // ... or a signal ended it (0: still running)
    std::optional<KilledBy> killed_by;
    double quiet_ms = 0;    // since the last event (the exit is seen this long after it)
    bool confirmed = false; // a hang was confirmed before the end
    // What must come out:
    Outcome outcome;
    const char* thread = ""; // the thread the verdict names (awaited()), or ""
};

std::ostream& operator<<(std::ostream& os, const Row& r) {
    return os << r.trace << " -> " << to_string(r.outcome);
}

const Row kRows[] = {
    // The model demos.
    {"model-passed-in-daemon", 0, 0, {}, 2, false, Outcome::exited},
    {"model-passed-in-inherit", {}, 0, {}, 400, false, Outcome::hung, "recv_events"},
    {"model-passed-in-inherit", {}, 0, {}, 250, false, Outcome::running, "recv_events"},
    {"model-passed-in-inherit",
     {},
     kSigKill,
     KilledBy::hang,
     300,
     true,
     Outcome::hung,
     "recv_events"},
    {"model-passed-in-inherit", {}, kSigKill, KilledBy::user, 100, false, Outcome::killed},
    {"model-explicit-close", 0, 0, {}, 2, false, Outcome::exited},
    {"model-crash", {}, kSigSegv, {}, 1, false, Outcome::crashed},
    {"model-paused", {}, 0, {}, 20000, false, Outcome::running}, // a pause is not a hang
    {"model-paused", {}, kSigKill, KilledBy::timeout, 20000, false, Outcome::timed_out},
    // The real interpreter.
    {"python-passed-in-daemon", 0, 0, {}, 5, false, Outcome::exited},
    {"python-passed-in-inherit", {}, 0, {}, 400, false, Outcome::hung, "Thread-1 (recv_events)"},
    {"python-passed-in-inherit",
     {},
     kSigKill,
     KilledBy::hang,
     300,
     true,
     Outcome::hung,
     "Thread-1 (recv_events)"},
    {"python-explicit-close", 0, 0, {}, 5, false, Outcome::exited},
    {"python-crash", {}, kSigSegv, {}, 1, false, Outcome::crashed},
    // Main has ended and shutdown waits for a sleeping thread: never a hang, a timeout that
    // names the thread.
    {"python-sleeper", {}, 0, {}, 5000, false, Outcome::running, "sleeper"},
    {"python-sleeper", {}, kSigKill, KilledBy::timeout, 5000, false, Outcome::timed_out, "sleeper"},
    // The exit family (demos/python/family/). concurrent.futures' exit hook joins a worker
    // that waits for an atexit handler: hung in the threading-atexit stage.
    {"family-pool-atexit", {}, 0, {}, 400, false, Outcome::hung, "ThreadPoolExecutor-0_0"},
    {"family-pool-atexit", {}, 0, {}, 250, false, Outcome::running},
    // Deadlocks before main ends: lock order; asyncio.run() joining its executor.
    {"family-lock-order", {}, 0, {}, 400, false, Outcome::hung, "one,two"},
    {"family-asyncio-executor",
     {},
     0,
     {},
     400,
     false,
     Outcome::hung,
     "asyncio_0,Thread-1 (_do_shutdown)"},
    // A chain that ends in I/O, or in a timer, still runs.
    {"family-socketserver-close", {}, 0, {}, 5000, false, Outcome::running},
    {"family-timer", {}, 0, {}, 5000, false, Outcome::running, "Thread-1"},
    {"family-daemon-writer", 0, 0, {}, 2, false, Outcome::exited},
    // A child of the same interpreter (subprocess.run) joins its worker at exit forever: the
    // parent's wait for it is a deadlock through the child, confirmed after the grace.
    {"family-subprocess-run-child", {}, 0, {}, 400, false, Outcome::hung, "MainThread,worker"},
    {"family-subprocess-run-child", {}, 0, {}, 250, false, Outcome::running},
    // daemon-cut-off's fix, 0.5 s in: main joins the daemon writer, which sleeps 10 ms between
    // lines. A thread someone joins is not a quiet periodic one: its sleeping is work.
    {"chapter2-daemon-cut-off-fix", {}, 0, {}, 400, false, Outcome::running},
};

class Judge : public ::testing::TestWithParam<Row> {};

} // namespace

TEST_P(Judge, RecordedTraceGivesItsVerdict) {
    const Row& r = GetParam();
    const Timeline t = load(r.trace);
    const std::string name = r.trace;
    Facts f{.timeline = t,
            .engine = name.starts_with("python") ? trace::Engine::cpython : trace::Engine::model,
            .grace_ms = 300,
            .quiet_ns = std::int64_t(r.quiet_ms * 1e6),
            .killed_by = r.killed_by};
    if (r.confirmed) { // as the Watch did: confirmed by judge() itself, before the end
        Facts before = f;
        before.killed_by.reset();
        const Verdict hung = judge(before);
        ASSERT_EQ(hung.outcome, Outcome::hung);
        f.hang_confirmed_ns = t.last_ns() + std::int64_t(r.quiet_ms * 1e6);
        f.waiting_on = hung.waiting_on;
    }
    const std::int64_t seen = t.last_ns() + std::int64_t(r.quiet_ms * 1e6);
    if (r.exit_code)
        f.end = ProcessEnd{.by_signal = false, .status = *r.exit_code, .seen_ns = seen};
    if (r.signal) f.end = ProcessEnd{.by_signal = true, .status = r.signal, .seen_ns = seen};

    const Verdict v = judge(f);
    EXPECT_EQ(to_string(v.outcome), to_string(r.outcome));
    std::string named;
    for (int tid : awaited(v, t))
        if (const Lane* l = t.lane(tid)) named += (named.empty() ? "" : ",") + l->name;
    if (v.outcome == Outcome::running) // a run still going names what shutdown waits for
        named = t.shutdown_waiting_for() >= 0 ? t.lane(t.shutdown_waiting_for())->name : "";
    EXPECT_EQ(named, r.thread);
    if (r.exit_code) {
        EXPECT_EQ(v.exit_code, *r.exit_code);
        EXPECT_NEAR(v.main_end_to_exit_ms, double(seen - t.main_end_ns()) / 1e6, 1e-6);
    }
    if (r.signal) {
        EXPECT_EQ(v.signal, r.signal);
    }
    // Who ended it is said of a run the host ended; never of one that ended by itself.
    const bool ended_by_host = f.end && f.end->by_signal && r.killed_by;
    EXPECT_EQ(v.killed_by, ended_by_host ? r.killed_by : std::nullopt);
    EXPECT_EQ(v.exit_seen_ns, f.end ? seen : -1);
}

INSTANTIATE_TEST_SUITE_P(Recorded, Judge, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& p) {
                             std::string name = std::to_string(p.index) + "_" + p.param.trace +
                                                "_" + std::string(to_string(p.param.outcome));
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

// The grace is the rule's: the same stillness is a hang under one grace and not under another.
TEST(JudgeRules, TheGraceDecidesWhenStillnessIsAHang) {
    const Timeline t = load("model-passed-in-inherit");
    Facts f{.timeline = t, .grace_ms = 1000, .quiet_ns = 400'000'000};
    EXPECT_EQ(judge(f).outcome, Outcome::running);
    f.grace_ms = 300;
    EXPECT_EQ(judge(f).outcome, Outcome::hung);
}

// A hang once confirmed stays the verdict, with the threads it named then, even if the process
// then exits by itself (kept alive, it might): it exited, and the hang is still on record.
TEST(JudgeRules, AConfirmedHangStaysOnRecord) {
    const Timeline t = load("model-passed-in-inherit");
    Facts f{.timeline = t, .hang_confirmed_ns = t.last_ns() + 300'000'000, .waiting_on = {1}};
    EXPECT_EQ(judge(f).outcome, Outcome::hung);
    f.end = ProcessEnd{.status = 0, .seen_ns = t.last_ns() + 900'000'000};
    const Verdict v = judge(f);
    EXPECT_EQ(v.outcome, Outcome::exited);
    EXPECT_EQ(v.waiting_on, std::vector<int>{1});
    EXPECT_EQ(v.hang_confirmed_ns, t.last_ns() + 300'000'000);
}

// The real interpreter's program that never ran: a syntax error is the program's, not a run's.
TEST(JudgeRules, ASyntaxErrorIsAnErrorOnCPythonOnly) {
    Timeline t;
    TraceReader reader;
    reader.feed("1000\t7\tprocess\tversion=1\tpid=7\tengine=cpython\n"
                "2000\t7\tmain-end\thow=exception\tcode=1\texception=SyntaxError: bad\\n"
                "  x = (\n",
                [&](TraceEvent&& e) { t.apply(e); });
    Facts f{.timeline = t, .engine = trace::Engine::cpython};
    f.end = ProcessEnd{.status = 1, .seen_ns = 3000};
    Verdict v = judge(f);
    EXPECT_EQ(v.outcome, Outcome::error);
    EXPECT_EQ(v.error, "  x = (");
    f.engine = trace::Engine::model;
    EXPECT_EQ(judge(f).outcome, Outcome::exited);
}

// The stage, the chain and the daemon threads cut off, from the same recorded traces.
namespace {
std::vector<std::string> chain_names(const Timeline& t) {
    std::vector<std::string> names;
    for (const Lane& l : t.lanes())
        if (l.is_main())
            for (int tid : wait_chain(t, l.tid)) names.push_back(t.lane(tid)->name);
    return names;
}
} // namespace

TEST(Chain, PoolWorkerIsJoinedInConcurrentFuturesExitHook) {
    const Timeline t = load("family-pool-atexit");
    const StageAt at = stage_at(t);
    EXPECT_EQ(at.stage, Stage::hooks);
    EXPECT_EQ(at.hook, "_python_exit");
    EXPECT_EQ(chain_names(t), (std::vector<std::string>{"MainThread", "ThreadPoolExecutor-0_0"}));
}

TEST(Chain, LockOrderChainGoesThroughBothLockHolders) {
    const Timeline t = load("family-lock-order");
    EXPECT_EQ(stage_at(t).stage, Stage::main);
    const std::vector<std::string> names = chain_names(t);
    ASSERT_EQ(names.size(), 3u);
    EXPECT_EQ(names[0], "MainThread");
    EXPECT_EQ(names[1], "one"); // main joins `one` first; `one` wants the lock `two` holds
    EXPECT_EQ(names[2], "two");
}

TEST(Chain, TimerSaysWhenItFiresAndDaemonWriterIsCutOff) {
    Strings s;
    ASSERT_TRUE(s.load(content_dir() + "/strings.toml")) << s.error();
    const Timeline timer = load("family-timer");
    Verdict v;
    v.outcome = Outcome::timed_out;
    v.exit_seen_ns = timer.last_ns() + 2'000'000'000; // killed at the limit, 2 s later
    std::string why;
    for (const std::string& line : chain_explanation(v, timer, s, Lang::en)) why += line + "\n";
    EXPECT_NE(why.find("fires in 598 s"), std::string::npos) << why;

    const Timeline writer = load("family-daemon-writer");
    const std::vector<const Lane*> cut = cut_off(writer);
    ASSERT_EQ(cut.size(), 1u);
    EXPECT_EQ(cut[0]->name, "writer");
    EXPECT_NE(cut[0]->cut_off_at.find("daemon_writer.py:"), std::string::npos);
}
