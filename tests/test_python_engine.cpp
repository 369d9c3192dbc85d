// The CPython engine: the lessons' programs and users' programs on the real interpreter,
// traced, judged by the same host as the C++ model — and the model and the real thing agree.
#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/ca_file.hpp"
#include "lab/run/interpreters.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/runner.hpp"
#include "subprocess.hpp"

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;
using namespace lab;

namespace {

// Debian's interpreter, the one the README installs (not a pyenv one on PATH).
const char* kPython = "/usr/bin/python3";

using ts::vendor_dir;

ts::Result daemonlab(std::vector<std::string> args, double timeout = 60) {
    args.insert(args.begin(), std::string(DAEMONLAB_BIN_DIR) + "/daemonlab");
    return ts::run(std::move(args), timeout);
}

// A user's program, written to a fresh file.
std::string program(const std::string& name, const std::string& source) {
    fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "python-programs";
    fs::create_directories(dir);
    fs::path p = dir / name;
    std::ofstream(p) << source;
    return p.string();
}

json explain(const std::string& file, std::vector<std::string> extra, int& status) {
    std::vector<std::string> args = {"explain", file, "--json", "--python", kPython};
    args.insert(args.end(), extra.begin(), extra.end());
    ts::Result r = daemonlab(args);
    status = r.exit_code;
    try {
        return json::parse(r.out);
    } catch (const std::exception&) {
        ADD_FAILURE() << "not JSON:\n" << r.out;
        return {};
    }
}

const json* thread_named(const json& j, const std::string& name) {
    for (const json& t : j["threads"])
        if (t["name"] == name) return &t;
    return nullptr;
}

} // namespace

TEST(PythonEngine, PausePointsAreReadFromTheProgram) {
    const auto points = pause_points("import os\n"
                                     "ws = connect(URI)  # step: connect\n"
                                     "x = 1\n"
                                     "with connect(URI) as ws:  # step: enter, leave\n"
                                     "print('# step: is not a marker inside a string?')\n");
    ASSERT_EQ(points.size(), 4u);
    EXPECT_EQ(points[0], (std::pair<std::string, int>{"connect", 2}));
    EXPECT_EQ(points[1], (std::pair<std::string, int>{"enter", 4}));
    EXPECT_EQ(points[2], (std::pair<std::string, int>{"leave", 4}));
    // The last marker on a line counts; a string that merely contains one is a (harmless)
    // false friend, so the lessons' programs keep markers at the ends of lines.
    EXPECT_EQ(points[3].second, 5);
    // Every lesson program names the pause points its lesson steps through.
    const Content content = load_content(std::string(DAEMONLAB_SOURCE_DIR) + "/content");
    for (const Scenario& s : catalog()) {
        std::ifstream in(program_path(s.id));
        ASSERT_TRUE(in) << program_path(s.id);
        std::string src((std::istreambuf_iterator<char>(in)), {});
        std::set<std::string> names;
        for (const auto& [name, line] : pause_points(src)) names.insert(name);
        if (const Lesson* l = content.lesson(s.id)) {
            for (const Step& st : l->steps)
                EXPECT_TRUE(names.count(st.pause)) << s.id << ": no `# step: " << st.pause << "`";
        }
    }
}

TEST(PythonEngine, StacksAreReadFromFaulthandler) {
    const Stacks stacks =
        parse_stacks("Thread 0x00007f3a2b7fe6c0 (most recent call first):\n"
                     "  File \"/usr/lib/python3.11/ssl.py\", line 1134 in read\n"
                     "  File \"/srv/daemonlab_tracer.py\", line 400 in _recv\n"
                     "  File \"/v/websockets/sync/connection.py\", line 538 in recv_events\n"
                     "\n"
                     "Current thread 0x00007f3a2c000740 (most recent call first):\n"
                     "  File \"/usr/lib/python3.11/threading.py\", line 1583 in _shutdown\n"
                     "garbage line\n" +
                     std::string(5000, 'x') + "\n");
    ASSERT_EQ(stacks.size(), 2u);
    const auto& recv = stacks.at(std::to_string(0x00007f3a2b7fe6c0ULL));
    ASSERT_EQ(recv.size(), 2u); // the tracer's own frame is left out
    EXPECT_EQ(recv[0].file, "/usr/lib/python3.11/ssl.py");
    EXPECT_EQ(recv[1].line, 538);
    EXPECT_EQ(recv[1].function, "recv_events");
    Lane lane;
    lane.ident = std::to_string(0x00007f3a2b7fe6c0ULL);
    EXPECT_EQ(blocked_at(lane, stacks), "/v/websockets/sync/connection.py:538 in recv_events");
}

