#include "pyrt.hpp"

#include "../trace/trace.hpp"

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
    std::string on;
    int target;
    int pending;
    bool timeout;
};
thread_local std::vector<StateFrame> t_states;

void emit_state(int tid, const StateFrame* f) {
    if (!f) {
        trace::emit(tid, trace::kind::state, {{"state", "running"}});
        return;
    }
    std::string target = std::to_string(f->target), pending = std::to_string(f->pending);
    trace::emit(tid, trace::kind::state,
                {{"state", "blocked"},
                 {"on", f->on},
                 {"target", target},
                 {"pending", pending},
                 {"timeout", f->timeout ? "1" : "0"}});
}

} // namespace

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
    if (args.daemon) {
        daemon_ = *args.daemon;
        daemon_explicit_ = true;
    } else {
        daemon_ = creator.daemon();
    }
    std::lock_guard lock(r.mu);
    r.threads.push_back(this);
}

Thread::Thread(MainTag) : name_("MainThread"), ident_(registry().next_ident.fetch_add(1)) {
    daemon_explicit_ = true; // the main thread is never a daemon
    started_ = true;
    auto& r = registry();
    std::lock_guard lock(r.mu);
    r.threads.push_back(this);
}

Thread::Thread(DummyTag) : ident_(registry().next_ident.fetch_add(1)) {
    name_ = "Dummy-" + std::to_string(ident_);
    daemon_ = true; // threading._DummyThread: daemonic, always alive
    daemon_explicit_ = true;
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
    daemon_explicit_ = true;
}

std::string Thread::daemon_source() const {
    std::lock_guard lock(mu_);
    if (this == g_main) return "main thread";
    return daemon_explicit_ ? "explicit" : "inherited from " + creator_;
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
    trace::emit(ident_, trace::kind::thread,
                {{"name", name_},
                 {"daemon", daemonic ? "1" : "0"},
                 {"source", daemon_source()},
                 {"creator", creator_}});
    // Detached: nobody joins the OS thread. join() waits on finished_ instead, and the
    // process ends with _exit(), abandoning whatever still runs (the daemon threads).
    std::thread([this] { bootstrap(); }).detach();
}

void Thread::bootstrap() {
    t_current = this;
    trace::emit(ident_, trace::kind::state, {{"state", "running"}});
    try {
        run();
    } catch (const SystemExit&) {
        // sys.exit() in a thread ends just that thread.
    } catch (const std::exception& e) {
        // threading.excepthook: print and let the thread end.
        std::fprintf(stderr, "Exception in thread %s:\n%s\n", name_.c_str(), e.what());
        trace::emit(ident_, trace::kind::error, {{"text", e.what()}});
    }
    trace::emit(ident_, trace::kind::state, {{"state", "done"}});
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
    Blocked b("join", ident_);
    finished_cv_.wait(lock, [&] { return finished_; });
}

bool Thread::join(double timeout_s) {
    if (this == t_current) throw std::runtime_error("cannot join current thread");
    std::unique_lock lock(mu_);
    if (!started_) throw std::runtime_error("cannot join thread before it is started");
    if (finished_) return true;
    Blocked b("join", ident_, -1, true);
    return finished_cv_.wait_for(lock, std::chrono::duration<double>(timeout_s),
                                 [&] { return finished_; });
}

// ---- the interpreter ------------------------------------------------------------------

namespace {

// threading._shutdown(): wait for every non-daemon thread, then the process ends.
[[noreturn]] void shutdown_and_exit(int code) {
    Thread* main_thread = g_main.load();
    const int me = main_thread->ident();
    trace::emit(me, trace::kind::shutdown);
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
        trace::emit(me, trace::kind::shutdown_wait,
                    {{"target", std::to_string(waiting_for->ident())}});
        waiting_for->join();
    }
    // Daemon threads are still running here. _exit() ends them mid-step, as Python's
    // finalization does: no destructors, no atexit, no joins.
    std::fflush(stdout);
    std::fflush(stderr);
    trace::emit(me, trace::kind::exit, {{"code", std::to_string(code)}});
    ::_exit(code);
}

} // namespace

void run_main(std::function<void()> main) {
    current_thread(); // makes g_main
    trace::emit(g_main.load()->ident(), trace::kind::thread,
                {{"name", g_main.load()->name()},
                 {"daemon", "0"},
                 {"source", "main thread"},
                 {"creator", ""}});
    trace::emit(g_main.load()->ident(), trace::kind::state, {{"state", "running"}});

    int code = 0;
    std::string how = "return";
    try {
        main();
    } catch (const SystemExit& e) {
        code = e.code;
        how = "exit";
    } catch (const std::exception& e) {
        // An uncaught exception ends the script with a traceback and status 1; the
        // interpreter still waits for non-daemon threads afterwards.
        std::fprintf(stderr, "Traceback (most recent call last):\n%s\n", e.what());
        trace::emit(g_main.load()->ident(), trace::kind::error, {{"text", e.what()}});
        code = 1;
        how = "exception";
    }
    std::fflush(stdout);
    trace::emit(g_main.load()->ident(), trace::kind::main_end,
                {{"how", how}, {"code", std::to_string(code)}});
    shutdown_and_exit(code);
}

void exit(int code) {
    throw SystemExit{code};
}

void sleep(double seconds) {
    Blocked b("sleep", -1, -1, true);
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

void print(std::string_view text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
    int tid = t_current ? t_current->ident() : -1;
    trace::emit(tid, trace::kind::print, {{"text", text}});
}

// ---- blocking primitives --------------------------------------------------------------

Blocked::Blocked(std::string_view on, int target, int pending, bool timeout) {
    t_states.push_back({std::string(on), target, pending, timeout});
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

bool Event::wait(std::optional<double> timeout_s, std::string_view on) {
    std::unique_lock lock(mu_);
    if (flag_) return true;
    Blocked b(on, -1, -1, timeout_s.has_value());
    if (timeout_s)
        return cv_.wait_for(lock, std::chrono::duration<double>(*timeout_s), [&] { return flag_; });
    cv_.wait(lock, [&] { return flag_; });
    return true;
}

} // namespace pyrt
