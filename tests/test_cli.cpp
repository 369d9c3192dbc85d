// The terminal tool, as a user runs it.
#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/run_options.hpp"
#include "lab/term/terminal.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <utility>

namespace ts = testing_support;
using nlohmann::json;

static ts::Result daemonlab(std::vector<std::string> args, double timeout = 60) {
    args.insert(args.begin(), std::string(DAEMONLAB_BIN_DIR) + "/daemonlab");
    return ts::run(std::move(args), timeout);
}

TEST(Cli, ListsEveryScenarioInBothLanguages) {
    auto r = daemonlab({"list"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* id : {"threaded-client", "inside-thread", "passed-in", "explicit-close",
                           "with-block", "async-client", "atexit-close", "sandbox"})
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    EXPECT_NE(r.out.find("主线程"), std::string::npos);
    EXPECT_NE(r.out.find("main thread"), std::string::npos);
}

TEST(Cli, RunShowsTheHangAndItsReason) {
    auto r = daemonlab({"run", "threaded-client"});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("hung"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("recv_events"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("inherited from MainThread"), std::string::npos) << r.out;
}

TEST(Cli, RunJsonWithDaemonReceiverExits) {
    auto r = daemonlab({"run", "threaded-client", "--receiver", "daemon", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["scenario"], "threaded-client");
    EXPECT_EQ(j["verdict"], "exited");
    EXPECT_EQ(j["exit_code"], 0);
    EXPECT_EQ(j["options"]["receiver"], "daemon");
    EXPECT_TRUE(j["main_end_to_exit_ms"].is_number());
    bool recv = false;
    for (auto& t : j["threads"])
        if (t["name"] == "recv_events") {
            recv = true;
            EXPECT_EQ(t["daemon"], true);
            EXPECT_EQ(t["daemon_source"], "explicit");
            EXPECT_EQ(t["creator"], "MainThread");
        }
    EXPECT_TRUE(recv);
    EXPECT_TRUE(j["waiting_on"].empty());
}

TEST(Cli, RunJsonHangNamesWhatShutdownWaitsOn) {
    auto r = daemonlab({"run", "passed-in", "--json", "--grace", "150"});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["verdict"], "hung");
    ASSERT_EQ(j["waiting_on"].size(), 1u);
    EXPECT_EQ(j["waiting_on"][0], "recv_events");
    for (auto& t : j["threads"])
        if (t["name"] == "recv_events") {
            EXPECT_EQ(t["daemon_source"], "inherited");
            EXPECT_EQ(t["creator"], "MainThread");
            EXPECT_EQ(t["blocked_on"], "socket-read");
        }
}

TEST(Cli, WrongInputIsExitStatusTwo) {
    auto a = daemonlab({"run", "no-such-scenario"});
    EXPECT_EQ(a.exit_code, 2);
    EXPECT_NE(a.out.find("no-such-scenario"), std::string::npos) << a.out;
    EXPECT_EQ(daemonlab({"run", "passed-in", "--receiver", "sometimes"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--frobnicate"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--close", "--no-close"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--worker", "none"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"bogus"}).exit_code, 2);
}

TEST(Cli, MatrixJudgesEveryCell) {
    auto r = daemonlab({"matrix", "--json"}, 120);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["runs"].size(), lab::matrix_cells().size()); // the model: chapter 1's cells
    int hung = 0;
    for (auto& run : j["runs"]) {
        EXPECT_TRUE(run["verdict"] == "exited" || run["verdict"] == "hung") << run.dump();
        if (run["verdict"] == "hung") ++hung;
        // Closing the connection always lets the program exit.
        if (run["options"]["close"] == true) {
            EXPECT_EQ(run["verdict"], "exited") << run.dump();
        }
        // websockets >= 13.0 (daemon receiver): every scenario exits.
        if (run["options"]["receiver"] == "daemon") {
            EXPECT_EQ(run["verdict"], "exited") << run.dump();
        }
    }
    EXPECT_GT(hung, 0);
    // Each cell does what its lesson's rules predict.
    const lab::Content content = lab::load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    for (auto& run : j["runs"]) {
        const lab::Lesson* lesson = content.lesson(run["scenario"].get<std::string>());
        ASSERT_TRUE(lesson) << run["scenario"];
        const auto receiver =
            trace::parse<trace::Receiver>(run["options"]["receiver"].get<std::string>());
        ASSERT_TRUE(receiver) << run["options"].dump();
        const std::optional<bool> exits =
            lesson->expects_exit(*receiver, run["options"]["close"].get<bool>());
        ASSERT_TRUE(exits) << run["options"].dump();
        EXPECT_EQ(run["verdict"], *exits ? "exited" : "hung") << run.dump();
    }
}

using testing_support::eventually;

namespace {

// Polls `pred` until it holds (true) or `limit` has passed (false).
// How many threads process `pid` has now (0 when it is gone).
std::size_t threads_of(int pid) {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it =
             std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

std::string exe_of(int pid) {
    std::error_code ec;
    return std::filesystem::read_symlink("/proc/" + std::to_string(pid) + "/exe", ec)
        .filename()
        .string();
}

} // namespace

TEST(Cli, KillingTheHostKillsItsDemo) {
    // A long grace keeps the hung demo alive; then the host dies without any cleanup.
    pid_t host = ts::spawn(
        {std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run", "passed-in", "--grace", "60000"});
    ASSERT_GT(host, 0);
    // The demo runs its program: the demo's executable (not the host between fork and exec),
    // with the threads the program starts, so well past its start-up (where it asks to die
    // with its host).
    int demo = -1;
    const bool running = eventually([&] {
        const std::vector<int> demos = ts::children(host);
        demo = demos.size() == 1 ? demos[0] : -1;
        return demo > 0 && exe_of(demo) == "demo-passed-in" && threads_of(demo) >= 2;
    });
    kill(host, SIGKILL);
    waitpid(host, nullptr, 0);
    ASSERT_TRUE(running) << "the host never started its demo";
    const bool gone = eventually([&] { return !ts::alive(demo); }, std::chrono::seconds(3));
    EXPECT_TRUE(gone) << "demo " << demo << " outlived its host";
    if (!gone) kill(demo, SIGKILL);
}

TEST(Cli, ServeListensOnLoopbackAndSaysWhere) {
    auto r = daemonlab({"serve", "--no-tls"}, 0.5); // runs until stopped: the helper kills it
    EXPECT_TRUE(r.timed_out);
    EXPECT_NE(r.out.find("listening on ws://localhost:"), std::string::npos) << r.out;
    auto tls = daemonlab({"serve"}, 0.5);
    EXPECT_NE(tls.out.find("wss://localhost:"), std::string::npos) << tls.out;
    EXPECT_NE(tls.out.find("BEGIN CERTIFICATE"), std::string::npos) << tls.out; // the CA to trust
    EXPECT_EQ(daemonlab({"serve", "--port", "70000"}).exit_code, 2);
}

// True when `out` shows line `number` of a program ("  12 │ text") and it holds `needle`.
static bool shows_line(const std::string& out, int number, const std::string& needle) {
    char prefix[32];
    std::snprintf(prefix, sizeof prefix, "%4d │ ", number);
    for (std::size_t at = out.find(prefix); at != std::string::npos;
         at = out.find(prefix, at + 1)) {
        const std::string line = out.substr(at, out.find('\n', at) - at);
        if (line.find(needle) != std::string::npos) return true;
    }
    return false;
}

// Terminal step mode, walked like a learner: at each step the lesson's text and the lines
// it covers are printed, the demo really waits (nothing moves until Enter), and after the
// last step the verdict follows. The exported trace proves the pauses were real: one
// "paused" slice per step, in the lesson's order, each at least as long as we waited.
// Without close() the demo never reaches the lesson's "close" step, so it is not shown.
static void walk_threaded_client(bool close) {
    const lab::Content content = lab::load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    const lab::Lesson* lesson = content.lesson("threaded-client");
    ASSERT_TRUE(lesson);
    const lab::Scenario* scenario = lab::find_scenario("threaded-client");
    ASSERT_TRUE(scenario);
    // One file per test: the two walks may run at once (ctest -j).
    const std::string trace =
        std::string(DAEMONLAB_TEST_DIR) + "/step-walk-" + (close ? "close" : "no-close") + ".json";
    std::remove(trace.c_str());
    ts::Interactive p({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run", "threaded-client",
                       "--step", "--lang", "en", close ? "--close" : "--no-close", "--trace-out",
                       trace});
    const std::size_t n = lesson->steps.size();
    std::vector<std::size_t> expected; // indexes of the steps the demo reaches
    for (std::size_t i = 0; i < n; ++i)
        if (close || lesson->steps[i].pause != "close") expected.push_back(i);
    ASSERT_GE(expected.size(), 3u);
    constexpr double kWait = 0.25; // seconds we leave the demo paused at each step
    std::size_t from = 0;
    for (std::size_t i : expected) {
        const lab::Step& step = lesson->steps[i];
        const std::string header =
            "Step " + std::to_string(i + 1) + "/" + std::to_string(n) + "  (" + step.pause + ")";
        ASSERT_TRUE(p.read_until(header, from)) << header << "\n" << p.out().substr(from);
        const std::size_t at = p.out().find(header, from);
        ASSERT_TRUE(p.read_until("[Enter]", at)) << p.out().substr(at);
        // Nothing moves while we do not press Enter.
        p.read_for(kWait);
        const std::string shown = p.out().substr(at);
        EXPECT_EQ(shown.find("── Step"), std::string::npos) << shown;
        EXPECT_EQ(shown.find("exited"), std::string::npos) << shown;
        EXPECT_EQ(shown.find("hung"), std::string::npos) << shown;
        // The step's text, and its lines by number in both programs.
        // The lesson's Markdown as a pipe gets it: the words, without ** or backticks.
        EXPECT_NE(shown.find(lab::render_inline(step.text.en, false).substr(0, 40)),
                  std::string::npos)
            << shown;
        const std::size_t cpp_at = shown.find("  C++\n");
        ASSERT_NE(cpp_at, std::string::npos) << shown;
        const std::string py_part = shown.substr(0, cpp_at), cpp_part = shown.substr(cpp_at);
        for (const std::string& needle : step.py) {
            const std::vector<int> lines = lab::find_lines(lesson->python, needle);
            EXPECT_FALSE(lines.empty()) << needle;
            for (int line : lines)
                EXPECT_TRUE(shows_line(py_part, line, needle)) << line << ": " << needle << shown;
        }
        for (const std::string& needle : step.cpp) {
            const std::vector<int> lines = lab::find_lines(scenario->cpp_source, needle);
            EXPECT_FALSE(lines.empty()) << needle;
            for (int line : lines)
                EXPECT_TRUE(shows_line(cpp_part, line, needle)) << line << ": " << needle << shown;
        }
        from = at + header.size();
        p.type("");
    }
    ts::Result r = p.finish(60);
    EXPECT_EQ(r.exit_code, close ? 0 : 3) << r.out;
    EXPECT_NE(r.out.find(close ? "exited" : "hung", from), std::string::npos) << r.out;

    // The exported trace: the pauses in it, in order, each as long as we waited.
    std::ifstream in(trace);
    ASSERT_TRUE(in) << trace;
    json j = json::parse(in);
    std::vector<std::pair<double, std::string>> pauses; // (start, pause point)
    for (const json& e : j["traceEvents"])
        if (e["ph"] == "X" && e["cat"] == "paused") {
            EXPECT_GE(e["dur"].get<double>(), kWait * 1e6 * 0.9) << e.dump();
            pauses.emplace_back(e["ts"].get<double>(), e["name"].get<std::string>());
        }
    std::sort(pauses.begin(), pauses.end());
    ASSERT_EQ(pauses.size(), expected.size()) << j.dump(1);
    for (std::size_t k = 0; k < expected.size(); ++k)
        EXPECT_EQ(pauses[k].second, "paused: " + lesson->steps[expected[k]].pause);
}

TEST(Cli, StepModeWalksEveryStepOfThreadedClient) {
    walk_threaded_client(false);
}

TEST(Cli, StepModeWithCloseReachesTheCloseStepAndExits) {
    walk_threaded_client(true);
}

// Issue 24, item 14: zh step mode numbers its steps in Chinese ("── 第 1/4 步", not "── Step
// 1/4"), and Ctrl+C while the demo waits at a step ends `run` with status 130, as the README's
// table says, and the demo with it.
TEST(Cli, StepModeInChineseSaysItsStepsInChineseAndCtrlCIs130) {
    ts::Interactive p({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run", "threaded-client",
                       "--step", "--lang", "zh"});
    ASSERT_TRUE(p.read_until("── 第 1/", 0)) << p.out();
    // The first step's text, in full, before we look (the demo now waits there).
    p.read_for(0.3);
    EXPECT_EQ(p.out().find("Step 1/"), std::string::npos) << p.out();
    std::vector<int> demos;
    for (int child : ts::children(p.pid())) demos.push_back(child);
    ASSERT_FALSE(demos.empty()) << "no demo under daemonlab " << p.pid();
    ::kill(p.pid(), SIGINT);
    const ts::Result r = p.finish(30);
    // `run` dies by the SIGINT, as a program should: a shell's $? is then 128 + 2 = 130, the
    // README's status (an exit(130) would read the same).
    EXPECT_TRUE(r.signal == SIGINT || r.exit_code == 130)
        << "exit " << r.exit_code << ", signal " << r.signal << "\n"
        << r.out;
    for (int demo : demos)
        EXPECT_TRUE(ts::eventually([&] { return !ts::alive(demo); }, std::chrono::seconds(5)))
            << "demo " << demo << " outlived Ctrl+C";
}

// --trace-out: Chrome Trace Event Format, as Perfetto and chrome://tracing read it: an
// object with traceEvents, each with ph/pid/tid/ts, one named track per thread.
TEST(Cli, TraceOutIsAChromeTraceWithOneTrackPerThread) {
    const std::string trace = std::string(DAEMONLAB_TEST_DIR) + "/trace-out.json";
    std::remove(trace.c_str());
    auto r = daemonlab({"run", "threaded-client", "--json", "--trace-out", trace});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    const json run = json::parse(r.out);
    std::ifstream in(trace);
    ASSERT_TRUE(in) << trace;
    const json j = json::parse(in);
    ASSERT_TRUE(j.is_object());
    ASSERT_TRUE(j["traceEvents"].is_array());
    std::map<int, std::string> tracks; // tid -> thread_name
    std::set<int> tids_with_slices;
    int pid = -1;
    for (const json& e : j["traceEvents"]) {
        ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name")) << e.dump();
        const std::string ph = e["ph"];
        EXPECT_TRUE(ph == "M" || ph == "X" || ph == "i") << ph;
        if (pid < 0) pid = e["pid"];
        EXPECT_EQ(e["pid"], pid) << "one process";
        if (ph == "M" && e["name"] == "thread_name")
            tracks[e["tid"].get<int>()] = e["args"]["name"].get<std::string>();
        if (ph == "X") {
            ASSERT_TRUE(e["ts"].is_number() && e["dur"].is_number()) << e.dump();
            EXPECT_GE(e["dur"].get<double>(), 0);
            tids_with_slices.insert(e["tid"].get<int>());
        }
        if (ph == "i") {
            EXPECT_TRUE(e["ts"].is_number());
        }
    }
    ASSERT_EQ(tracks.size(), run["threads"].size());
    for (const json& t : run["threads"]) {
        bool found = false;
        for (auto& [tid, name] : tracks)
            found |= name.starts_with(t["name"].get<std::string>() + " (");
        EXPECT_TRUE(found) << t["name"];
    }
    for (int tid : tids_with_slices) EXPECT_TRUE(tracks.contains(tid)) << tid;
}

// Injected faults, through the terminal: a crash is exit status 4 and names the signal.
TEST(Cli, ACrashedDemoIsExitStatusFour) {
    auto r = daemonlab({"run", "passed-in", "--inject-fault", "abort", "--json"});
    EXPECT_EQ(r.exit_code, 4) << r.out;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["verdict"], "crashed");
    EXPECT_EQ(j["signal"], SIGABRT);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--inject-fault", "lightning"}).exit_code, 2);
}

// Issue 24: the real interpreter takes "as installed" by name, and says it back; the model
// has no such policy and says so (status 2, naming the engine to use).
TEST(Cli, RunTakesReceiverLibraryOnTheRealInterpreterOnly) {
    // A missing interpreter: the run fails at once, and the JSON still says what was asked.
    auto r = daemonlab({"run", "threaded-client", "--engine", "python", "--python",
                        "/nonexistent/python3", "--receiver", "library", "--json"});
    EXPECT_NE(r.exit_code, 2) << r.out;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["engine"], "python");
    EXPECT_EQ(j["options"]["receiver"], "library");
    EXPECT_NE(j["command"].get<std::string>().find("--receiver library"), std::string::npos)
        << j["command"];
    auto model = daemonlab({"run", "threaded-client", "--receiver", "library"});
    EXPECT_EQ(model.exit_code, 2) << model.out;
    EXPECT_NE(model.out.find("--engine python"), std::string::npos) << model.out;
}

// Issue 23 item 8: room --grace is checked as run's, before the room opens.
TEST(Cli, RoomRefusesABadGraceAsRunDoes) {
    for (const char* bad : {"50", "0", "0x10", "1e3", "70000"}) {
        auto room = daemonlab({"room", "--listen", "loopback", "--grace", bad}, 30);
        auto run = daemonlab({"run", "inside-thread", "--grace", bad}, 30);
        EXPECT_EQ(room.exit_code, 2) << bad << ": " << room.out;
        EXPECT_EQ(room.out.find("http://"), std::string::npos) << "the room opened: " << room.out;
        // The same words as run's, after each command's name.
        const std::string said = run.out.substr(run.out.find("--grace"));
        EXPECT_NE(room.out.find("daemonlab room: " + said), std::string::npos)
            << room.out << "\nrun said: " << run.out;
    }
    // A good one opens the room; the end of stdin closes it.
    auto ok = daemonlab({"room", "--listen", "loopback", "--grace", "150", "--lang", "en"}, 30);
    EXPECT_EQ(ok.exit_code, 0) << ok.out;
    EXPECT_NE(ok.out.find("http://127.0.0.1:"), std::string::npos) << ok.out;
}

// The words of a POSIX shell command line, as `sh` splits them: blanks separate, '...'
// quotes, \ escapes one character, and a # that starts a word starts a comment. (What
// command_line() writes.)
static std::vector<std::string> shell_words(const std::string& line) {
    std::vector<std::string> words;
    std::string w;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::exchange(w, {}));
            in_word = false;
        } else if (c == '#' && !in_word) {
            break;
        } else if (c == '\\' && i + 1 < line.size()) {
            w += line[++i];
            in_word = true;
        } else if (c == '\'') {
            const std::size_t end = line.find('\'', i + 1);
            w += line.substr(i + 1, end - i - 1);
            i = end;
            in_word = true;
        } else {
            w += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(w);
    return words;
}

// The line of `out` that starts with `daemonlab run ` or `daemonlab explain `.
static std::string printed_command(const std::string& out) {
    for (std::size_t at = 0; at < out.size();) {
        const std::size_t end = std::min(out.find('\n', at), out.size());
        const std::string line = out.substr(at, end - at);
        if (line.starts_with("daemonlab run ") || line.starts_with("daemonlab explain "))
            return line;
        at = end + 1;
    }
    return {};
}

// Issue 24: every command line `run` and `explain` print (the terminal's first line, and
// "command" in the JSON) runs as printed, in a shell, and gets the same settings: the same
// JSON options, engine, scenario or program, and the same line printed back.
TEST(Cli, EveryPrintedCommandLineRunsAsPrinted) {
    const std::string dir = std::string(DAEMONLAB_TEST_DIR) + "/printed command";
    std::filesystem::create_directories(dir);
    const std::string program = dir + "/it's mine.py"; // a space and a quote to say back
    std::ofstream(program) << "print('hello')\n";
    const std::vector<std::vector<std::string>> cases = {
        {"run", "threaded-client", "--receiver", "daemon"},
        {"run", "passed-in", "--close", "--grace", "150"},
        {"run", "inside-thread", "--receiver", "non-daemon", "--grace", "150"},
        {"run", "explicit-close", "--no-close", "--receiver", "daemon"},
        {"run", "sandbox", "--connect-in", "worker", "--worker", "non-daemon", "--with-block",
         "--receiver", "daemon"},
        {"run", "passed-in", "--inject-fault", "abort"},
        // The real interpreter, missing: fails at once, and is still said back in full.
        {"run", "threaded-client", "--engine", "python", "--python", "/nonexistent/py thon3",
         "--receiver", "daemon", "--close"},
        // `library` (as installed), the CPython engine's default, said back and taken again.
        {"run", "threaded-client", "--engine", "python", "--python", "/nonexistent/py thon3",
         "--receiver", "library"},
        {"run", "sandbox", "--engine", "python", "--python", "/nonexistent/python3", "--connect-in",
         "worker", "--worker", "daemon", "--receiver", "library"},
        {"explain", program, "--python", "/nonexistent/python3", "--grace", "200", "--timeout",
         "1.5", "--receiver", "non-daemon", "--", "-v", "two words"},
    };
    // `line` run by /bin/sh, with daemonlab on its PATH.
    auto shell = [](const std::string& line) {
        return ts::run({"/bin/sh", "-c", "PATH='" DAEMONLAB_BIN_DIR "':\"$PATH\"; " + line}, 60);
    };
    auto same_settings = [](const json& a, const json& b) {
        for (const char* key : {"scenario", "engine", "options", "program", "args", "command"})
            EXPECT_EQ(a.value(key, json()), b.value(key, json())) << key;
    };
    for (std::vector<std::string> args : cases) {
        SCOPED_TRACE(::testing::PrintToString(args));
        // Options right after the command's name: after explain's -- they are the program's.
        std::vector<std::string> as_json = args;
        as_json.insert(as_json.begin() + 1, "--json");
        const ts::Result first = daemonlab(as_json);
        ASSERT_NE(first.exit_code, 2) << first.out;
        const json asked = json::parse(first.out, nullptr, false);
        ASSERT_FALSE(asked.is_discarded()) << first.out;
        const std::string command = asked["command"];
        args.insert(args.begin() + 1, {"--lang", "en"});
        const std::string terminal = printed_command(daemonlab(args).out);
        // The terminal prints the JSON's line (and, for CPython, a comment after it).
        EXPECT_EQ(shell_words(terminal), shell_words(command)) << terminal << "\n" << command;
        // The JSON's line, run as printed: the same settings, the same line.
        const std::size_t name_end = command.find(' ', command.find(' ') + 1);
        const ts::Result again =
            shell(command.substr(0, name_end) + " --json" + command.substr(name_end));
        ASSERT_NE(again.exit_code, 2) << command << "\n" << again.out;
        const json settings = json::parse(again.out, nullptr, false);
        ASSERT_FALSE(settings.is_discarded()) << command << "\n" << again.out;
        same_settings(settings, asked);
        // The terminal's line, comment and all, run as printed: it prints itself again.
        const ts::Result again_terminal = shell(terminal);
        EXPECT_EQ(again_terminal.exit_code, first.exit_code) << again_terminal.out;
        EXPECT_EQ(printed_command(again_terminal.out), terminal) << again_terminal.out;
    }
}

// Issue 23 item 7: `room`'s csv FILE writes a new file and renames it over the old one. Under
// a file-size limit the write fails, says so, and the old file is whole (it used to be
// truncated in place and cut short); a symbolic link is refused, its target untouched.
TEST(Cli, RoomCsvNeverCutsTheOldFileAndFollowsNoLink) {
    const std::string dir = std::string(DAEMONLAB_TEST_DIR) + "/room-csv";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string file = dir + "/votes.csv", target = dir + "/target.txt",
                      link = dir + "/link.csv";
    std::string old;
    for (int i = 0; i < 40; ++i) old += "round " + std::to_string(i) + " of an earlier class\n";
    auto put = [](const std::string& path, const std::string& text) {
        std::ofstream(path, std::ios::binary) << text;
    };
    auto read = [](const std::string& path) {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    put(file, old);
    put(target, "keep me\n");
    std::filesystem::create_symlink(target, link);
    const std::string bin = std::string(DAEMONLAB_BIN_DIR) + "/daemonlab";
#if defined(__SANITIZE_THREAD__)
    // ThreadSanitizer's runtime itself dies of SIGXFSZ at start under `ulimit -f 0` (any TSan
    // binary does): the full disk is checked in the other builds.
    std::printf("[  SKIP    ] the full-disk part: TSan's runtime cannot start under ulimit -f 0\n");
#else
    auto limited =
        ts::run({"/bin/sh", "-c", "ulimit -f 0; exec \"$0\" room --listen loopback --lang en", bin},
                30, "csv " + file + "\nquit\n");
    EXPECT_EQ(limited.exit_code, 0) << limited.out; // not killed by SIGXFSZ
    EXPECT_NE(limited.out.find("cannot write " + file), std::string::npos) << limited.out;
    EXPECT_EQ(read(file), old);
#endif
    auto room = ts::run({bin, "room", "--listen", "loopback", "--lang", "en"}, 30,
                        "csv " + link + "\ncsv " + file + "\nquit\n");
    EXPECT_NE(room.out.find("symbolic link"), std::string::npos) << room.out;
    EXPECT_EQ(read(target), "keep me\n");
    EXPECT_TRUE(read(file).starts_with("\xEF\xBB\xBF"
                                       "round,scenario,"))
        << read(file);
    for (const auto& e : std::filesystem::directory_iterator(dir)) // no temporary file left
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
}

// Issue 21: a chapter-2 lesson in the room is asked in its own words (the lesson's fix, no
// receiver) and runs on the real interpreter (the model has no chapter 2).
TEST(Cli, RoomAsksAChapterTwoLessonWithItsFixAndRunsItOnCPython) {
    const std::filesystem::path dir = std::filesystem::path(DAEMONLAB_TEST_DIR) / "cli-room-ch2";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string bin = std::string(DAEMONLAB_BIN_DIR) + "/daemonlab";
    auto r = ts::run({"/usr/bin/env", "XDG_CONFIG_HOME=" + dir.string(), "PATH=/usr/bin:/bin", bin,
                      "room", "--listen", "loopback", "--lang", "en", "--qr", "none"},
                     60, "ask daemon-cut-off fix\nrun\nquit\n");
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("with the lesson's fix"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("recv_events"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("Revealed: it exits."), std::string::npos) << r.out;
}

// Issue 22, defects 2 and 11: `daemonlab room` prints a QR code for the phones, and the rounds
// it reveals are kept (next to the settings): the next room, a new process, has them, numbers
// on from them and exports them.
TEST(Cli, RoomPrintsAQrCodeAndKeepsItsHistoryForTheNextRoom) {
    const std::filesystem::path dir =
        std::filesystem::path(DAEMONLAB_TEST_DIR) / "cli-room-history";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const char* old = std::getenv("XDG_CONFIG_HOME");
    const std::string saved = old ? old : "";
    setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    const std::string bin = std::string(DAEMONLAB_BIN_DIR) + "/daemonlab";
    auto first = ts::run({bin, "room", "--listen", "loopback", "--lang", "en"}, 60,
                         "ask inside-thread\nrun\nquit\n");
    EXPECT_EQ(first.exit_code, 0) << first.out;
    EXPECT_NE(first.out.find("\u2588\u2588\u2588\u2588"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("Revealed: it exits."), std::string::npos) << first.out;
    EXPECT_TRUE(std::filesystem::exists(dir / "daemonlab" / "room-history.json"));
    const std::string csv = (dir / "rounds.csv").string();
    auto second = ts::run({bin, "room", "--listen", "loopback", "--lang", "en", "--qr", "none"}, 60,
                          "ask threaded-client\ncsv " + csv + "\nquit\n");
    EXPECT_EQ(second.exit_code, 0) << second.out;
    EXPECT_EQ(second.out.find("\u2588"), std::string::npos) << second.out;  // --qr none
    EXPECT_NE(second.out.find("Round 2"), std::string::npos) << second.out; // numbered on
    std::ifstream in(csv);
    const std::string rows((std::istreambuf_iterator<char>(in)), {});
    EXPECT_NE(rows.find("\r\n1,inside-thread,"), std::string::npos) << rows;
    if (old)
        setenv("XDG_CONFIG_HOME", saved.c_str(), 1);
    else
        unsetenv("XDG_CONFIG_HOME");
}
