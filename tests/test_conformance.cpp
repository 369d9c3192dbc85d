// Conformance of the trace protocol's two writers (docs/TRACE-PROTOCOL.md): the C++ model
// demos and the real CPython with the tracer write nothing the host does not understand. Every
// scenario of the catalog, on both engines, against a real echo server, gives a trace with no
// malformed line, no unknown event, field or value, and no failure of the tracer. And the
// control pipe's rule for a line that is not a word, on a C++ demo (the tracer's side of the
// same rule: tests/python/test_tracer.py, test_unknown_control_word_is_ignored).
#include "lab/model/catalog.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/runner.hpp"
#include "subprocess.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace lab;

namespace {

// Debian's interpreter, as in tests/test_python_engine.cpp (not a pyenv one on PATH).
const char* kPython = "/usr/bin/python3";

std::string describe(const RunOptions& o) {
    return std::string(trace::name(o.engine)) + " " + o.scenario + " " +
           std::string(trace::name(o.receiver)) + (effective_close(o) ? " close" : " no-close");
}

// Every scenario with the receiver policies of both sides of the 13.0 fix (a hang and an
// exit), on one engine; the scenarios' own defaults otherwise. Chapter 2 (CPython only, no
// receiver) without and with its fix: the exit family's stages, chains, children and timed
// waits are on those traces.
std::vector<RunOptions> cells(trace::Engine engine) {
    std::vector<RunOptions> out;
    for (const Scenario& s : catalog()) {
        if (s.cpython_only && engine != trace::Engine::cpython) continue;
        for (trace::Receiver r : {trace::Receiver::inherit, trace::Receiver::daemon}) {
            RunOptions o{.engine = engine, .scenario = std::string(s.id), .receiver = r};
            o.grace_ms = 200; // a hang's trace is complete at its confirmation
            if (engine == trace::Engine::cpython) o.python = kPython;
            if (s.cpython_only) {
                o.close = r == trace::Receiver::daemon; // the second run: with the fix
                o.timeout_ms = 4000; // a Timer's or a poller's run is still running then
            }
            out.push_back(std::move(o));
        }
    }
    return out;
}

// Runs every cell, a few at a time (a run mostly waits), and returns their final states.
std::vector<RunState> run_all(const std::vector<RunOptions>& cells) {
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    std::vector<RunState> out(cells.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w)
        workers.emplace_back([&] {
            for (std::size_t k; (k = next.fetch_add(1)) < cells.size();) {
                lab::Run run(cells[k], info);
                run.wait();
                run.end();
                out[k] = run.snapshot();
            }
        });
    for (auto& w : workers) w.join();
    return out;
}

// The trace was read (a verdict, the first line) and holds only what the host understands.
void expect_conforms(const RunOptions& o, const RunState& st) {
    const std::string what = describe(o);
    const Timeline& t = st.timeline;
    const Scenario* sc = find_scenario(o.scenario);
    const bool still_running_is_an_answer = sc && sc->cpython_only && !effective_close(o);
    ASSERT_TRUE(st.verdict.outcome == Outcome::exited || st.verdict.outcome == Outcome::hung ||
                (still_running_is_an_answer && st.verdict.outcome == Outcome::timed_out))
        << what << ": " << to_string(st.verdict.outcome) << " " << st.verdict.error << "\n"
        << st.output;
    EXPECT_EQ(t.process().version, trace::kVersion) << what;
    EXPECT_EQ(t.process().engine, o.engine) << what;
    EXPECT_FALSE(t.lanes().empty()) << what;
    EXPECT_EQ(st.malformed, 0u) << what << ": malformed trace lines\n" << st.output;
    EXPECT_EQ(t.unknown_events(), 0u) << what << ": unknown events, fields or values";
    EXPECT_EQ(t.tracer_error_count(), 0u) << what << ": the writer failed";
    for (const TracerError& e : t.tracer_errors())
        ADD_FAILURE() << what << ": tracer-error where=" << e.where << " " << e.exception << ": "
                      << e.text;
}

} // namespace

class Conformance : public ::testing::Test {
  protected:
    static void SetUpTestSuite() { setenv("DAEMONLAB_DEMO_DIR", DAEMONLAB_DEMO_DIR, 1); }
};

TEST_F(Conformance, ModelDemosWriteOnlyTheProtocol) {
    const std::vector<RunOptions> model = cells(trace::Engine::model);
    const std::vector<RunState> states = run_all(model);
    for (std::size_t i = 0; i < model.size(); ++i) expect_conforms(model[i], states[i]);
}

TEST_F(Conformance, CPythonTracerWritesOnlyTheProtocol) {
    if (::access(kPython, X_OK) != 0)
        GTEST_SKIP() << kPython << " is not here: apt-get install python3";
    // websockets 13.0 from ../shared/vendor (as tests/test_python_engine.cpp does), else
    // whatever the interpreter imports; the tracer applies the receiver policy either way.
    if (const std::string vendor = testing_support::vendor_dir(); !vendor.empty())
        setenv("PYTHONPATH", (vendor + "/13.0").c_str(), 1);
    const PythonCheck check = check_python(kPython, true);
    if (!check.error.empty())
        GTEST_SKIP() << "no websockets >= 11 for " << kPython << ": " << check.error;
    const std::vector<RunOptions> real = cells(trace::Engine::cpython);
    const std::vector<RunState> states = run_all(real);
    for (std::size_t i = 0; i < real.size(); ++i) expect_conforms(real[i], states[i]);
}

