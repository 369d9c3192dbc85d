// The matrix scheduler (lab/run/matrix.hpp) with real demos against a real echo server: every
// cell gets its verdict, at most `jobs` at once, each reported once; cancelling kills what
// runs and leaves no demo behind. And every lesson, step by step: what each step says about
// the threads alive at its pause point (`threads = N`) is what the run shows there.
#include "lab/model/catalog.hpp"
#include "lab/model/expect.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/steps.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/matrix.hpp"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <gtest/gtest.h>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

using namespace lab;

namespace {

class MatrixRunTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        setenv("DAEMONLAB_DEMO_DIR", DAEMONLAB_DEMO_DIR, 1);
        server_ = new EchoServer({.tls = true});
        content_ = new Content(load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content"));
    }
    static void TearDownTestSuite() {
        delete server_;
        delete content_;
    }
    static ServerInfo server() { return {server_->uri(), server_->ca_pem()}; }
    static inline EchoServer* server_ = nullptr;
    static inline Content* content_ = nullptr;
};

std::vector<RunOptions> cells_of(std::initializer_list<std::string_view> scenarios) {
    std::vector<RunOptions> out;
    for (const RunOptions& o : matrix_cells())
        for (std::string_view s : scenarios)
            if (o.scenario == s) out.push_back(o);
    return out;
}

} // namespace

