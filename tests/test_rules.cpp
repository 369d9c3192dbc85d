// The rules that have one home in lab/: the hang rule (stuck_waits), step matching and skips
// (steps.hpp), the blocks a switch turns off (branches.hpp), the lesson's expectations and the
// cells' keys (expect.hpp). Table-driven, built from trace lines as a demo writes them.
#include "lab/model/branches.hpp"
#include "lab/model/catalog.hpp"
#include "lab/model/expect.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/steps.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/trace_parser.hpp"
#include "lab/model/verdict.hpp"

#include <gtest/gtest.h>
#include <set>
#include <string>
#include <vector>

using namespace lab;
using trace::name;

namespace {

// Builds a timeline from "tid kind key=value ..." lines; time advances 10 ns per line.
struct Trace {
    Timeline t;
    std::int64_t ns = 100;
    void ev(int tid, trace::Kind kind, const std::string& fields = "") {
        std::string line = std::to_string(ns) + "\t" + std::to_string(tid) + "\t" +
                           std::string(name(kind)) + (fields.empty() ? "" : "\t" + fields);
        ns += 10;
        auto e = parse_trace_line(line);
        ASSERT_TRUE(e) << line;
        t.apply(*e);
    }
    void thread(int tid, const std::string& n, bool daemon, trace::DaemonSource src) {
        ev(tid, trace::Kind::thread,
           "name=" + n + "\tdaemon=" + (daemon ? "1" : "0") + "\tsource=" + std::string(name(src)) +
               "\tcreator=" + (tid == 0 ? "" : "MainThread"));
    }
    void running(int tid) {
        ev(tid, trace::Kind::state, "state=" + std::string(name(trace::State::running)));
    }
    void blocked(int tid, trace::Wait on, int pending = -1, bool timeout = false, int target = -1) {
        ev(tid, trace::Kind::state,
           "state=" + std::string(name(trace::State::blocked)) + "\ton=" + std::string(name(on)) +
               "\ttarget=" + std::to_string(target) + "\tpending=" + std::to_string(pending) +
               "\ttimeout=" + (timeout ? "1" : "0"));
    }
    void done(int tid) {
        ev(tid, trace::Kind::state, "state=" + std::string(name(trace::State::done)));
    }
    void main_ends_and_joins(int target) {
        ev(0, trace::Kind::main_end,
           "how=" + std::string(name(trace::MainEnd::return_)) + "\tcode=0");
        ev(0, trace::Kind::shutdown);
        ev(0, trace::Kind::shutdown_wait, "target=" + std::to_string(target));
        blocked(0, trace::Wait::join, -1, false, target);
    }
    void step(int tid, const std::string& pause) { ev(tid, trace::Kind::step, "name=" + pause); }
};

} // namespace

// ---- the hang rule ---------------------------------------------------------------------

struct WaitCase {
    trace::Wait on;
    int pending;
    bool timeout;
    bool stuck; // a non-daemon thread blocked this way, with main joining it: a hang?
};

TEST(StuckWaits, EveryWaitKind) {
    using W = trace::Wait;
    const std::vector<WaitCase> cases = {
        // Socket reads end only when a reply arrives: stuck with none pending.
        {W::socket_read, 0, false, true},
        {W::socket_read, 1, false, false}, // an echo is on its way
        {W::socket_read, -1, false, true}, // unknown: the grace decides
        {W::ssl_read, 0, false, true},
        {W::ssl_read, 2, false, false},
        {W::socket_read, 0, true, false}, // a read with a deadline ends by itself
        // Waits only another thread could end.
        {W::connect, -1, false, true},
        {W::send, -1, false, true},
        {W::close, -1, false, true},
        {W::message, -1, false, true},
        {W::event, -1, false, true},
        {W::condition, -1, false, true},
        {W::lock, -1, false, true},
        {W::queue_get, -1, false, true},
        {W::join, -1, false, true},
        {W::sleep, -1, false, true},
        {W::select, -1, false, true},
        // Across processes (a child of the program's own): after main ended, as forever.
        {W::process, -1, false, true},
        {W::pipe_read, -1, false, true},
        {W::pipe_write, -1, false, true},
        // The same with a deadline: they end by themselves.
        {W::event, -1, true, false},
        {W::queue_get, -1, true, false},
        {W::join, -1, true, false},
        {W::sleep, -1, true, false},
        {W::select, -1, true, false},
        {W::condition, -1, true, false},
        {W::lock, -1, true, false},
        {W::process, -1, true, false},
        {W::pipe_read, -1, true, false},
    };
    // Every wait kind of the protocol is in the table.
    for (const auto& [w, n] : trace::Names<trace::Wait>::table) {
        bool found = false;
        for (const WaitCase& c : cases) found |= c.on == w;
        EXPECT_TRUE(found) << n;
    }
    for (const WaitCase& c : cases) {
        Trace tr;
        tr.thread(0, "MainThread", false, trace::DaemonSource::main);
        tr.running(0);
        tr.thread(1, "worker", false, trace::DaemonSource::inherited);
        tr.blocked(1, c.on, c.pending, c.timeout);
        tr.main_ends_and_joins(1);
        const std::vector<int> got = stuck_waits(tr.t);
        EXPECT_EQ(got, c.stuck ? std::vector<int>{1} : std::vector<int>{})
            << name(c.on) << " pending=" << c.pending << " timeout=" << c.timeout;
    }
}