// A user's program that hangs: the thread the interpreter waits for, who created it and
// where, why it is not a daemon, and where it is blocked now.
TEST(Explain, AHangNamesTheThreadItsCreatorAndWhereItWaits) {
    const std::string file =
        program("hang.py", "import threading\n"
                           "stop = threading.Event()\n"
                           "def poll():\n"
                           "    stop.wait()\n"
                           "def start():\n"
                           "    threading.Thread(target=poll, name='poller').start()\n"
                           "start()\n"
                           "print('main is done')\n");
    int status = 0;
    json j = explain(file, {"--grace", "200"}, status);
    EXPECT_EQ(status, 3) << j.dump(2);
    EXPECT_EQ(j["verdict"], "hung");
    EXPECT_EQ(j["engine"], "python");
    EXPECT_TRUE(j["python"].is_string());
    ASSERT_EQ(j["waiting_on"], json::array({"poller"}));
    const json* t = thread_named(j, "poller");
    ASSERT_TRUE(t);
    EXPECT_EQ((*t)["daemon"], false);
    EXPECT_EQ((*t)["daemon_source"], "inherited");
    EXPECT_EQ((*t)["creator"], "MainThread");
    EXPECT_EQ((*t)["created_at"], file + ":6");
    EXPECT_EQ((*t)["blocked_on"], "event");
    ASSERT_FALSE((*t)["stack"].empty()) << t->dump();
    bool at_wait = false;
    for (const json& f : (*t)["stack"]) at_wait |= f["file"] == file && f["line"] == 4;
    EXPECT_TRUE(at_wait) << (*t)["stack"].dump();
    EXPECT_NE(j["explanation"].dump().find(file + ":4 in poll"), std::string::npos)
        << j["explanation"].dump(2);
    // The rule is said about this program's thread: no server is involved here.
    EXPECT_NE(j["explanation"].dump().find("cannot end before poller does"), std::string::npos)
        << j["explanation"].dump(2);
    EXPECT_EQ(j["explanation"].dump().find("server"), std::string::npos)
        << j["explanation"].dump(2);
}

TEST(Explain, AnExitNamesTheDaemonThreadsItAbandoned) {
    const std::string file =
        program("exits.py", "import sys, threading, time\n"
                            "threading.Thread(target=time.sleep, args=(60,),\n"
                            "                 name='sleeper', daemon=True).start()\n"
                            "sys.exit(3)\n");
    int status = 0;
    json j = explain(file, {}, status);
    EXPECT_EQ(status, 0) << j.dump(2); // the program exited: its own status is in the JSON
    EXPECT_EQ(j["verdict"], "exited");
    EXPECT_EQ(j["exit_code"], 3);
    EXPECT_TRUE(j["main_end_to_exit_ms"].is_number());
    EXPECT_NE(j["explanation"].dump().find("sleeper"), std::string::npos) << j.dump(2);
    const json* t = thread_named(j, "sleeper");
    ASSERT_TRUE(t);
    EXPECT_EQ((*t)["daemon_source"], "explicit");
}

TEST(Explain, AProgramWhoseMainNeverEndsIsNotAHang) {
    const std::string file = program("busy.py", "import time\nwhile True:\n    time.sleep(0.05)\n");
    int status = 0;
    json j = explain(file, {"--timeout", "1.5"}, status);
    EXPECT_EQ(status, 5) << j.dump(2);
    EXPECT_EQ(j["verdict"], "timeout");
    EXPECT_NE(j["explanation"].dump() + j.dump(), "");
}