TEST_F(MatrixRunTest, EveryCellGetsItsVerdictOnce) {
    const std::vector<RunOptions> cells = cells_of({"passed-in", "explicit-close"});
    ASSERT_EQ(cells.size(), 12u);
    std::mutex mu;
    std::multiset<std::size_t> reported;
    std::atomic<int> changes{0};
    MatrixRun m(cells, server(), 3,
                {.on_cell =
                     [&](std::size_t i, const RunState&) {
                         std::lock_guard lock(mu);
                         reported.insert(i);
                     },
                 .on_change = [&] { ++changes; }});
    std::size_t most = 0;
    while (!m.done()) {
        most = std::max(most, m.running());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    m.wait();
    EXPECT_LE(most, 3u);
    EXPECT_GT(changes.load(), 0);
    EXPECT_GT(m.wall_ms(), 0);
    ASSERT_EQ(reported.size(), cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(reported.count(i), 1u) << i;
    const std::vector<MatrixRun::Cell> got = m.cells();
    for (std::size_t i = 0; i < got.size(); ++i) {
        ASSERT_EQ(got[i].state, MatrixRun::CellState::done);
        ASSERT_TRUE(got[i].result);
        EXPECT_EQ(cell_key(got[i].options), cell_key(cells[i]));
        // The lesson's table says what each cell does; the real run agrees.
        const Lesson* l = content_->lesson(cells[i].scenario);
        ASSERT_TRUE(l);
        const std::optional<Outcome> expected = lesson_expects(*l, cells[i]);
        ASSERT_TRUE(expected);
        EXPECT_EQ(got[i].result->verdict.outcome, *expected) << cell_key(cells[i]);
    }
}

TEST_F(MatrixRunTest, CancelKillsWhatRunsAndStartsNothingNew) {
    std::vector<RunOptions> cells = cells_of({"passed-in", "threaded-client"});
    for (RunOptions& o : cells) o.step = true; // each stops at its first pause point: never ends
    std::vector<int> pids;
    {
        MatrixRun m(cells, server(), 2);
        // Wait until both workers have a demo waiting at a pause point.
        for (int i = 0; i < 500 && m.running() < 2; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ASSERT_EQ(m.running(), 2u);
        // Not a wait: for 200 ms nothing may end (stepping demos do not end by themselves).
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        EXPECT_EQ(m.finished(), 0u);
        m.cancel();
        m.wait();
        EXPECT_TRUE(m.done());
        EXPECT_TRUE(m.cancelled());
        std::size_t ran = 0;
        for (const MatrixRun::Cell& c : m.cells()) {
            if (!c.result) {
                EXPECT_EQ(c.state, MatrixRun::CellState::cancelled); // never started
                continue;
            }
            ++ran;
            EXPECT_EQ(c.result->verdict.outcome, Outcome::killed);
            pids.push_back(c.result->pid);
        }
        EXPECT_EQ(ran, 2u);
    }
    for (int pid : pids) {
        ASSERT_GT(pid, 0);
        EXPECT_EQ(::kill(pid, 0), -1) << "demo " << pid << " outlived the matrix";
        EXPECT_EQ(errno, ESRCH);
    }
}

namespace {

// One lesson, run step by step with `o`'s switches: at each pause point the lesson stops at,
// the threads alive are those its text claims (`threads = N`). Returns how many claims held
// or failed (each failure is reported).
int check_thread_claims(const Lesson& l, RunOptions o, const ServerInfo& server) {
    int claims = 0;
    o.scenario = l.id;
    o.step = true;
    lab::Run run(o, server);
    std::size_t released = 0, next = 0;
    for (int spin = 0; spin < 4000; ++spin) {
        const RunState st = run.snapshot();
        if (st.finished()) break;
        const std::size_t markers = step_markers(st.timeline);
        if (st.paused_at.empty() || markers == released) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        // The paused thread's lane shows the pause: the state has caught up.
        bool shown = false;
        for (const Lane& lane : st.timeline.lanes())
            shown |= lane.current() && lane.current()->state == ThreadState::paused;
        if (!shown) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
            continue;
        }
        if (std::optional<std::size_t> i = step_at(l, st.paused_at, next)) {
            next = *i + 1;
            if (const std::optional<int> claim = l.steps[*i].threads) {
                // The demo holds still here, but the other threads settle in their own time
                // (a thread just started has not said "running" yet; a reader whose
                // connection was closed is just ending): look until they agree, for at most
                // 2 s while the pause lasts.
                int alive = 0;
                std::string names;
                for (int look = 0; look < 200; ++look) {
                    const RunState now = run.snapshot();
                    alive = 0;
                    names.clear();
                    for (const Lane& lane : now.timeline.lanes())
                        if (lane.alive()) {
                            ++alive;
                            names += " " + lane.name;
                        }
                    if (alive == *claim || now.paused_at != st.paused_at) break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                }
                EXPECT_EQ(alive, *claim) << l.id << " on " << trace::name(o.engine) << " step "
                                         << *i + 1 << " (" << st.paused_at << "): lanes" << names;
                ++claims;
            }
        }
        released = markers;
        if (next >= l.steps.size()) break; // the last step: what follows claims nothing
        run.go();
    }
    run.kill();
    run.wait();
    return claims;
}

} // namespace

// Every lesson of chapter 1, run step by step with its default switches on the model: what
// each step says about the threads alive is what the run shows.
TEST_F(MatrixRunTest, StepsTellTheTruthAboutThreads) {
    int claims = 0;
    for (const Lesson& l : content_->lessons) {
        const Scenario* sc = find_scenario(l.id);
        if (!sc || sc->cpython_only) continue; // chapter 2: the next test
        claims += check_thread_claims(l, {}, server());
    }
    EXPECT_GT(claims, 0) << "no lesson step states `threads = N`";
}

// Chapter 2 on the real interpreter (Debian's python3), without and with each lesson's fix.
TEST_F(MatrixRunTest, ChapterTwoStepsTellTheTruthAboutThreads) {
    if (::access("/usr/bin/python3", X_OK) != 0)
        GTEST_SKIP() << "/usr/bin/python3 is not here: apt-get install python3";
    int claims = 0;
    for (const Lesson& l : content_->lessons) {
        const Scenario* sc = find_scenario(l.id);
        if (!sc || !sc->cpython_only) continue;
        for (bool fix : {false, true})
            claims += check_thread_claims(
                l, {.engine = trace::Engine::cpython, .close = fix, .python = "/usr/bin/python3"},
                server());
    }
    EXPECT_GT(claims, 0) << "no chapter-2 step states `threads = N`";
}