TEST(StuckWaits, NoShutdownYetIsNeverAHang) {
    Trace tr;
    tr.thread(0, "MainThread", false, trace::DaemonSource::main);
    tr.blocked(0, trace::Wait::join, -1, false, 1);
    tr.thread(1, "recv_events", false, trace::DaemonSource::inherited);
    tr.blocked(1, trace::Wait::socket_read, 0);
    EXPECT_TRUE(stuck_waits(tr.t).empty()); // main joins a thread itself: not the shutdown
}

TEST(StuckWaits, DaemonThreadsAreNotWaitedFor) {
    Trace tr;
    tr.thread(0, "MainThread", false, trace::DaemonSource::main);
    tr.running(0);
    tr.thread(1, "recv_events", false, trace::DaemonSource::inherited);
    tr.blocked(1, trace::Wait::socket_read, 0);
    tr.thread(2, "reader", true, trace::DaemonSource::explicit_);
    tr.blocked(2, trace::Wait::message);
    tr.main_ends_and_joins(1);
    EXPECT_EQ(stuck_waits(tr.t), std::vector<int>{1}); // the daemon is stuck too, not waited for
}

TEST(StuckWaits, ARunningThreadMeansNotStuck) {
    Trace tr;
    tr.thread(0, "MainThread", false, trace::DaemonSource::main);
    tr.running(0);
    tr.thread(1, "recv_events", false, trace::DaemonSource::inherited);
    tr.blocked(1, trace::Wait::socket_read, 0);
    tr.thread(2, "busy", true, trace::DaemonSource::explicit_);
    tr.running(2);
    tr.main_ends_and_joins(1);
    EXPECT_TRUE(stuck_waits(tr.t).empty()); // the daemon could still send, close, set...
}

TEST(StuckWaits, EveryNonDaemonIsNamedAndFinishedThreadsDoNotCount) {
    Trace tr;
    tr.thread(0, "MainThread", false, trace::DaemonSource::main);
    tr.running(0);
    tr.thread(1, "Thread-1", false, trace::DaemonSource::explicit_);
    tr.blocked(1, trace::Wait::message);
    tr.thread(2, "recv_events", false, trace::DaemonSource::inherited);
    tr.blocked(2, trace::Wait::socket_read, 0);
    tr.thread(3, "done-already", false, trace::DaemonSource::explicit_);
    tr.done(3);
    tr.main_ends_and_joins(1);
    EXPECT_EQ(stuck_waits(tr.t), (std::vector<int>{1, 2}));
    // The headline names them in the plural form.
    Strings s = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content").strings;
    Verdict v{.outcome = Outcome::hung, .waiting_on = {1, 2}};
    const std::string many = headline(v, tr.t, s, Lang::en);
    v.waiting_on = {1};
    const std::string one = headline(v, tr.t, s, Lang::en);
    EXPECT_NE(many.find("Thread-1, recv_events"), std::string::npos) << many;
    EXPECT_NE(many, s.format("verdict.hung", Lang::en, {{"threads", "Thread-1, recv_events"}}));
    EXPECT_EQ(many,
              s.format("verdict.hung.many", Lang::en, {{"threads", "Thread-1, recv_events"}}));
    EXPECT_EQ(one, s.format("verdict.hung", Lang::en, {{"threads", "Thread-1"}}));
}