// Main has ended and the interpreter waits for a thread that sleeps: at the time limit this is
// (3 s: under a loaded CI an interpreter start alone has taken 1.5 s)
// not a hang, and the terminal says which thread and what it is doing.
TEST(Explain, ATimeoutNamesTheThreadStillAwaited) {
    const std::string file =
        program("sleeps.py", "import threading, time\n"
                             "threading.Thread(target=time.sleep, args=(60,),\n"
                             "                 name='sleeper').start()\n");
    ts::Result r = daemonlab({"explain", file, "--timeout", "3", "--lang", "en"});
    EXPECT_EQ(r.exit_code, 5) << r.out;
    EXPECT_NE(r.out.find("the interpreter waits for the non-daemon thread sleeper (now: sleeping)"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("▁▁▁"), std::string::npos) << r.out; // drawn as a sleep, not a wait
    // The JSON names it too, with why it is awaited (inherited, not a daemon) and where.
    int status = 0;
    json j = explain(file, {"--timeout", "3"}, status);
    EXPECT_EQ(j["verdict"], "timeout");
    EXPECT_EQ(j["waiting_on"], json::array({"sleeper"})) << j.dump(2);
    const std::string why = j["explanation"].dump();
    EXPECT_NE(why.find("inherited the flag of its creator, MainThread"), std::string::npos) << why;
    EXPECT_NE(why.find("cannot end before sleeper does"), std::string::npos) << why;
}

TEST(Explain, BrokenInputGetsAClearMessage) {
    int status = 0;
    json j = explain(program("syntax.py", "x = (\n"), {}, status);
    EXPECT_EQ(status, 2);
    EXPECT_EQ(j["verdict"], "error");
    EXPECT_NE(j["error"].get<std::string>().find("line 1"), std::string::npos) << j.dump(2);

    j = explain((fs::path(DAEMONLAB_TEST_DIR) / "no-such-program.py").string(), {}, status);
    EXPECT_EQ(status, 2);
    EXPECT_EQ(j["verdict"], "error");
    EXPECT_NE(j["error"].get<std::string>().find("no such file"), std::string::npos);

    ts::Result r =
        daemonlab({"explain", program("ok.py", "pass\n"), "--python", "/nonexistent/python3"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("apt-get install python3"), std::string::npos) << r.out;
}

// issue 23: a program that ran and exited with 2 is not "broken"; a FIFO or a device is not
// a regular file (and is never read until memory runs out); an interpreter older than 3.9 is
// refused by name.
TEST(Explain, WordsForWhatRanAndWhatCouldNot) {
    int status = 0;
    // os._exit(2) from main after a thread's uncaught exception: no main-end, status 2.
    json j = explain(program("two.py", "import os, threading\n"
                                       "def boom():\n"
                                       "    raise ValueError('boom')\n"
                                       "t = threading.Thread(target=boom)\n"
                                       "t.start(); t.join()\n"
                                       "os._exit(2)\n"),
                     {}, status);
    EXPECT_EQ(status, 0) << j.dump(2);
    EXPECT_EQ(j["verdict"], "exited") << j.dump(2);
    EXPECT_EQ(j["exit_code"], 2);
    j = explain(program("argparse2.py", "import sys\nsys.exit(2)\n"), {}, status);
    EXPECT_EQ(j["verdict"], "exited") << j.dump(2);

    const fs::path fifo = fs::path(DAEMONLAB_TEST_DIR) / "python-programs" / "fifo.py";
    fs::create_directories(fifo.parent_path());
    fs::remove(fifo);
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    for (const std::string& file : {fifo.string(), std::string("/dev/zero")}) {
        const auto started = std::chrono::steady_clock::now();
        j = explain(file, {"--timeout", "20"}, status);
        EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10)) << file;
        EXPECT_EQ(status, 2) << file;
        EXPECT_EQ(j["verdict"], "error") << j.dump(2);
        EXPECT_NE(j["error"].get<std::string>().find("not a regular file"), std::string::npos)
            << j.dump(2);
    }

    const char* root = std::getenv("PYENV_ROOT");
    const fs::path old = fs::path(root ? root : std::string(std::getenv("HOME")) + "/.pyenv") /
                         "versions/3.8.18/bin/python3";
    if (!fs::exists(old)) GTEST_SKIP() << old << " is not here: no Python 3.8 to refuse";
    ts::Result r = daemonlab({"explain", program("ok.py", "print('ran')\n"), "--python", old});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("Python 3.8.18"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("3.9 to 3.13"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\nran\n"), std::string::npos) << r.out;
}

// issue 23: the host asks for stacks through the tracer's own socket, never by a signal, so
// a program's own SIGUSR2 disposition cannot change what it is seen to do.
TEST(Explain, StacksAreAskedForWithoutASignal) {
    const std::string hang = "import threading\n"
                             "ev = threading.Event()\n"
                             "threading.Thread(target=ev.wait, name='stuck').start()\n";
    for (const auto& [name, setup] : std::vector<std::pair<std::string, std::string>>{
             {"usr2-default.py", "import signal\nsignal.signal(signal.SIGUSR2, signal.SIG_DFL)\n"},
             {"usr2-exits.py", "import os, signal\n"
                               "signal.signal(signal.SIGUSR2, lambda *a: os._exit(0))\n"}}) {
        int status = 0;
        json j = explain(program(name, setup + hang), {"--timeout", "10"}, status);
        EXPECT_EQ(j["verdict"], "hung") << name << j.dump(2);
        EXPECT_EQ(status, 3) << name;
        const json* stuck = thread_named(j, "stuck");
        ASSERT_NE(stuck, nullptr) << j.dump(2);
        EXPECT_FALSE((*stuck)["stack"].empty()) << name << ": the stacks came all the same";
    }
}

// issue 23: every string that comes from a program (its websockets' __version__, a fake
// interpreter's version, thread names, output, errors) reaches the terminal through
// terminal_safe: not one ESC or BEL in what explain prints, in every mode.
TEST(Explain, NoTerminalEscapesFromTheProgram) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "python-programs" / "escapes";
    fs::create_directories(dir / "websockets");
    const std::string evil = "\\x1b]0;pwned\\x07\\x1b[2J";
    std::ofstream(dir / "websockets/__init__.py") << "__version__ = '" << evil << "'\n";
    std::ofstream(dir / "websockets/version.py") << "version = '" << evil << "'\n";
    const std::string prog =
        program("escapes/evil.py", "import sys, threading, websockets\n"
                                   "print('" +
                                       evil +
                                       "')\n"
                                       "def f():\n"
                                       "    raise ValueError('" +
                                       evil +
                                       "')\n"
                                       "t = threading.Thread(target=f, name='" +
                                       evil +
                                       "')\n"
                                       "t.start(); t.join()\n"
                                       "sys.exit(3)\n");
    // A fake interpreter: its version, library and refusal all carry escapes.
    const fs::path fake = dir / "fakepython";
    std::ofstream(fake)
        << "#!/bin/sh\n"
           "printf '1\\t1\\tprocess\\tversion=1\\tpid=1\\tengine=cpython\\tprogram=x"
           "\\tpython=3.11.2\\033]0;pwned\\007\\n' >&3\n"
           "printf '1\\t1\\tlibrary\\tname=websockets\\tversion=\\033[2J13\\n' >&3\n"
           "printf '1\\t-1\\trefused\\twhat=python\\ttext=bad \\033]0;x\\007\\n' >&3\n"
           "printf 'out \\033]0;pwned\\007\\n'\n"
           "exit 1\n";
    fs::permissions(fake, fs::perms::owner_all);
    ::setenv("PYTHONPATH", dir.c_str(), 1);
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"explain", prog, "--python", kPython},
          std::vector<std::string>{"explain", prog, "--python", kPython, "--lang", "both"},
          std::vector<std::string>{"explain", prog, "--python", fake.string()},
          std::vector<std::string>{"explain", prog, "--python", "all"}}) {
        const ts::Result r = daemonlab(args);
        EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << args[3] << "\n" << r.out;
        EXPECT_EQ(r.out.find('\x07'), std::string::npos) << args[3] << "\n" << r.out;
        if (args[3] != "all") { // one verdict line per interpreter: no program text shown
            EXPECT_NE(r.out.find("\\e]0;"), std::string::npos) << args[3] << ": shown escaped\n"
                                                               << r.out;
        }
    }
    ::unsetenv("PYTHONPATH");
}

