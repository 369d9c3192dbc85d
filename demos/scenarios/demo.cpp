#include "demos/scenarios/demo.hpp"

#include "demos/scenarios/scenario_list.hpp"
#include "demos/trace/trace.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <sys/prctl.h>
#include <unistd.h>

namespace demo {
namespace {

Options g_options;
int g_control_fd = -1;
int g_trace_fd = -1;
std::mutex g_control_mu; // one paused thread reads the control pipe at a time
bool g_stepping = false; // guarded by g_control_mu

[[noreturn]] void usage_error(std::string_view scenario, const std::string& what) {
    using namespace trace::launch;
    const std::string name(scenario);
    std::fprintf(stderr, "demo-%s: %s\n", name.c_str(), what.c_str());
    const std::string usage = "usage: demo-" + name + " " + std::string(kUriOption) + " URI [" +
                              std::string(kReceiverOption) + " inherit|daemon|non-daemon] [" +
                              std::string(kCloseOption) + "|" + std::string(kNoCloseOption) +
                              "] [" + std::string(kConnectInOption) + " main|worker] [" +
                              std::string(kWorkerOption) + " none|daemon|non-daemon] [" +
                              std::string(kWithBlockOption) + "] [" + std::string(kTraceFdOption) +
                              " N] [" + std::string(kControlFdOption) + " N] [" +
                              std::string(kFaultOption) + " segv|abort|garbage|badname]\n";
    std::fputs(usage.c_str(), stderr);
    std::exit(2);
}

int parse_fd(std::string_view scenario, const std::string& s) {
    char* end = nullptr;
    long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end || v < 0 || v > 1'000'000) usage_error(scenario, "bad fd: " + s);
    return int(v);
}

// The host's next word (trace::launch, "The control pipe"): a line that is not a word is
// ignored, and end of file or a read error means kRun (the host stopped stepping).
trace::launch::Control read_control() {
    using namespace trace::launch;
    for (;;) {
        std::string line;
        bool overlong = false;
        for (;;) {
            char c;
            const ssize_t n = ::read(g_control_fd, &c, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n != 1) return Control::run;
            if (c == '\n') break;
            if (line.size() < kMaxControlLine)
                line += c;
            else
                overlong = true;
        }
        if (overlong) continue;
        if (auto word = parse_control(line)) return *word;
    }
}

// Injected faults, so the host's handling of a demo that goes wrong can be tested for
// real. "garbage" writes bytes that are not the protocol (a bad line, a line far too long,
// control bytes) before any other thread exists, so no real event is torn by it; "segv"
// and "abort" crash the demo at its first pause point.
void write_garbage() {
    const std::string junk =
        "not\ta trace line\n" + std::string(10000, 'x') + "\n\x01\x02\xff\n\t\t\t\n";
    for (std::size_t done = 0; done < junk.size();) {
        ssize_t n = ::write(g_trace_fd, junk.data() + done, junk.size() - done);
        if (n <= 0) break;
        done += std::size_t(n);
    }
}

// "badname": before the script, a daemon thread whose name is not valid UTF-8 and carries
// terminal escape sequences (retitle the window, clear the screen, red text, a bell) starts
// and ends. The host must keep its JSON, exports and terminal output intact.
std::function<void()> with_bad_name(std::function<void()> script) {
    return [script = std::move(script)] {
        auto t = pyrt::make({.target = [] {},
                             .name = "bad\xff\xfe\xc3(name\x1b]0;pwned\x07\x1b[2J\x1b[31m\x9b"
                                     "\xed\xa0\x80\x01"
                                     "end",
                             .daemon = true});
        t->start();
        t->join();
        script();
    };
}

void crash(trace::Fault fault) {
    if (fault == trace::Fault::segv) {
        std::signal(SIGSEGV, SIG_DFL); // past any handler a sanitizer installed: die by it
        std::raise(SIGSEGV);
    }
    if (fault == trace::Fault::abort) std::abort();
}

// --name VALUE: one of E's protocol names, or a usage error.
template <class E>
E parse_choice(std::string_view scenario, const std::string& flag, const std::string& v) {
    auto e = trace::parse<E>(v);
    if (!e || v.empty()) usage_error(scenario, "bad " + flag + ": " + v);
    return *e;
}

} // namespace

const Options& options() {
    return g_options;
}

void step(std::string_view name) {
    using namespace trace;
    const int tid = pyrt::current_thread().ident();
    emit(tid, Kind::step, {{key::name, name}});
    crash(g_options.fault);
    std::lock_guard lock(g_control_mu);
    if (!g_stepping) return;
    emit(tid, Kind::state, {{key::state, trace::name(State::paused)}, {key::step, name}});
    if (read_control() == trace::launch::Control::run) g_stepping = false;
    emit(tid, Kind::state, {{key::state, trace::name(State::running)}});
}

int run(int argc, char** argv, std::string_view scenario, std::function<void()> script) {
    const ScenarioInfo* info = find_scenario(scenario);
    if (!info) usage_error(scenario, "not a scenario of demos/scenarios/scenario_list.hpp");
    // The host may die without cleaning up (even SIGKILL): then so do we. The check of
    // the parent closes the race where it died before prctl() ran.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (const char* host = std::getenv("DAEMONLAB_HOST_PID"))
        if (std::to_string(::getppid()) != host) ::_exit(125);
    std::signal(SIGPIPE, SIG_IGN); // a gone reader is an error code, not a death

    Options& o = g_options;
    o.close = info->close_by_default;
    int& trace_fd = g_trace_fd;
    using namespace trace::launch;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(scenario, a + " needs a value");
            return argv[++i];
        };
        if (a == kUriOption)
            o.uri = value();
        else if (a == kReceiverOption)
            o.receiver = parse_choice<trace::Receiver>(scenario, a, value());
        else if (a == kCloseOption)
            o.close = true;
        else if (a == kNoCloseOption)
            o.close = false;
        else if (a == kConnectInOption)
            o.connect_in = parse_choice<trace::ConnectIn>(scenario, a, value());
        else if (a == kWorkerOption)
            o.worker = parse_choice<trace::Worker>(scenario, a, value());
        else if (a == kWithBlockOption)
            o.with_block = true;
        else if (a == kTraceFdOption)
            trace_fd = parse_fd(scenario, value());
        else if (a == kControlFdOption)
            g_control_fd = parse_fd(scenario, value());
        else if (a == kFaultOption)
            o.fault = parse_choice<trace::Fault>(scenario, a, value());
        else
            usage_error(scenario, "unknown argument: " + a);
    }
    if (o.uri.empty()) usage_error(scenario, std::string(kUriOption) + " is required");
    if (o.worker == trace::Worker::none && o.connect_in == trace::ConnectIn::worker)
        usage_error(scenario, std::string(kConnectInOption) + " worker needs a worker thread");
    g_stepping = g_control_fd >= 0;

    const char* ca = std::getenv("DAEMONLAB_CA");
    wsync::configure(o.receiver, ca ? ca : "");
    trace::open(trace_fd);
    using namespace trace;
    emit(0, Kind::process,
         {{key::version, std::to_string(kVersion)},
          {key::pid, std::to_string(::getpid())},
          {key::engine, name(Engine::model)},
          {key::scenario, scenario},
          {key::receiver, name(o.receiver)}});
    if (o.fault == Fault::garbage && trace_fd >= 0) write_garbage();
    if (o.fault == Fault::badname) script = with_bad_name(std::move(script));
    pyrt::run_main(std::move(script));
}

} // namespace demo
