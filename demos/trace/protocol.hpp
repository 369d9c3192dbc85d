// protocol.hpp — the trace protocol, defined once (docs/TRACE-PROTOCOL.md says it in words).
//
// Included by both sides: the writer in every demo process (demos/trace/trace.cpp, through
// pyrt and wsync) and the host's reader (lab/model/trace_parser.cpp, lab/model/timeline.cpp). The
// Python tracer (the package demos/python/_daemonlab_tracer/) writes the same names. Each enum has
// exactly one table of names; name() and parse() are the only ways between an enum and its text,
// and the CLI builds its choices from the same tables (choices()).
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

namespace trace {

inline constexpr int kVersion = 1;
// One line, including its '\n', is at most this long: below PIPE_BUF (4096), so one write(2)
// of it is atomic on a pipe and threads emit without a lock.
inline constexpr std::size_t kMaxLine = 4000;

// How the host starts a demo: which fd carries what, the options it passes to the demo (or
// to the Python tracer), and the words of the control pipe in step mode.
namespace launch {
inline constexpr int kTraceFd = 3;   // the trace, written by the demo
inline constexpr int kControlFd = 4; // step mode: the control words, read by the demo
inline constexpr int kStackFd = 5;   // CPython: faulthandler's stack dumps

// The fds' options, given to both engines (the tracer: before "--").
inline constexpr std::string_view kTraceFdOption = "--trace-fd";
inline constexpr std::string_view kControlFdOption = "--control-fd";
inline constexpr std::string_view kStackFdOption = "--stack-fd"; // CPython only
// CPython only: the lessons need websockets of at least this major version; the tracer
// checks it before the program runs and refuses (a `refused what=websockets` event) when not.
inline constexpr std::string_view kNeedWebsocketsOption = "--need-websockets";
// Both engines: the receiver policy (a Names<Receiver> name).
inline constexpr std::string_view kReceiverOption = "--receiver";
// The C++ model demos (demos/scenarios/demo.cpp): the server, the close switch, the
// sandbox's knobs (Names<ConnectIn>, Names<Worker>) and the faults injected to test the host.
inline constexpr std::string_view kUriOption = "--uri";
inline constexpr std::string_view kCloseOption = "--close";
inline constexpr std::string_view kNoCloseOption = "--no-close";
inline constexpr std::string_view kConnectInOption = "--connect-in";
inline constexpr std::string_view kWorkerOption = "--worker";
inline constexpr std::string_view kWithBlockOption = "--with-block";
inline constexpr std::string_view kFaultOption = "--fault";
// The Python tracer: a pause point (NAME=LINE), and the end of its options (the program
// and its arguments follow).
inline constexpr std::string_view kPauseOption = "--pause";
inline constexpr std::string_view kEndOfOptions = "--";

// The control pipe: one word a line. kGo lets the thread past the pause point it waits at,
// kRun past every later one too; end of file (or a read error) means kRun. Any other line
// (spaces, tabs and CR around a word do not count; a line over kMaxControlLine bytes is
// never a word) is ignored and the thread goes on waiting for the next line: a host newer
// than the demo may send a word the demo does not know, and the only safe answer to a
// command one does not understand is to do nothing. Taking it as kGo or kRun would carry
// out a command nobody gave (kRun would even end step mode for good); ignored, the thread
// stays `paused` on the trace, so the host sees that the word did nothing, and kGo, kRun or
// closing the pipe still work. docs/TRACE-PROTOCOL.md, "Control".
inline constexpr std::string_view kGo = "go";
inline constexpr std::string_view kRun = "run";
inline constexpr std::size_t kMaxControlLine = 256;
enum class Control { go, run };

// One line of the control pipe (without its LF, at most kMaxControlLine bytes) as a word;
// nullopt: not a word (ignored).
constexpr std::optional<Control> parse_control(std::string_view line) {
    constexpr std::string_view blank = " \t\r";
    const std::size_t a = line.find_first_not_of(blank);
    if (a == std::string_view::npos) return std::nullopt;
    line = line.substr(a, line.find_last_not_of(blank) + 1 - a);
    if (line == kGo) return Control::go;
    if (line == kRun) return Control::run;
    return std::nullopt;
}
} // namespace launch

// What an event says (the third field of a line).
enum class Kind {
    process,          // version= pid= engine= scenario=|program= python= receiver= [parent= role=]
    library,          // name= version= path=
    thread,           // name= daemon=0|1 source= creator= creator-tid= ident= site= origin=
                      // target= pid=
    state,            // state= [on= target= pending= timeout= deadline= at= call=] [step=]
    connected,        // uri=
    message,          // text=
    print,            // text=
    closed,           // code= reason=
    step,             // name=
    main_end,         // how= code= [exception= text=]
    threading_atexit, // name=
    shutdown,         //
    shutdown_wait,    // target=
    atexit_register,  // name=
    atexit,           // name=
    exit,             // code=
    error,            // text=
    tracer_error,     // where= exception= text=
    cut_off,          // at=  (a daemon thread still alive as the process ends)
    refused,          // what= text= [version=]: the program was not run (Refusal)
    snapshot,         // stage= threads= (daemonlab attach's reporter: its last line)
};

// Why a program was not run (refused what=): the program is not a runnable file (bad
// input), the interpreter is missing or too old, or the lessons' websockets is missing or
// too old (failures to run).
enum class Refusal { program, python, websockets };

// A thread's state (state=).
enum class State { running, blocked, paused, done };

// What a blocked thread waits for (on=).
enum class Wait {
    socket_read,
    ssl_read,
    connect,
    send,
    close,
    message,
    event,
    condition,
    lock,
    queue_get,
    join,
    sleep,
    select,
    process,    // a child process to end (Process.join, os.waitpid): target= its pid
    pipe_read,  // an anonymous pipe (multiprocessing's Queue): only the program's processes
    pipe_write, // hold its other end
};

// Where a thread's daemon flag came from (source=).
enum class DaemonSource {
    main,      // the main thread: never a daemon
    explicit_, // daemon= given to the constructor
    assigned,  // .daemon set before start()
    inherited, // no flag given: copied from the creating thread
    dummy,     // a thread threading did not start: always daemonic
    unknown,   // not started under the tracer (daemonlab attach): how is not known
};

// How websockets' recv_events thread gets its daemon flag (receiver=).
enum class Receiver {
    inherit,    // no argument: the creator's flag (websockets <= 12.0)
    daemon,     // daemon=True (>= 13.0)
    non_daemon, // daemon=False
    library,    // whatever the installed library does (Python engine only)
};

// How the main program ended (how=).
enum class MainEnd { return_, exit, exception };

// The engine that wrote the trace (engine=).
enum class Engine { model, cpython };

// The demo's own switches, from the host's command line (the sandbox scenario's knobs and
// the faults injected to test the host): part of the host → demo contract, not of the trace.
enum class ConnectIn { main, worker };                    // --connect-in: who calls connect()
enum class Worker { none, daemon, non_daemon };           // --worker: the sandbox's worker thread
enum class Fault { none, segv, abort, garbage, badname }; // --fault

// The field keys.
namespace key {
inline constexpr std::string_view version = "version", pid = "pid", engine = "engine",
                                  scenario = "scenario", program = "program", python = "python",
                                  receiver = "receiver", name = "name", path = "path",
                                  daemon = "daemon", source = "source", creator = "creator",
                                  creator_tid = "creator-tid", ident = "ident", site = "site",
                                  origin = "origin", target = "target", state = "state", on = "on",
                                  pending = "pending", timeout = "timeout", at = "at",
                                  step = "step", uri = "uri", text = "text", code = "code",
                                  reason = "reason", how = "how", exception = "exception",
                                  where = "where", deadline = "deadline", call = "call",
                                  what = "what", stage = "stage", threads = "threads",
                                  parent = "parent", role = "role";
} // namespace key

// ---- the one table per enum -------------------------------------------------------------

template <class E>
struct Names; // Names<E>::table: every value with its protocol text

template <class E, std::size_t N>
using Table = std::array<std::pair<E, std::string_view>, N>;

template <>
struct Names<Kind> {
    static constexpr Table<Kind, 21> table = {{
        {Kind::process, "process"},
        {Kind::library, "library"},
        {Kind::thread, "thread"},
        {Kind::state, "state"},
        {Kind::connected, "connected"},
        {Kind::message, "message"},
        {Kind::print, "print"},
        {Kind::closed, "closed"},
        {Kind::step, "step"},
        {Kind::main_end, "main-end"},
        {Kind::threading_atexit, "threading-atexit"},
        {Kind::shutdown, "shutdown"},
        {Kind::shutdown_wait, "shutdown-wait"},
        {Kind::atexit_register, "atexit-register"},
        {Kind::atexit, "atexit"},
        {Kind::exit, "exit"},
        {Kind::error, "error"},
        {Kind::tracer_error, "tracer-error"},
        {Kind::cut_off, "cut-off"},
        {Kind::refused, "refused"},
        {Kind::snapshot, "snapshot"},
    }};
};

template <>
struct Names<Refusal> {
    static constexpr Table<Refusal, 3> table = {{
        {Refusal::program, "program"},
        {Refusal::python, "python"},
        {Refusal::websockets, "websockets"},
    }};
};

template <>
struct Names<State> {
    static constexpr Table<State, 4> table = {{
        {State::running, "running"},
        {State::blocked, "blocked"},
        {State::paused, "paused"},
        {State::done, "done"},
    }};
};

template <>
struct Names<Wait> {
    static constexpr Table<Wait, 16> table = {{
        {Wait::socket_read, "socket-read"},
        {Wait::ssl_read, "ssl-read"},
        {Wait::connect, "connect"},
        {Wait::send, "send"},
        {Wait::close, "close"},
        {Wait::message, "message"},
        {Wait::event, "event"},
        {Wait::condition, "condition"},
        {Wait::lock, "lock"},
        {Wait::queue_get, "queue-get"},
        {Wait::join, "join"},
        {Wait::sleep, "sleep"},
        {Wait::select, "select"},
        {Wait::process, "process"},
        {Wait::pipe_read, "pipe-read"},
        {Wait::pipe_write, "pipe-write"},
    }};
};

template <>
struct Names<DaemonSource> {
    static constexpr Table<DaemonSource, 6> table = {{
        {DaemonSource::main, "main"},
        {DaemonSource::explicit_, "explicit"},
        {DaemonSource::assigned, "assigned"},
        {DaemonSource::inherited, "inherited"},
        {DaemonSource::dummy, "dummy"},
        {DaemonSource::unknown, "unknown"},
    }};
};

template <>
struct Names<Receiver> {
    static constexpr Table<Receiver, 4> table = {{
        {Receiver::inherit, "inherit"},
        {Receiver::daemon, "daemon"},
        {Receiver::non_daemon, "non-daemon"},
        {Receiver::library, "library"},
    }};
};

template <>
struct Names<MainEnd> {
    static constexpr Table<MainEnd, 3> table = {{
        {MainEnd::return_, "return"},
        {MainEnd::exit, "exit"},
        {MainEnd::exception, "exception"},
    }};
};

template <>
struct Names<Engine> {
    static constexpr Table<Engine, 2> table = {{
        {Engine::model, "model"},
        {Engine::cpython, "cpython"},
    }};
};

template <>
struct Names<ConnectIn> {
    static constexpr Table<ConnectIn, 2> table = {{
        {ConnectIn::main, "main"},
        {ConnectIn::worker, "worker"},
    }};
};

template <>
struct Names<Worker> {
    static constexpr Table<Worker, 3> table = {{
        {Worker::none, "none"},
        {Worker::daemon, "daemon"},
        {Worker::non_daemon, "non-daemon"},
    }};
};

template <>
struct Names<Fault> {
    static constexpr Table<Fault, 5> table = {{
        {Fault::none, ""},
        {Fault::segv, "segv"},
        {Fault::abort, "abort"},
        {Fault::garbage, "garbage"},
        {Fault::badname, "badname"}, // a thread named with invalid UTF-8 and terminal escapes
    }};
};

template <class E>
constexpr std::string_view name(E e) {
    for (const auto& [value, text] : Names<E>::table)
        if (value == e) return text;
    return "?";
}

template <class E>
constexpr std::optional<E> parse(std::string_view text) {
    for (const auto& [value, t] : Names<E>::table)
        if (t == text) return value;
    return std::nullopt;
}

// Every name of E, in table order, for choices shown to people (CLI, tests).
template <class E>
std::vector<std::string_view> names() {
    std::vector<std::string_view> out;
    for (const auto& entry : Names<E>::table) out.push_back(entry.second);
    return out;
}

// The fields each kind may carry (docs/TRACE-PROTOCOL.md); a reader counts any other.
constexpr bool known_field(Kind k, std::string_view f) {
    auto any = [f](std::initializer_list<std::string_view> keys) {
        for (std::string_view key : keys)
            if (key == f) return true;
        return false;
    };
    namespace K = key;
    switch (k) {
    case Kind::process:
        return any({K::version, K::pid, K::engine, K::scenario, K::program, K::python, K::receiver,
                    K::parent, K::role});
    case Kind::library:
        return any({K::name, K::version, K::path});
    case Kind::thread:
        return any({K::name, K::daemon, K::source, K::creator, K::creator_tid, K::ident, K::site,
                    K::origin, K::target, K::pid});
    case Kind::state:
        return any({K::state, K::on, K::target, K::pending, K::timeout, K::deadline, K::at, K::call,
                    K::step});
    case Kind::connected:
        return f == K::uri;
    case Kind::message:
    case Kind::print:
    case Kind::error:
        return f == K::text;
    case Kind::closed:
        return any({K::code, K::reason});
    case Kind::step:
    case Kind::threading_atexit:
    case Kind::atexit_register:
    case Kind::atexit:
        return f == K::name;
    case Kind::main_end:
        return any({K::how, K::code, K::exception, K::text});
    case Kind::shutdown:
        return false;
    case Kind::shutdown_wait:
        return f == K::target;
    case Kind::exit:
        return f == K::code;
    case Kind::tracer_error:
        return any({K::where, K::exception, K::text});
    case Kind::cut_off:
        return f == K::at;
    case Kind::refused:
        return any({K::what, K::text, K::version});
    case Kind::snapshot:
        return any({K::stage, K::threads});
    }
    return false;
}

} // namespace trace