namespace {

// fd as a close-on-exec fd above the demo's fds 0..5, so that a file action's dup2() to
// 3 or 4 never finds it already there (a dup2 onto itself would keep close-on-exec).
int high(int fd) {
    const int h = ::fcntl(fd, F_DUPFD_CLOEXEC, 10);
    ::close(fd);
    return h;
}

struct Stepped {
    std::string trace;
    int status = -1;
    bool timed_out = false;
};

// Runs a demo in step mode with `control` already written to its control pipe, which is then
// closed (end of file), and reads its trace to the end.
Stepped run_stepped(std::vector<std::string> args, const std::string& ca_pem,
                    const std::string& control) {
    using namespace trace::launch;
    Stepped out;
    int tp[2], cp[2];
    if (::pipe2(tp, O_CLOEXEC) != 0 || ::pipe2(cp, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe: " << std::strerror(errno);
        return out;
    }
    const int trace_r = high(tp[0]), trace_w = high(tp[1]), ctl_r = high(cp[0]),
              ctl_w = high(cp[1]);
    // Less than a pipe's buffer: written at once, before the demo starts.
    EXPECT_EQ(::write(ctl_w, control.data(), control.size()), ssize_t(control.size()));
    ::close(ctl_w);
    args.insert(args.end(), {std::string(kTraceFdOption), std::to_string(kTraceFd),
                             std::string(kControlFdOption), std::to_string(kControlFd)});
    std::vector<std::string> env = {"DAEMONLAB_CA=" + ca_pem, "LC_ALL=C.UTF-8"};
    for (const char* name : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "TSAN_OPTIONS", "LSAN_OPTIONS"})
        if (const char* v = std::getenv(name)) env.push_back(std::string(name) + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawn_file_actions_adddup2(&fa, trace_w, kTraceFd);
    posix_spawn_file_actions_adddup2(&fa, ctl_r, kControlFd);
    pid_t pid = -1;
    const int rc = ::posix_spawn(&pid, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(trace_w);
    ::close(ctl_r);
    if (rc != 0) {
        ::close(trace_r);
        ADD_FAILURE() << "spawn " << args[0] << ": " << std::strerror(rc);
        return out;
    }
    // The trace ends when the demo does (it is the only writer left).
    const double deadline = testing_support::now_s() + 30;
    char buf[4096];
    for (;;) {
        const double left = deadline - testing_support::now_s();
        if (left <= 0) {
            out.timed_out = true;
            ::kill(pid, SIGKILL);
            break;
        }
        pollfd p{trace_r, POLLIN, 0};
        if (::poll(&p, 1, int(left * 1000) + 1) < 0 && errno != EINTR) break;
        const ssize_t n = ::read(trace_r, buf, sizeof buf);
        if (n > 0)
            out.trace.append(buf, std::size_t(n));
        else if (n == 0 || errno != EINTR)
            break;
    }
    ::close(trace_r);
    int ws = 0;
    while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
    }
    out.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
    return out;
}

} // namespace

// docs/TRACE-PROTOCOL.md, "Control": a line that is not `go` or `run` does nothing, and the
// paused thread reads on. threaded-client pauses at connect, start and main-end; its control
// pipe holds three lines that are not words (a newer host's word, a blank line, a line too
// long), then ` go\r` (a word, blanks around it), then a blank line, then end of file.
// Ignored, the first pause passes on ` go\r`, the second reads the blank line and then end of
// file (`run`), and main-end does not pause. Taken as `go`, every line would pass one pause
// (all three would pause); taken as `run`, only the first would.
TEST_F(Conformance, DemoIgnoresAControlLineThatIsNotAWord) {
    EchoServer server({.tls = true});
    const RunOptions o{.scenario = "threaded-client", .receiver = trace::Receiver::daemon};
    const Stepped r = run_stepped(
        demo_argv(o, {server.uri(), server.ca_pem()}), server.ca_pem(),
        "next\n\n" + std::string(trace::launch::kMaxControlLine + 44, 'g') + "\n go\r\n\n");
    ASSERT_FALSE(r.timed_out) << "the demo still waits: a word was not read as one\n" << r.trace;
    EXPECT_EQ(r.status, 0) << r.trace;
    TraceReader reader;
    Timeline t;
    std::vector<std::string> steps, paused;
    reader.feed(r.trace, [&](TraceEvent&& e) {
        if (e.kind == trace::Kind::step) steps.emplace_back(e.get(trace::key::name));
        if (e.kind == trace::Kind::state &&
            e.get_enum<trace::State>(trace::key::state) == trace::State::paused)
            paused.emplace_back(e.get(trace::key::step));
        t.apply(e);
    });
    reader.finish();
    EXPECT_EQ(steps, (std::vector<std::string>{"connect", "start", "main-end"})) << r.trace;
    EXPECT_EQ(paused, (std::vector<std::string>{"connect", "start"})) << r.trace;
    // The step-mode trace conforms too.
    EXPECT_EQ(reader.malformed(), 0u);
    EXPECT_EQ(t.unknown_events(), 0u);
}
