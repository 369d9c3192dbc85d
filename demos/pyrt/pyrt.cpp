#include "demos/pyrt/pyrt.hpp"

#include "demos/trace/trace.hpp"

#include <atomic>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <sys/types.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace pyrt {
namespace {

// The interpreter's view of its threads, like threading._active plus _limbo, in creation
// order (which is the order _shutdown joins them in).
struct Registry {
    std::mutex mu;
    std::vector<Thread*> threads;              // every thread object ever made
    std::vector<std::shared_ptr<Thread>> refs; // keeps them alive (see keep_alive)
    std::atomic<int> next_ident{0};
    std::atomic<int> counter{0}; // for default names "Thread-N"
};
Registry& registry() {
    static Registry* r = new Registry; // never destroyed: threads may outlive main's return
    return *r;
}

thread_local Thread* t_current = nullptr;
std::atomic<Thread*> g_main{nullptr}; // set once, before any other thread starts

// The per-thread stack of blocked states, so nested waits restore the outer one.
struct StateFrame {
    trace::Wait on;
    int target;
    int pending;
    bool timeout;
};
thread_local std::vector<StateFrame> t_states;

void emit_state(int tid, const StateFrame* f) {
    using namespace trace;
    if (!f) {
        emit(tid, Kind::state, {{key::state, name(State::running)}});
        return;
    }
    std::string target = std::to_string(f->target), pending = std::to_string(f->pending);
    emit(tid, Kind::state,
         {{key::state, name(State::blocked)},
          {key::on, name(f->on)},
          {key::target, target},
          {key::pending, pending},
          {key::timeout, f->timeout ? "1" : "0"}});
}

// atexit's handlers, in registration order (they run newest first).
struct AtExit {
    std::string name;
    std::function<void()> func;
};
std::mutex g_atexit_mu;
std::vector<AtExit> g_atexit;

} // namespace

// The `thread` event: who the thread is and where its flag came from.
static void emit_thread(const Thread& t, bool daemonic) {
    using namespace trace;
    emit(t.ident(), Kind::thread,
         {{key::name, t.name()},
          {key::daemon, daemonic ? "1" : "0"},
          {key::source, name(t.daemon_source())},
          {key::creator, t.creator()},
          {key::creator_tid, t.creator_ident() >= 0 ? std::to_string(t.creator_ident()) : ""}});
}

void keep_alive(std::shared_ptr<Thread> thread) {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.refs.push_back(std::move(thread));
}

Thread& current_thread() {
    if (!t_current) {
        // Like threading.py: the process's main thread is _MainThread (made on first use);
        // any other thread pyrt did not start is a _DummyThread, which is a daemon.
        if (::gettid() == ::getpid()) {
            static Thread* main_thread = new Thread(Thread::MainTag{});
            g_main = main_thread;
            t_current = main_thread;
        } else {
            auto dummy = std::shared_ptr<Thread>(new Thread(Thread::DummyTag{}));
            t_current = dummy.get();
            keep_alive(std::move(dummy));
        }
    }
    return *t_current;
}

// ---- Thread ---------------------------------------------------------------------------

Thread::Thread(Args args) : target_(std::move(args.target)) {
    auto& r = registry();
    ident_ = r.next_ident.fetch_add(1);
    name_ = args.name.empty() ? "Thread-" + std::to_string(r.counter.fetch_add(1) + 1)
                              : std::move(args.name);
    // The heart of the matter (threading.py, Thread.__init__):
    //     if daemon is not None: self._daemonic = daemon
    //     else:                  self._daemonic = current_thread().daemon
    Thread& creator = current_thread();
    creator_ = creator.name();
    creator_ident_ = creator.ident();
    if (args.daemon) {
        daemon_ = *args.daemon;
        source_ = trace::DaemonSource::explicit_;
    } else {
        daemon_ = creator.daemon();
        source_ = trace::DaemonSource::inherited;
    }
    std::lock_guard lock(r.mu);
    r.threads.push_back(this);
}

Thread::Thread(MainTag) : name_("MainThread"), ident_(registry().next_ident.fetch_add(1)) {
    source_ = trace::DaemonSource::main; // the main thread is never a daemon
    started_ = true;
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.threads.push_back(this);
}