// Programs that misbehave: they crash, fork, exec, read stdin, or print a lot.
TEST(Explain, ProgramsThatMisbehaveAreToldApart) {
    int status = 0;
    json j =
        explain(program("crash.py", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n"),
                {}, status);
    EXPECT_EQ(status, 4) << j.dump(2);
    EXPECT_EQ(j["verdict"], "crashed");

    // stdin is /dev/null: input() ends at once with EOFError, exit 1.
    j = explain(program("stdin.py", "print(input())\n"), {}, status);
    EXPECT_EQ(j["verdict"], "exited");
    EXPECT_EQ(j["exit_code"], 1);

    // A child process that outlives its parent is not counted as the program's thread; the
    // program itself exits.
    j = explain(program("fork.py", "import os, sys\n"
                                   "if os.fork() == 0:\n"
                                   "    os.execv(sys.executable, [sys.executable, '-c', 'pass'])\n"
                                   "os.wait()\n"
                                   "print('parent done')\n"),
                {}, status);
    EXPECT_EQ(j["verdict"], "exited") << j.dump(2);
    EXPECT_EQ(j["exit_code"], 0);

    // Megabytes of output: kept bounded, the verdict still comes.
    ts::Result r = daemonlab({"explain",
                              program("loud.py", "import sys\n"
                                                 "for i in range(200000):\n"
                                                 "    print('x' * 50)\n"),
                              "--json", "--python", kPython});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_LT(r.out.size(), 1u << 20);
}

// The lessons' programs on the real library: every cell of the matrix gives the same verdict
// on the C++ model as on CPython — websockets 12.0 for `inherit`, 13.0 for `daemon` and
// `non-daemon` (the tracer gives recv_events that flag, as the model's policy does).
TEST(PythonEngine, ModelAndCPythonAgreeOnEveryMatrixCell) {
    const std::string vendor = vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here (a fresh clone has no copy): "
                        "the lessons' programs need the real library";
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    std::vector<RunOptions> cells = matrix_cells(300);
    std::vector<RunState> model(cells.size()), real(cells.size());
    auto run_all = [&](const std::vector<std::size_t>& which, bool cpython,
                       std::vector<RunState>& out) {
        std::atomic<std::size_t> next{0};
        std::vector<std::thread> workers;
        for (int w = 0; w < 6; ++w)
            workers.emplace_back([&] {
                for (std::size_t k; (k = next.fetch_add(1)) < which.size();) {
                    RunOptions o = cells[which[k]];
                    if (cpython) {
                        o.engine = trace::Engine::cpython;
                        o.python = kPython;
                    }
                    lab::Run run(o, info);
                    run.wait();
                    out[which[k]] = run.snapshot();
                }
            });
        for (auto& w : workers) w.join();
    };
    std::vector<std::size_t> all, v12, v13;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        all.push_back(i);
        (cells[i].receiver == trace::Receiver::inherit ? v12 : v13).push_back(i);
    }
    run_all(all, false, model);
    const char* old = std::getenv("PYTHONPATH");
    const std::string saved = old ? old : "";
    setenv("PYTHONPATH", (vendor + "/12.0").c_str(), 1);
    run_all(v12, true, real);
    setenv("PYTHONPATH", (vendor + "/13.0").c_str(), 1);
    run_all(v13, true, real);
    if (old)
        setenv("PYTHONPATH", saved.c_str(), 1);
    else
        unsetenv("PYTHONPATH");
    int judged = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        const RunOptions& o = cells[i];
        const std::string what = o.scenario + " " + std::string(trace::name(o.receiver)) +
                                 (*o.close ? " close" : " no-close");
        EXPECT_TRUE(real[i].verdict.outcome == Outcome::exited ||
                    real[i].verdict.outcome == Outcome::hung)
            << what << ": " << to_string(real[i].verdict.outcome) << " " << real[i].verdict.error
            << "\n"
            << real[i].output;
        EXPECT_EQ(to_string(model[i].verdict.outcome), to_string(real[i].verdict.outcome))
            << what << "\nCPython said:\n"
            << real[i].output;
        judged += real[i].verdict.outcome == Outcome::hung;
        if (real[i].verdict.outcome == Outcome::hung) {
            // The real hang names the same thread the model does: recv_events, not a daemon.
            ASSERT_EQ(real[i].verdict.waiting_on.size(), 1u) << what;
            const Lane* l = real[i].timeline.lane(real[i].verdict.waiting_on[0]);
            ASSERT_TRUE(l);
            EXPECT_NE(l->name.find("recv_events"), std::string::npos) << what << ": " << l->name;
            EXPECT_FALSE(l->daemon);
        }
    }
    EXPECT_GT(judged, 0);
}

