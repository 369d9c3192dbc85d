// Chapter 2, "the same trap elsewhere" (issue 21 §1): lessons that are real Python programs
// only (demos/python/scenarios/<id>.py, no C++ model). Every `[expect]` cell of every
// chapter-2 lesson runs for real on the CPython engine, on each CPython 3.9–3.13 found and on
// Debian's /usr/bin/python3; the CLI lists them and refuses the model engine by name.
#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/interpreters.hpp"
#include "lab/run/runner.hpp"
#include "subprocess.hpp"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <gtest/gtest.h>
#include <iostream>
#include <thread>

namespace fs = std::filesystem;
namespace ts = testing_support;
using namespace lab;

namespace {

const Content& content() {
    static const Content c =
        load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content",
                     std::string(DAEMONLAB_SOURCE_DIR) + "/demos/python/scenarios");
    return c;
}

std::vector<std::string> chapter2() {
    std::vector<std::string> ids;
    for (const Scenario& s : catalog())
        if (s.cpython_only) ids.emplace_back(s.id);
    return ids;
}

// Debian's interpreter, then one of each minor version 3.9–3.13 found (a missing one is
// skipped, and said).
std::vector<Interpreter> interpreters() {
    std::vector<Interpreter> out;
    if (fs::exists("/usr/bin/python3"))
        out.push_back({"/usr/bin/python3", "Debian's python3", 0, "system"});
    else
        std::cout << "[  SKIP    ] /usr/bin/python3: not installed (apt-get install python3)\n";
    const std::vector<Interpreter> found = one_per_version();
    for (int minor = kOldestMinor; minor <= kNewestMinor; ++minor)
        if (std::none_of(found.begin(), found.end(),
                         [&](const Interpreter& i) { return i.minor == minor; }))
            std::cout << "[  SKIP    ] CPython 3." << minor
                      << ": not found (PATH, pyenv, venv); its chapter-2 runs are skipped\n";
    out.insert(out.end(), found.begin(), found.end());
    return out;
}

ts::Result daemonlab(std::vector<std::string> args, double timeout = 60) {
    args.insert(args.begin(), std::string(DAEMONLAB_BIN_DIR) + "/daemonlab");
    return ts::run(std::move(args), timeout);
}

// Both cells (without, with the fix) of one lesson on every interpreter, a few at once. The
// receiver policy does not apply to these programs (the three [expect] rows agree:
// LessonsAreCpythonOnlyWithOneAnswerPerFix), so one receiver is run. "hangs"
// means it does not end by itself: a confirmed hang, or still running at the time limit after
// main ended (timed waits: a Timer, a poller, asyncio's 300 s limit).
void every_cell(const std::string& id) {
    const Lesson* lesson = content().lesson(id);
    ASSERT_TRUE(lesson) << id << ": no lesson";
    const std::vector<Interpreter> pythons = interpreters();
    if (pythons.empty()) GTEST_SKIP() << "no CPython found";
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    struct Cell {
        RunOptions o;
        std::string version;
        bool exits = false;
        RunState st;
    };
    std::vector<Cell> cells;
    for (const Interpreter& py : pythons)
        for (trace::Receiver r : {trace::Receiver::inherit})
            for (bool close : kMatrixCloses) {
                const std::optional<bool> exits = lesson->expects_exit(r, close);
                ASSERT_TRUE(exits) << id << ": no [expect] cell for " << trace::name(r);
                cells.push_back({{.engine = trace::Engine::cpython,
                                  .scenario = id,
                                  .receiver = r,
                                  .close = close,
                                  // the app's grace; a run that should end gets time
                                  // on a busy machine, one that should not is judged at 6 s
                                  .grace_ms = 300,
                                  .timeout_ms = *exits ? 30000 : 6000,
                                  .python = py.path},
                                 py.version,
                                 *exits,
                                 {}});
            }
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 6; ++w)
        workers.emplace_back([&] {
            for (std::size_t k; (k = next.fetch_add(1)) < cells.size();) {
                lab::Run run(cells[k].o, info);
                run.wait();
                cells[k].st = run.snapshot();
            }
        });
    for (std::thread& w : workers) w.join();
    for (const Cell& c : cells) {
        const Outcome got = c.st.verdict.outcome;
        SCOPED_TRACE(id + " on " + c.o.python + " (" + c.version + "), receiver " +
                     std::string(trace::name(c.o.receiver)) +
                     (*c.o.close ? ", with the fix" : ", without the fix"));
        if (c.exits)
            EXPECT_EQ(got, Outcome::exited) << to_string(got) << "\n" << c.st.output;
        else
            EXPECT_TRUE(got == Outcome::hung || got == Outcome::timed_out) << to_string(got) << "\n"
                                                                           << c.st.output;
    }
}

} // namespace

