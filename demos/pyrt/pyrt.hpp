// pyrt.hpp — a small model of CPython's threading module, in C++.
//
// C++ has no daemon threads, so this models the interpreter (compare Lib/threading.py):
//
//   * Thread(target=None, name=None, daemon=None): when `daemon` is not given, the new
//     thread copies the flag of current_thread(), the thread that *creates* it.
//   * The flag can change until start(); after that set_daemon() throws (RuntimeError).
//   * run_main() plays the interpreter: it runs the script's main function, then
//     _shutdown(): join every non-daemon thread still alive, in creation order, then end
//     the process at once with _exit(). That abrupt end is what "kills" daemon threads.
//
// Every blocking call reports what the thread waits on, through demos/trace, so the host
// can draw it and tell a hang from a wait that will end.
#pragma once

#include "demos/trace/protocol.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace pyrt {

class Thread;

// threading.current_thread()
Thread& current_thread();

// The interpreter. Runs `main` as the script, in the process's main thread, then
// _shutdown(). Never returns: the process ends with the script's exit code.
[[noreturn]] void run_main(std::function<void()> main);

// Thread(target=..., name=..., daemon=...): the keyword arguments.
struct ThreadArgs {
    std::function<void()> target = {};
    std::string name = {};
    std::optional<bool> daemon = std::nullopt; // None: copy current_thread().daemon
};

// A thread object. Create it with make<T>(...) (shared ownership: like a Python object it
// lives as long as anything, the interpreter included, still refers to it).
class Thread {
  public:
    using Args = ThreadArgs;

    explicit Thread(Args args = {});
    Thread(const Thread&) = delete;
    Thread& operator=(const Thread&) = delete;
    virtual ~Thread();

    void start();
    void join();
    bool join(double timeout_s); // true when the thread has finished
    bool is_alive() const;

    const std::string& name() const { return name_; }
    int ident() const { return ident_; }
    bool daemon() const;
    void set_daemon(bool daemonic); // like `self.daemon = ...`; throws once started
    // Where the flag came from: explicit (daemon=), assigned (set_daemon before start()),
    // inherited (from creator()), main, or dummy.
    trace::DaemonSource daemon_source() const;
    const std::string& creator() const { return creator_; }
    int creator_ident() const { return creator_ident_; } // -1: none (the main thread)

  protected:
    virtual void run(); // calls target

  private:
    friend class MainThread;
    friend void run_main(std::function<void()>);
    friend Thread& current_thread();
    struct MainTag {};
    struct DummyTag {};
    explicit Thread(MainTag);
    explicit Thread(DummyTag);
    void bootstrap();

    std::function<void()> target_;
    std::string name_;
    std::string creator_; // name of the thread that constructed this one
    int creator_ident_ = -1;
    int ident_;
    bool daemon_ = false;
    trace::DaemonSource source_ = trace::DaemonSource::inherited;

    mutable std::mutex mu_;
    std::condition_variable finished_cv_;
    bool started_ = false;
    bool finished_ = false;
};

// The interpreter keeps a reference to every thread object (as threading._active does), so
// a thread never outlives its object, whatever the script does with its own references.
void keep_alive(std::shared_ptr<Thread> thread);

// Create a thread object (or one of a subclass) that stays alive while it runs.
template <class T = Thread, class... A>
std::shared_ptr<T> make(A&&... a) {
    auto t = std::make_shared<T>(std::forward<A>(a)...);
    keep_alive(t);
    return t;
}
inline std::shared_ptr<Thread> make(Thread::Args args) {
    return make<Thread>(std::move(args));
}

// sys.exit(code): in the main thread it ends the script (shutdown follows); in another
// thread it ends only that thread, silently, as SystemExit does in Python.
struct SystemExit {
    int code = 0;
};
[[noreturn]] void exit(int code = 0);

// atexit.register(func): `func` runs at exit, after the interpreter has joined every
// non-daemon thread (Py_FinalizeEx: wait_for_thread_shutdown(), then the atexit handlers),
// newest first. `name` is what the timeline calls it ("ws.close").
void atexit_register(std::string name, std::function<void()> func);

// time.sleep(seconds)
void sleep(double seconds);

// print(text): stdout, and a trace event so the host sees it.
void print(std::string_view text);

// Reports that the current thread blocks on something until the scope ends.
//   on:      what it waits for (socket read, message, join, sleep, event, ...)
//   target:  the thread it waits for (join), or -1
//   pending: how many replies it still expects (socket reads), or -1 when unknown
//   timeout: whether the wait has a deadline (a wait with one always ends)
class Blocked {
  public:
    explicit Blocked(trace::Wait on, int target = -1, int pending = -1, bool timeout = false);
    ~Blocked();
    // The current thread is still blocked the same way, but now expects `pending` replies.
    static void set_pending(int pending);
    Blocked(const Blocked&) = delete;
    Blocked& operator=(const Blocked&) = delete;
};

// threading.Event
class Event {
  public:
    void set();
    void clear();
    bool is_set() const;
    // Returns the flag; with a timeout it may return false.
    bool wait(std::optional<double> timeout_s = std::nullopt, trace::Wait on = trace::Wait::event);

  private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool flag_ = false;
};

// queue.Queue, just what the client needs: put, get (blocking, optional timeout), close.
template <class T>
class Queue {
  public:
    void put(T item) {
        std::lock_guard lock(mu_);
        items_.push_back(std::move(item));
        cv_.notify_one();
    }
    // No more items will come: waiting getters wake up with nullopt.
    void close() {
        std::lock_guard lock(mu_);
        closed_ = true;
        cv_.notify_all();
    }
    // nullopt when closed and drained, or when the timeout passes.
    std::optional<T> get(std::optional<double> timeout_s = std::nullopt,
                         trace::Wait on = trace::Wait::message) {
        std::unique_lock lock(mu_);
        if (items_.empty() && !closed_) {
            Blocked b(on, -1, -1, timeout_s.has_value());
            auto ready = [&] { return !items_.empty() || closed_; };
            if (timeout_s) {
                cv_.wait_for(lock, std::chrono::duration<double>(*timeout_s), ready);
            } else {
                cv_.wait(lock, ready);
            }
        }
        if (items_.empty()) return std::nullopt;
        T item = std::move(items_.front());
        items_.pop_front();
        return item;
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<T> items_;
    bool closed_ = false;
};

} // namespace pyrt