// The lesson on every CPython the engine supports that is on this machine: websockets 12.0
// hangs (recv_events inherited main's flag), 13.0 exits. Each interpreter has its own ssl
// (3.13 verifies certificates strictly), so each one really runs it, several times: the
// receiver reads while main writes the upgrade request, a race the echo server must not lose.
TEST(PythonEngine, TheLessonHangsOn12AndExitsOn13OnEveryInterpreterPresent) {
    const std::string vendor = vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here: the lesson needs the library";
    const std::vector<Interpreter> found = one_per_version();
    for (int minor = kOldestMinor; minor <= kNewestMinor; ++minor)
        if (std::none_of(found.begin(), found.end(),
                         [&](const Interpreter& i) { return i.minor == minor; }))
            std::cout << "[ SKIPPED  ] Python 3." << minor
                      << ": not on this machine (pyenv install 3." << minor << ")\n";
    if (found.empty()) GTEST_SKIP() << "no CPython 3.9-3.13 found on PATH or in pyenv";
    EchoServer server({.tls = true});
    for (const char* version : {"12.0", "13.0"}) {
        setenv("PYTHONPATH", (vendor + "/" + version).c_str(), 1);
        for (const Interpreter& python : found)
            for (int i = 0; i < 3; ++i) {
                lab::Run run({.engine = trace::Engine::cpython,
                              .scenario = "threaded-client",
                              .receiver = trace::Receiver::library,
                              .python = python.path},
                             {server.uri(), server.ca_pem()});
                run.wait();
                const RunState st = run.snapshot();
                EXPECT_EQ(to_string(st.verdict.outcome),
                          std::string(version) == "12.0" ? "hung" : "exited")
                    << python.path << " (" << python.version << "), websockets " << version << ":\n"
                    << st.output;
            }
    }
    unsetenv("PYTHONPATH");
}