Thread::Thread(DummyTag) : ident_(registry().next_ident.fetch_add(1)) {
    name_ = "Dummy-" + std::to_string(ident_);
    daemon_ = true; // threading._DummyThread: daemonic, always alive
    source_ = trace::DaemonSource::dummy;
    started_ = true;
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.threads.push_back(this);
}

Thread::~Thread() {
    auto& r = registry();
    std::lock_guard lock(r.mu);
    std::erase(r.threads, this);
}

bool Thread::daemon() const {
    std::lock_guard lock(mu_);
    return daemon_;
}

void Thread::set_daemon(bool daemonic) {
    std::lock_guard lock(mu_);
    if (started_) throw std::runtime_error("cannot set daemon status of active thread");
    daemon_ = daemonic;
    source_ = trace::DaemonSource::assigned;
}

trace::DaemonSource Thread::daemon_source() const {
    std::lock_guard lock(mu_);
    return source_;
}

bool Thread::is_alive() const {
    std::lock_guard lock(mu_);
    return started_ && !finished_;
}

void Thread::start() {
    bool daemonic;
    {
        std::lock_guard lock(mu_);
        if (started_) throw std::runtime_error("threads can only be started once");
        started_ = true;
        daemonic = daemon_;
    }
    emit_thread(*this, daemonic);
    // Detached: nobody joins the OS thread. join() waits on finished_ instead, and the
    // process ends with _exit(), abandoning whatever still runs (the daemon threads).
    std::thread([this] { bootstrap(); }).detach();
}

void Thread::bootstrap() {
    t_current = this;
    trace::emit(ident_, trace::Kind::state,
                {{trace::key::state, trace::name(trace::State::running)}});
    try {
        run();
    } catch (const SystemExit&) {
        // sys.exit() in a thread ends just that thread.
    } catch (const std::exception& e) {
        // threading.excepthook: print and let the thread end.
        std::fprintf(stderr, "Exception in thread %s:\n%s\n", name_.c_str(), e.what());
        trace::emit(ident_, trace::Kind::error, {{trace::key::text, e.what()}});
    }
    trace::emit(ident_, trace::Kind::state, {{trace::key::state, trace::name(trace::State::done)}});
    std::lock_guard lock(mu_);
    finished_ = true;
    finished_cv_.notify_all();
}

void Thread::run() {
    if (target_) target_();
}

void Thread::join() {
    if (this == t_current) throw std::runtime_error("cannot join current thread");
    std::unique_lock lock(mu_);
    if (!started_) throw std::runtime_error("cannot join thread before it is started");
    if (finished_) return;
    Blocked b(trace::Wait::join, ident_);
    finished_cv_.wait(lock, [&] { return finished_; });
}

bool Thread::join(double timeout_s) {
    if (this == t_current) throw std::runtime_error("cannot join current thread");
    std::unique_lock lock(mu_);
    if (!started_) throw std::runtime_error("cannot join thread before it is started");
    if (finished_) return true;
    Blocked b(trace::Wait::join, ident_, -1, true);
    return finished_cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                 [&] { return finished_; });
}

// ---- the interpreter ------------------------------------------------------------------

namespace {

// Py_FinalizeEx: threading._shutdown() waits for every non-daemon thread, then the atexit
// handlers run, newest first, then the process ends.
[[noreturn]] void shutdown_and_exit(int code) {
    Thread* main_thread = g_main.load();
    const int me = main_thread->ident();
    trace::emit(me, trace::Kind::shutdown);
    for (;;) {
        // Threads started while we wait count too: look again after every join.
        Thread* waiting_for = nullptr;
        {
            auto& r = registry();
            std::lock_guard lock(r.mu);
            for (Thread* t : r.threads)
                if (t != main_thread && !t->daemon() && t->is_alive()) {
                    waiting_for = t;
                    break;
                }
        }
        if (!waiting_for) break;
        trace::emit(me, trace::Kind::shutdown_wait,
                    {{trace::key::target, std::to_string(waiting_for->ident())}});
        waiting_for->join();
    }
    // Only now, with no non-daemon thread left, do the atexit handlers run.
    std::vector<AtExit> handlers;
    {
        std::lock_guard lock(g_atexit_mu);
        handlers.swap(g_atexit);
    }
    for (auto it = handlers.rbegin(); it != handlers.rend(); ++it) {
        trace::emit(me, trace::Kind::atexit, {{trace::key::name, it->name}});
        try {
            it->func();
        } catch (const std::exception& e) {
            // atexit prints the exception and goes on with the next handler.
            std::fprintf(stderr, "Exception ignored in atexit callback %s:\n%s\n", it->name.c_str(),
                         e.what());
        }
    }
    // Daemon threads are still running here. _exit() ends them mid-step, as Python's
    // finalization does: no destructors, no atexit, no joins.
    std::fflush(stdout);
    std::fflush(stderr);
    trace::emit(me, trace::Kind::exit, {{trace::key::code, std::to_string(code)}});
    ::_exit(code);
}

} // namespace