TEST(Verdict, AbandonedDaemonsSingularAndPlural) {
    Strings s = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content").strings;
    for (int n : {1, 2}) {
        Trace tr;
        tr.thread(0, "MainThread", false, trace::DaemonSource::main);
        tr.running(0);
        std::string names;
        for (int i = 1; i <= n; ++i) {
            tr.thread(i, "d" + std::to_string(i), true, trace::DaemonSource::explicit_);
            tr.blocked(i, trace::Wait::message);
            names += (i > 1 ? ", d" : "d") + std::to_string(i);
        }
        tr.ev(0, trace::Kind::main_end,
              "how=" + std::string(name(trace::MainEnd::return_)) + "\tcode=0");
        const Verdict v{.outcome = Outcome::exited, .exit_code = 0};
        const std::vector<std::string> why = explanation(v, tr.t, s, Lang::en);
        ASSERT_EQ(why.size(), 1u);
        EXPECT_EQ(why[0], s.format(n > 1 ? "why.exited.abandoned.many" : "why.exited.abandoned",
                                   Lang::en, {{"threads", names}}));
    }
}

// ---- the blocks a switch turns off --------------------------------------------------------

namespace {
const char* kProgram = R"(import os
CLOSE = os.environ.get("CLOSE", "1") == "1"  # on unless told
WITH_BLOCK = os.environ.get("WITH_BLOCK") == "1"
MODE = os.environ.get("MODE", "main")
WORKER = os.environ.get("WORKER", "daemon")
WORKER = None if WORKER == "none" else WORKER

def f():
    if CLOSE or WITH_BLOCK:
        g()
    else:
        h()

if WORKER is None:  # no thread
    f()
elif MODE == "worker":
    start()  # step: start
else:
    c = connect()
    if CLOSE:
        c.close()  # step: close
    if UNKNOWN:
        x()
print("main is done")  # step: main-end
)";

std::vector<int> dimmed(const std::map<std::string, std::string>& env) {
    std::vector<int> out;
    const auto off = blocks_off(kProgram, env);
    for (int n = 1; n <= 26; ++n)
        if (off_at(off, n)) out.push_back(n);
    return out;
}
} // namespace

TEST(Branches, TheSwitchesDecideWhichBlocksRun) {
    struct Case {
        std::map<std::string, std::string> env;
        std::vector<int> off;
    };
    const std::vector<Case> cases = {
        // Defaults: CLOSE on, a daemon worker, main connects.
        {{}, {12, 15, 17}},
        {{{"CLOSE", "0"}}, {10, 15, 17, 21}},
        {{{"CLOSE", "0"}, {"WITH_BLOCK", "1"}}, {12, 15, 17, 21}},
        {{{"WORKER", "none"}}, {12, 17, 19, 20, 21, 22, 23}},
        {{{"MODE", "worker"}}, {12, 15, 19, 20, 21, 22, 23}},
    };
    for (const Case& c : cases) {
        std::string env;
        for (const auto& [k, v] : c.env) env += k + "=" + v + " ";
        EXPECT_EQ(dimmed(c.env), c.off) << env;
    }
    // The header of an off block names its condition.
    const auto off = blocks_off(kProgram, {{"CLOSE", "0"}});
    const OffBlock* b = off_at(off, 21);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->condition, "if CLOSE:");
    EXPECT_EQ(b->header, 20);
}