// Step mode on the real interpreter stops at the lesson's own lines, in the lesson's order.
TEST(PythonEngine, StepModePausesAtTheLessonsLines) {
    const std::string vendor = vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here: the lesson needs the library";
    setenv("PYTHONPATH", (vendor + "/12.0").c_str(), 1);
    EchoServer server({.tls = true});
    std::mutex mu;
    std::condition_variable cv;
    int changes = 0;
    lab::Run run({.engine = trace::Engine::cpython,
                  .scenario = "threaded-client",
                  .receiver = trace::Receiver::library,
                  .grace_ms = 200,
                  .step = true,
                  .python = kPython},
                 {server.uri(), server.ca_pem()}, [&] {
                     std::lock_guard lock(mu);
                     ++changes;
                     cv.notify_all();
                 });
    std::vector<std::string> seen;
    for (;;) {
        RunState st = run.snapshot();
        if (st.finished()) break;
        if (!st.paused_at.empty() && (seen.empty() || seen.size() < 8)) {
            seen.push_back(st.paused_at);
            run.go();
            // Wait until it moved on from this pause.
            for (int i = 0;
                 i < 200 && run.snapshot().paused_at == seen.back() && !run.snapshot().finished();
                 ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
            continue;
        }
        std::unique_lock lock(mu);
        cv.wait_for(lock, std::chrono::milliseconds(50));
    }
    unsetenv("PYTHONPATH");
    EXPECT_EQ(seen, (std::vector<std::string>{"connect", "start", "main-end"}));
    EXPECT_EQ(run.snapshot().verdict.outcome, Outcome::hung);
}

// A program that starts a process of its own and then hangs, or exits: when the run ends,
// that process ends too (it is in the run's process group): no orphans.
TEST(Explain, WhatTheProgramStartedEndsWithTheRun) {
    for (const char* end : {"hang", "exit"}) {
        const std::string pidfile =
            (fs::path(DAEMONLAB_TEST_DIR) / (std::string("child-") + end + ".pid")).string();
        fs::remove(pidfile);
        const std::string file =
            program(std::string("spawner-") + end + ".py",
                    "import subprocess, threading\n"
                    "p = subprocess.Popen(['sleep', '300'])\n"
                    "open(" +
                        json(pidfile).dump() + ", 'w').write(str(p.pid))\n" +
                        (std::string(end) == "hang"
                             ? "threading.Thread(target=threading.Event().wait).start()\n"
                             : ""));
        int status = 0;
        json j = explain(file, {"--grace", "200"}, status);
        EXPECT_EQ(j["verdict"], std::string(end) == "hang" ? "hung" : "exited") << j.dump(2);
        std::ifstream in(pidfile);
        int child = 0;
        ASSERT_TRUE(in >> child) << "the program did not start its child";
        bool gone = false;
        for (int i = 0; i < 100 && !gone; ++i) {
            // A zombie waiting for init to reap it counts as gone.
            std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
            std::string pid_s, comm, state;
            gone = !(stat >> pid_s >> comm >> state) || state == "Z";
            if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        EXPECT_TRUE(gone) << end << ": the program's child " << child << " outlived the run";
    }
}

// ---- the echo server's CA (issue 23 item 10) --------------------------------------------

namespace {

// The daemonlab-ca-* names in `dir`, sorted.
std::vector<std::string> ca_files_in(const fs::path& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().filename().string().starts_with("daemonlab-ca-"))
            out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

void plant(const fs::path& file, std::chrono::hours age) {
    std::ofstream(file) << "-----BEGIN CERTIFICATE-----\n";
    fs::last_write_time(file, fs::file_time_type::clock::now() - age);
}

std::size_t tasks_of(pid_t pid) {
    std::error_code ec;
    std::size_t n = 0;
    for (auto it = fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec);
         !ec && it != fs::directory_iterator(); it.increment(ec))
        ++n;
    return n;
}

template <class Pred>
bool within(std::chrono::milliseconds limit, Pred pred) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!pred()) {
        if (std::chrono::steady_clock::now() > end) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

} // namespace

// The files older versions left behind go at the next start: ours, old, with mkstemp's name;
// nothing else (a young one may be an older host's run in progress, a link points elsewhere).
TEST(CaFile, StaleFilesOfOlderVersionsAreRemoved) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "ca-stale";
    fs::remove_all(dir);
    fs::create_directories(dir);
    plant(dir / "daemonlab-ca-Ab12Cd", std::chrono::hours(48));
    plant(dir / "daemonlab-ca-young1", std::chrono::hours(0));
    plant(dir / "daemonlab-ca-notes.txt", std::chrono::hours(48));
    plant(dir / "target", std::chrono::hours(48));
    fs::create_symlink(dir / "target", dir / "daemonlab-ca-link01");
    EXPECT_EQ(lab::remove_stale_ca_files(dir.string(), std::chrono::hours(1)), 1u);
    EXPECT_EQ(ca_files_in(dir),
              (std::vector<std::string>{"daemonlab-ca-link01", "daemonlab-ca-notes.txt",
                                        "daemonlab-ca-young1"}));
    EXPECT_TRUE(fs::exists(dir / "target"));
}