void run_main(std::function<void()> main) {
    using trace::MainEnd;
    current_thread(); // makes g_main
    const int me = g_main.load()->ident();
    emit_thread(*g_main.load(), false);
    trace::emit(me, trace::Kind::state, {{trace::key::state, trace::name(trace::State::running)}});

    int code = 0;
    MainEnd how = MainEnd::return_;
    try {
        main();
    } catch (const SystemExit& e) {
        code = e.code;
        how = MainEnd::exit;
    } catch (const std::exception& e) {
        // An uncaught exception ends the script with a traceback and status 1; the
        // interpreter still waits for non-daemon threads afterwards.
        std::fprintf(stderr, "Traceback (most recent call last):\n%s\n", e.what());
        trace::emit(me, trace::Kind::error, {{trace::key::text, e.what()}});
        code = 1;
        how = MainEnd::exception;
    }
    std::fflush(stdout);
    trace::emit(me, trace::Kind::main_end,
                {{trace::key::how, name(how)}, {trace::key::code, std::to_string(code)}});
    shutdown_and_exit(code);
}

void exit(int code) {
    throw SystemExit{code};
}

void atexit_register(std::string name, std::function<void()> func) {
    int tid = t_current ? t_current->ident() : -1;
    trace::emit(tid, trace::Kind::atexit_register, {{trace::key::name, name}});
    std::lock_guard lock(g_atexit_mu);
    g_atexit.push_back({std::move(name), std::move(func)});
}

void sleep(double seconds) {
    Blocked b(trace::Wait::sleep, -1, -1, true);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

void print(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    int tid = t_current ? t_current->ident() : -1;
    trace::emit(tid, trace::Kind::print, {{trace::key::text, text}});
}

// ---- blocking primitives --------------------------------------------------------------

Blocked::Blocked(trace::Wait on, int target, int pending, bool timeout) {
    t_states.push_back({on, target, pending, timeout});
    if (t_current) emit_state(t_current->ident(), &t_states.back());
}

void Blocked::set_pending(int pending) {
    if (t_states.empty() || t_states.back().pending == pending) return;
    t_states.back().pending = pending;
    if (t_current) emit_state(t_current->ident(), &t_states.back());
}

Blocked::~Blocked() {
    t_states.pop_back();
    if (t_current) emit_state(t_current->ident(), t_states.empty() ? nullptr : &t_states.back());
}

void Event::set() {
    // Notify while holding the lock: a waiter that wakes may destroy this Event at once
    // (it often lives on the waiter's stack), so set() must be done with it by then.
    std::lock_guard lock(mu_);
    flag_ = true;
    cv_.notify_all();
}

void Event::clear() {
    std::lock_guard lock(mu_);
    flag_ = false;
}

bool Event::is_set() const {
    std::lock_guard lock(mu_);
    return flag_;
}

bool Event::wait(std::optional<double> timeout_s, trace::Wait on) {
    std::unique_lock lock(mu_);
    if (flag_) return true;
    Blocked b(on, -1, -1, timeout_s.has_value());
    if (timeout_s)
        return cv_.wait_for(lock, std::chrono::duration<double>(*timeout_s), [&] { return flag_; });
    cv_.wait(lock, [&] { return flag_; });
    return true;
}

} // namespace pyrt