TEST(Branches, TheLessonsProgramsFollowTheSwitches) {
    const Content c = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    const Lesson* ec = c.lesson("explicit-close");
    ASSERT_TRUE(ec);
    auto off_lines = [&](const Lesson& l, const RunOptions& o) {
        return blocks_off(l.python, switch_env(o));
    };
    const int close_line = find_lines(ec->python, "c.close()").at(0);
    EXPECT_FALSE(off_at(off_lines(*ec, {.scenario = "explicit-close"}), close_line));
    EXPECT_TRUE(off_at(off_lines(*ec, {.scenario = "explicit-close", .close = false}), close_line));
    // The sandbox without a worker: the two threaded branches are off.
    const Lesson* sb = c.lesson("sandbox");
    ASSERT_TRUE(sb);
    const auto none = off_lines(*sb, {.scenario = "sandbox", .worker = trace::Worker::none});
    for (int n : find_lines(sb->python, "t.start()")) EXPECT_TRUE(off_at(none, n)) << n;
    const auto daemon = off_lines(*sb, {.scenario = "sandbox"});
    EXPECT_FALSE(off_at(daemon, find_lines(sb->python, "t.start()").back()));
}

// ---- steps --------------------------------------------------------------------------------

namespace {
Lesson four_steps() {
    Lesson l;
    l.python = kProgram;
    for (const char* p : {"connect", "start", "close", "main-end"}) l.steps.push_back({.pause = p});
    return l;
}
} // namespace

TEST(Steps, MarkersMatchTheLessonInOrder) {
    const Lesson l = four_steps();
    struct Case {
        std::vector<std::string> markers;
        std::vector<std::size_t> hits; // lesson step indexes
    };
    const std::vector<Case> cases = {
        {{"connect", "start", "close", "main-end"}, {0, 1, 2, 3}},
        {{"connect", "start", "main-end"}, {0, 1, 3}},
        {{"connect", "elsewhere", "start"}, {0, 1}}, // a pause point the lesson skips over
        {{"start", "connect"}, {1, 0}},              // another thread reached the earlier step late
        {{"start", "connect", "connect"}, {1, 0}},
        {{"connect", "connect", "start"}, {0, 1}},
        {{}, {}},
    };
    for (const Case& c : cases) {
        Trace tr;
        tr.thread(0, "MainThread", false, trace::DaemonSource::main);
        for (const std::string& m : c.markers) tr.step(0, m);
        std::vector<std::size_t> got;
        for (const StepHit& h : match_steps(l, tr.t)) got.push_back(h.index);
        EXPECT_EQ(got, c.hits);
        EXPECT_EQ(step_markers(tr.t), c.markers.size());
    }
    EXPECT_EQ(step_at(l, "close", 0), std::optional<std::size_t>(2));
    EXPECT_EQ(step_at(l, "connect", 1), std::nullopt);
}

TEST(Steps, SkippedStepsSayWhy) {
    const Lesson l = four_steps();
    const auto closed_off = blocks_off(l.python, {{"CLOSE", "0"}});
    const auto closed_on = blocks_off(l.python, {});
    auto run = [&](std::vector<std::string> markers) {
        Trace tr;
        tr.thread(0, "MainThread", false, trace::DaemonSource::main);
        for (const std::string& m : markers) tr.step(0, m);
        return match_steps(l, tr.t);
    };
    // Close off: 3/4 is passed over because `if CLOSE:` does not run.
    auto s = skipped_steps(l, run({"connect", "start", "main-end"}), false, closed_off);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].index, 2u);
    EXPECT_EQ(s[0].why, SkipWhy::switched_off);
    EXPECT_EQ(s[0].condition, "if CLOSE:");
    // Still running at step 2: nothing is skipped yet.
    EXPECT_TRUE(skipped_steps(l, run({"connect", "start"}), false, closed_off).empty());
    // It ended at step 2 (killed): the rest was not reached; the close step says why.
    s = skipped_steps(l, run({"connect", "start"}), true, closed_on);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].why, SkipWhy::run_ended);
    EXPECT_EQ(s[1].why, SkipWhy::run_ended);
    // The sandbox's worker connects after main started it: while it runs, connect is not
    // called skipped; once it connected, it was reached (issue 24: "1/4 connect — not reached"
    // while the worker had created recv_events).
    EXPECT_TRUE(skipped_steps(l, run({"start"}), false, closed_off).empty());
    s = skipped_steps(l, run({"start", "connect", "main-end"}), true, closed_off);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].index, 2u);
    EXPECT_EQ(s[0].why, SkipWhy::switched_off);
    // The connect step's line is outside every off block: ahead of time nothing is said.
    EXPECT_EQ(step_switched_off(l, 0, closed_off), nullptr);
    EXPECT_NE(step_switched_off(l, 2, closed_off), nullptr);
}