// `run --engine python` killed mid-run by INT, TERM or KILL (no destructor runs) leaves no
// CA file: the interpreter reads the CA from a descriptor; no name for it exists on disk.
TEST(CaFile, AKilledPythonRunLeavesNoCaFile) {
    const std::string vendor = vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here: the lesson needs the library";
    const fs::path runtime = fs::path(DAEMONLAB_TEST_DIR) / "ca-runtime";
    fs::remove_all(runtime);
    fs::create_directories(runtime);
    fs::permissions(runtime, fs::perms::owner_all, fs::perm_options::replace);
    plant(runtime / "daemonlab-ca-old123", std::chrono::hours(48)); // an older version's
    for (int sig : {SIGINT, SIGTERM, SIGKILL}) {
        SCOPED_TRACE(sigabbrev_np(sig));
        const char* old_runtime = std::getenv("XDG_RUNTIME_DIR");
        const std::string saved_runtime = old_runtime ? old_runtime : "";
        setenv("XDG_RUNTIME_DIR", runtime.c_str(), 1);
        setenv("PYTHONPATH", (vendor + "/12.0").c_str(), 1); // inherits: the lesson hangs
        const pid_t host =
            ts::spawn({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run", "threaded-client",
                       "--engine", "python", "--python", kPython, "--grace", "60000"});
        unsetenv("PYTHONPATH");
        if (old_runtime)
            setenv("XDG_RUNTIME_DIR", saved_runtime.c_str(), 1);
        else
            unsetenv("XDG_RUNTIME_DIR");
        ASSERT_GT(host, 0);
        // Mid-run: the interpreter (the launcher's child) is connected, which took the CA:
        // its receiving thread runs beside main.
        pid_t python = -1;
        std::string seen; // what the last look saw, for a failure's message
        const bool connected = within(std::chrono::seconds(45), [&] {
            const std::vector<int> kids = ts::children(host);
            seen = std::to_string(kids.size()) + " children, host " +
                   (ts::alive(host) ? "alive" : "gone");
            if (kids.size() != 1) return false;
            const std::vector<int> below = ts::children(kids[0]); // daemonlab-launch's
            if (below.size() != 1) return false;
            python = below[0];
            std::error_code ec;
            const std::string exe =
                fs::read_symlink("/proc/" + std::to_string(python) + "/exe", ec);
            seen += ", child " + exe + " with " + std::to_string(tasks_of(python)) + " threads";
            return !ec && exe.find("python") != std::string::npos && tasks_of(python) >= 2;
        });
        std::error_code ec;
        const std::string ca_fd = fs::read_symlink(
            "/proc/" + std::to_string(python) + "/fd/" + std::to_string(kCaFd), ec);
        const std::vector<std::string> during = ca_files_in(runtime);
        ::kill(host, sig);
        if (!within(std::chrono::seconds(10), [&] { return ::waitpid(host, nullptr, WNOHANG); })) {
            ADD_FAILURE() << "the host did not end";
            ::kill(host, SIGKILL);
            ::waitpid(host, nullptr, 0);
        }
        ASSERT_TRUE(connected) << "the interpreter never connected: " << seen;
        EXPECT_TRUE(ca_fd.starts_with("/memfd:daemonlab-ca") || ca_fd.ends_with("(deleted)"))
            << "fd " << kCaFd << " of the interpreter is " << ca_fd;
        EXPECT_TRUE(during.empty()) << during.front() << " (the old one goes at the start)";
        const bool gone = within(std::chrono::seconds(5), [&] { return !ts::alive(python); });
        EXPECT_TRUE(gone) << "the interpreter " << python << " outlived its host";
        if (!gone && python > 0) ::kill(python, SIGKILL);
        EXPECT_TRUE(ca_files_in(runtime).empty()) << ca_files_in(runtime).front();
    }
}