TEST(Chapter2, LessonsAreCpythonOnlyWithOneAnswerPerFix) {
    const std::vector<std::string> ids = chapter2();
    ASSERT_EQ(ids.size(), 6u); // issue 21: one lesson for each of six traps
    for (const std::string& e : check_content(content())) ADD_FAILURE() << e;
    for (const std::string& id : ids) {
        const Lesson* l = content().lesson(id);
        ASSERT_TRUE(l) << id;
        EXPECT_TRUE(fs::exists(l->program)) << l->program;
        // The receiver policy does not apply to these programs: the three rows agree.
        for (bool close : kMatrixCloses)
            for (trace::Receiver r : kMatrixReceivers)
                EXPECT_EQ(l->expects_exit(r, close),
                          l->expects_exit(trace::Receiver::inherit, close))
                    << id << " " << trace::name(r);
        // Nothing of theirs is built as a C++ demo.
        EXPECT_FALSE(fs::exists(demo_path(id))) << demo_path(id);
    }
}

// The top learner question: said plainly in chapter 2, in both languages.
TEST(Chapter2, SaysJoinsAtExitAreNotOnlyForNonDaemonThreads) {
    int said = 0;
    for (const std::string& id : chapter2()) {
        const Lesson* l = content().lesson(id);
        ASSERT_TRUE(l);
        const bool en = l->why.en.find("Joins at exit are not only for non-daemon threads") !=
                            std::string::npos ||
                        l->why.en.find("joins at exit are not only for non-daemon threads") !=
                            std::string::npos;
        const bool zh = l->why.zh.find("退出时的 join 不只针对非守护线程") != std::string::npos;
        EXPECT_EQ(en, zh) << id << ": said in one language only";
        said += en && zh;
    }
    EXPECT_GE(said, 2);
}

TEST(Chapter2, PoolAtexitEveryExpectCellOnEachInterpreter) {
    every_cell("pool-atexit");
}
TEST(Chapter2, AsyncioExecutorEveryExpectCellOnEachInterpreter) {
    every_cell("asyncio-executor");
}
TEST(Chapter2, SocketserverCloseEveryExpectCellOnEachInterpreter) {
    every_cell("socketserver-close");
}
TEST(Chapter2, MpQueueEveryExpectCellOnEachInterpreter) {
    every_cell("mp-queue");
}
TEST(Chapter2, TimerPollerEveryExpectCellOnEachInterpreter) {
    every_cell("timer-poller");
}
TEST(Chapter2, DaemonCutOffEveryExpectCellOnEachInterpreter) {
    every_cell("daemon-cut-off");
}

TEST(Chapter2, CliListsThemAndRunNeedsTheCpythonEngine) {
    const ts::Result list = daemonlab({"list"});
    EXPECT_EQ(list.exit_code, 0);
    for (const std::string& id : chapter2())
        EXPECT_NE(list.out.find(id), std::string::npos) << id << "\n" << list.out;
    EXPECT_NE(list.out.find("Chapter 2"), std::string::npos) << list.out;
    const ts::Result model = daemonlab({"run", "pool-atexit"});
    EXPECT_EQ(model.exit_code, 2) << model.out;
    EXPECT_NE(model.out.find("--engine python"), std::string::npos) << model.out;
    if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is not installed";
    const ts::Result fixed = daemonlab(
        {"run", "pool-atexit", "--engine", "python", "--python", "/usr/bin/python3", "--close"});
    EXPECT_EQ(fixed.exit_code, 0) << fixed.out;
    EXPECT_NE(fixed.out.find("exited with code 0"), std::string::npos) << fixed.out;
}