// ---- expectations and keys ----------------------------------------------------------------

TEST(Expect, LessonTablesAndCellKeys) {
    const Content c = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    for (const RunOptions& o : matrix_cells()) {
        const Lesson* l = c.lesson(o.scenario);
        ASSERT_TRUE(l) << o.scenario;
        const auto e = lesson_expects(*l, o);
        const auto exits = l->expects_exit(o.receiver, effective_close(o));
        ASSERT_EQ(e.has_value(), exits.has_value());
        if (e) {
            EXPECT_EQ(*e, *exits ? Outcome::exited : Outcome::hung);
        }
    }
    const Lesson* sb = c.lesson("sandbox");
    ASSERT_TRUE(sb);
    // Away from the sandbox's defaults the table says nothing, and the key is another cell's.
    const RunOptions def{.scenario = "sandbox"};
    const RunOptions other{.scenario = "sandbox", .worker = trace::Worker::non_daemon};
    EXPECT_FALSE(lesson_expects(*sb, other));
    EXPECT_TRUE(lesson_default(def));
    EXPECT_FALSE(lesson_default(other));
    EXPECT_FALSE(lesson_default({.scenario = "sandbox", .receiver = trace::Receiver::daemon}));
    EXPECT_NE(cell_key(def), cell_key(other));
    EXPECT_EQ(cell_key(def), "sandbox|inherit|no-close");
    EXPECT_EQ(cell_key({.scenario = "explicit-close"}), "explicit-close|inherit|close");
    EXPECT_EQ(cell_key({.scenario = "explicit-close", .close = true}),
              cell_key({.scenario = "explicit-close"})); // the default close is the same cell
    EXPECT_EQ(cell_key({.engine = trace::Engine::cpython, .scenario = "passed-in"}),
              cell_key({.scenario = "passed-in"})); // a prediction is about the program
    // Every matrix cell has a key of its own.
    std::set<std::string> keys;
    for (const RunOptions& o : matrix_cells()) keys.insert(cell_key(o));
    EXPECT_EQ(keys.size(), matrix_cells().size());
}

TEST(Expect, SameSettings) {
    const RunOptions a{.scenario = "passed-in"};
    EXPECT_TRUE(same_settings(a, {.scenario = "passed-in", .close = false}));
    EXPECT_FALSE(same_settings(a, {.scenario = "passed-in", .close = true}));
    EXPECT_FALSE(same_settings(a, {.scenario = "passed-in", .receiver = trace::Receiver::daemon}));
    EXPECT_FALSE(same_settings(a, {.engine = trace::Engine::cpython, .scenario = "passed-in"}));
    EXPECT_FALSE(same_settings(a, {.scenario = "explicit-close", .close = false}));
    EXPECT_FALSE(same_settings({.engine = trace::Engine::cpython, .program = "/a.py"},
                               {.engine = trace::Engine::cpython, .program = "/b.py"}));
    EXPECT_FALSE(
        same_settings({.scenario = "sandbox"}, {.scenario = "sandbox", .with_block = true}));
}

// The reason a step is passed over names the test the run made: the sandbox's close step
// (close() in three branches) says `if CLOSE or WITH_BLOCK:` when main connects, and
// `if CLOSE:` when the worker does (issue 24: it said `if WITH_BLOCK:` either way).
TEST(Steps, ASkippedStepNamesTheTestTheRunMade) {
    const Content c = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    const Lesson* sb = c.lesson("sandbox");
    ASSERT_TRUE(sb);
    auto why = [&](const RunOptions& o) {
        const std::vector<OffBlock> off = blocks_off(sb->python, switch_env(o));
        const OffBlock* b = step_switched_off(*sb, 2, off);
        return b ? b->condition : std::string("(runs)");
    };
    EXPECT_EQ(why({.scenario = "sandbox"}), "if CLOSE or WITH_BLOCK:");
    EXPECT_EQ(why({.scenario = "sandbox", .connect_in = trace::ConnectIn::worker}), "if CLOSE:");
    EXPECT_EQ(why({.scenario = "sandbox", .worker = trace::Worker::none}), "if CLOSE:");
    EXPECT_EQ(why({.scenario = "sandbox", .close = true}), "(runs)");
}
