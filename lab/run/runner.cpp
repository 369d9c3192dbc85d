#include "lab/run/runner.hpp"

#include "lab/model/trace_parser.hpp"
#include "lab/run/process_tree.hpp"
#include "lab/run/python_engine.hpp"
#include "lab/run/spawn.hpp"
#include "lab/run/spawn_hygiene.hpp"
#include "lab/run/watch.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace lab {

namespace {

constexpr std::size_t kOutputCap = 64 * 1024;
constexpr std::size_t kStackCap = 256 * 1024;

// Reads what `fd` holds into `buf`: the bytes read, 0 when interrupted, -1 at EOF (or error).
ssize_t read_some(int fd, char* buf, std::size_t size) {
    const ssize_t n = ::read(fd, buf, size);
    if (n < 0 && errno == EINTR) return 0;
    return n <= 0 ? -1 : n;
}

// The watcher thread's side of a live run: the demo's pipes read into the run's state, the
// Watch fed with what is seen, and its actions done. The state is shared with snapshot()
// under `mu`; only this thread writes it.
class Watcher {
  public:
    struct Shared {
        std::mutex& mu;
        RunState& state;
        std::condition_variable& done;
        const std::function<void()>& on_change;
        int cmd_fd;
    };
    Watcher(Shared shared, Spawned sp, const RunOptions& opt)
        : s_(shared), sp_(std::move(sp)), watch_(opt, sp_.spawned_ns) {}

    // Until the process is gone; then the final verdict.
    void run() {
        siginfo_t info = loop();
        finish(info);
    }

  private:
    siginfo_t loop();
    void finish(const siginfo_t& info);
    bool read_trace();
    void trace_ended();
    void look_at_tree(std::int64_t now);
    bool read_output();
    bool read_stacks();
    void read_commands();
    void perform(const WatchActions& a);
    void send_control(std::string_view word);
    void changed() {
        if (s_.on_change) s_.on_change();
    }

    Shared s_;
    Spawned sp_;
    Watch watch_;
    TraceReader reader_;
    int paused_tid_ = -1; // step mode: the thread waiting at a pause point
    std::int64_t first_kill_ns_ = -1;
    std::int64_t tree_seen_ns_ = -1; // the process tree was last read then
    std::string stacks_;             // cpython: faulthandler's dump, asked for at a suspected hang
    char buf_[16384];
};

// Ends the demo. Through the launcher (the real interpreter), a first SIGTERM to it: it kills
// the program's whole tree, orphans that left the group included, then itself. Directly, or
// when the launcher has not done so in kLauncherGraceNs: SIGKILL to the demo itself (through
// its pidfd when there is one) and to its process group. The group alone is not enough: a
// program may leave it (setpgid, setsid), and the group is then empty or not its own.
constexpr std::int64_t kLauncherGraceNs = 1'000'000'000;

int send_signal(const Spawned& sp, int sig) {
    if (sp.pidfd.fd >= 0)
        return int(::syscall(SYS_pidfd_send_signal, sp.pidfd.fd, sig, nullptr, 0));
    return ::kill(sp.pid, sig); // not reaped yet: the pid is still ours
}

void kill_hard(const Spawned& sp, bool launcher_first) {
    if (sp.launcher && launcher_first && send_signal(sp, SIGTERM) == 0) return;
    if (sp.pidfd.fd < 0 || ::syscall(SYS_pidfd_send_signal, sp.pidfd.fd, SIGKILL, nullptr, 0) != 0)
        ::kill(sp.pid, SIGKILL);
    ::kill(-sp.pid, SIGKILL);
}

void Watcher::send_control(std::string_view word) {
    if (sp_.control.fd < 0) return;
    const std::string line = std::string(word) + '\n';
    ssize_t r;
    do r = ::write(sp_.control.fd, line.data(), line.size());
    while (r < 0 && errno == EINTR);
    if (r < 0 && errno == EPIPE) { // the demo is gone (its verdict follows from the pidfd)
        drop_pending_sigpipe();
        sp_.control.reset();
    }
}

void Watcher::perform(const WatchActions& a) {
    if (a.kill) {
        const std::int64_t now = monotonic_ns();
        if (first_kill_ns_ < 0) first_kill_ns_ = now;
        kill_hard(sp_, now - first_kill_ns_ < kLauncherGraceNs);
    }
    if (a.request_stacks) {
        stacks_.clear();
        request_stacks(sp_);
    }
    for (std::string_view word : a.control) send_control(word);
    if (a.close_control) sp_.control.reset(); // EOF: run on, whatever comes
    if (a.verdict_changed) {
        {
            std::lock_guard lock(s_.mu);
            s_.state.verdict = watch_.verdict();
        }
        s_.done.notify_all();
        changed();
    }
}

// Reads what the trace pipe holds; false at EOF.
bool Watcher::read_trace() {
    const ssize_t n = read_some(sp_.trace.fd, buf_, sizeof buf_);
    if (n <= 0) return n == 0;
    std::lock_guard lock(s_.mu);
    RunState& st = s_.state;
    reader_.feed(std::string_view(buf_, std::size_t(n)), [&](TraceEvent&& e) {
        st.timeline.apply(e);
        // One thread pauses at a time (the demo holds a lock there); only that thread going
        // on ends the pause, not the others' comings and goings meanwhile.
        if (e.kind != trace::Kind::state) return;
        if (e.get_enum<ThreadState>(trace::key::state) == ThreadState::paused) {
            st.paused_at = e.get(trace::key::step);
            paused_tid_ = e.tid;
        } else if (e.tid == paused_tid_) {
            st.paused_at.clear();
            paused_tid_ = -1;
        }
    });
    st.malformed = reader_.malformed();
    // cpython: the versions, as the tracer found them (no separate start to ask), and what it
    // refused, in its words.
    const ProcessInfo& p = st.timeline.process();
    st.python.version = p.python;
    st.python.websockets = p.library_version;
    if (const auto& r = st.timeline.refusal()) st.python.error = r->text;
    if (watch_.on_trace(st.timeline, monotonic_ns()).verdict_changed) st.verdict = watch_.verdict();
    return true;
}

// EOF on the trace. At the process's end the kernel closes its fds just before it becomes a
// zombie (and the launcher ends right after the program): an end that follows within
// kTraceEofToExitNs is that. A process that still runs then has lost its trace: the program
// closed fd 3 or put something else there (dup2).
constexpr int kTraceEofToExitMs = 250;

void Watcher::trace_ended() {
    sp_.trace.reset(); // fd -1: poll ignores it
    const std::int64_t at = monotonic_ns();
    if (sp_.pidfd.fd < 0) return; // without a pidfd, no telling: say nothing
    pollfd p{sp_.pidfd.fd, POLLIN, 0};
    int r;
    do r = ::poll(&p, 1, kTraceEofToExitMs);
    while (r < 0 && errno == EINTR);
    if (r != 0) return; // it ended: the trace was whole
    std::lock_guard lock(s_.mu);
    s_.state.timeline.trace_lost_at(at);
}

// The run's processes, read again at most every kTreeEveryNs, or kTreeSuspectNs while a hang
// is suspected (the other end of a wait on I/O may be one of them, and may end).
constexpr std::int64_t kTreeEveryNs = 500'000'000, kTreeSuspectNs = 50'000'000;

void Watcher::look_at_tree(std::int64_t now) {
    const std::int64_t every = watch_.suspecting() ? kTreeSuspectNs : kTreeEveryNs;
    if (tree_seen_ns_ >= 0 && now - tree_seen_ns_ < every) return;
    tree_seen_ns_ = now;
    std::vector<TreeProcess> tree =
        process_tree(sp_.pid, sp_.launcher, s_.state.timeline.process().pid);
    std::lock_guard lock(s_.mu);
    s_.state.timeline.set_processes(std::move(tree));
    watch_.on_tree(s_.state.timeline, now);
}

bool Watcher::read_stacks() {
    const ssize_t n = read_some(sp_.stacks.fd, buf_, sizeof buf_);
    if (n <= 0) return n == 0;
    if (stacks_.size() < kStackCap) stacks_.append(buf_, std::size_t(n));
    return true;
}

bool Watcher::read_output() {
    const ssize_t n = read_some(sp_.output.fd, buf_, sizeof buf_);
    if (n <= 0) return n == 0;
    std::lock_guard lock(s_.mu);
    std::string& out = s_.state.output;
    out.append(buf_, std::size_t(n));
    if (out.size() > kOutputCap) out.erase(0, out.size() - kOutputCap);
    return true;
}

void Watcher::read_commands() {
    char c;
    while (::read(s_.cmd_fd, &c, 1) == 1) {
        const WatchCommand cmd = c == 'k'   ? WatchCommand::kill
                                 : c == 'q' ? WatchCommand::end
                                 : c == 'g' ? WatchCommand::go
                                 : c == 'h' ? WatchCommand::end_kept_hang
                                            : WatchCommand::run_to_end;
        perform(watch_.on_command(cmd, monotonic_ns()));
    }
}

siginfo_t Watcher::loop() {
    siginfo_t info{};
    const pid_t pid = sp_.pid;
    for (;;) {
        std::array<pollfd, 5> fds{};
        fds[0] = {sp_.trace.fd, POLLIN, 0};
        fds[1] = {sp_.output.fd, POLLIN, 0};
        fds[2] = {sp_.pidfd.fd, POLLIN, 0};
        fds[3] = {s_.cmd_fd, POLLIN, 0};
        fds[4] = {sp_.stacks.fd, POLLIN, 0};
        const std::int64_t now = monotonic_ns();
        std::int64_t until = watch_.deadline();
        if (sp_.pidfd.fd < 0) // no pidfd (old kernel): look every 5 ms
            until = until < 0 ? now + 5'000'000 : std::min(until, now + 5'000'000);
        const int timeout =
            until < 0 ? -1 : int(std::max<std::int64_t>(0, (until - now + 999'999) / 1'000'000));
        if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) {
            // Cannot watch any more: end the demo rather than leave it behind.
            perform(watch_.on_command(WatchCommand::end, monotonic_ns()));
            ::waitid(P_PID, id_t(pid), &info, WEXITED);
            return info;
        }
        bool moved = false;
        if (fds[0].revents) {
            if (read_trace())
                moved = true;
            else
                trace_ended();
        }
        if (fds[1].revents) {
            if (read_output())
                moved = true;
            else
                sp_.output.reset();
        }
        if (fds[4].revents && !read_stacks()) sp_.stacks.reset();
        if (fds[3].revents & POLLIN) read_commands();
        if (moved) changed();

        // Has it ended? With a pidfd, poll said so; without, ask.
        if (sp_.pidfd.fd >= 0 ? (fds[2].revents & POLLIN) != 0 : true) {
            info = {};
            if (::waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG) == 0 && info.si_pid == pid)
                return info;
        }
        // The timeline is written by this thread only: reading it here needs no lock.
        look_at_tree(monotonic_ns());
        perform(watch_.on_tick(s_.state.timeline, monotonic_ns()));
    }
}

void Watcher::finish(const siginfo_t& info) {
    const std::int64_t end_ns = monotonic_ns();
    // Whatever the program started and left behind (its group outlives it): no orphans.
    ::kill(-sp_.pid, SIGKILL);
    // The demo is gone: what it wrote is in the pipes. Read it without waiting, so a process
    // that left the group (setsid) and still holds a pipe cannot keep the verdict waiting.
    for (const Fd* f : {&sp_.trace, &sp_.output, &sp_.stacks})
        if (f->fd >= 0) ::fcntl(f->fd, F_SETFL, ::fcntl(f->fd, F_GETFL) | O_NONBLOCK);
    // The demo is gone, so its ends of the pipes are closed: read what is left to EOF.
    while (sp_.trace.fd >= 0 && read_trace()) {
    }
    while (sp_.output.fd >= 0 && read_output()) {
    }
    while (sp_.stacks.fd >= 0 && read_stacks()) {
    }
    {
        std::lock_guard lock(s_.mu);
        RunState& st = s_.state;
        if (!stacks_.empty()) st.stacks = parse_stacks(stacks_);
        reader_.finish();
        st.malformed = reader_.malformed();
        st.timeline.close_at(end_ns);
        st.paused_at.clear();
        st.alive = false;
        watch_.on_exit(
            st.timeline,
            {.by_signal = info.si_code != CLD_EXITED, .status = info.si_status, .seen_ns = end_ns});
        st.verdict = watch_.verdict();
    }
    s_.done.notify_all();
    changed();
}

} // namespace

Run::Run(RunOptions options, ServerInfo server, std::function<void()> on_change)
    : server_(std::move(server)), on_change_(std::move(on_change)) {
    state_.options = std::move(options);
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe2 failed");
    cmd_fd_ = p[0];
    cmd_w_ = p[1];
    // The watcher spawns the demo itself: PR_SET_PDEATHSIG follows the thread that forked,
    // and the watcher outlives its demo.
    watcher_ = std::thread([this] { watch(); });
}

Run::~Run() {
    command('q');
    watcher_.join();
    ::close(cmd_fd_);
    ::close(cmd_w_);
}

void Run::command(char c) {
    ssize_t r;
    do r = ::write(cmd_w_, &c, 1);
    while (r < 0 && errno == EINTR);
}

void Run::kill() {
    command('k');
}
void Run::go() {
    command('g');
}
void Run::run_to_end() {
    command('r');
}

RunState Run::snapshot() const {
    std::lock_guard lock(mu_);
    RunState s = state_;
    s.now_ns = monotonic_ns();
    return s;
}

void Run::end(bool kept_hang) {
    command(kept_hang ? 'h' : 'q');
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return state_.finished() && !state_.alive; });
}

Verdict Run::wait() {
    std::unique_lock lock(mu_);
    done_cv_.wait(lock, [&] { return state_.finished(); });
    return state_.verdict;
}

void Run::watch() {
    auto changed = [&] {
        if (on_change_) on_change_();
    };
    auto fail = [&](std::string why) {
        {
            std::lock_guard lock(mu_);
            state_.verdict.outcome = Outcome::failed;
            state_.verdict.error = std::move(why);
        }
        done_cv_.notify_all();
        changed();
    };

    const RunOptions opt = state_.options; // immutable after construction
    block_sigpipe_in_this_thread();        // a demo gone from its control pipe is EPIPE, not death
    if (std::string err = validate(opt); !err.empty()) return fail(err);

    const bool cpython = opt.engine == trace::Engine::cpython;
    const bool lesson = cpython && opt.program.empty();
    std::optional<CaFile> ca;
    if (cpython) {
        std::lock_guard lock(mu_);
        state_.python.python = opt.python;
    }
    // The interpreter is not started beforehand to ask its versions: the tracer reports them
    // on the trace and refuses an unsupported Python or websockets itself (`refused`).
    if (lesson) {
        ca.emplace(server_.ca_pem);
        if (!ca->error().empty()) return fail(ca->error());
    }
    Spawned sp = spawn(opt, server_, ca ? &*ca : nullptr);
    if (!sp.error.empty()) return fail(sp.error);
    {
        std::lock_guard lock(mu_);
        state_.pid = sp.pid;
        state_.spawned_ns = sp.spawned_ns;
        state_.alive = true;
    }
    changed();
    Watcher({mu_, state_, done_cv_, on_change_, cmd_fd_}, std::move(sp), opt).run();
}

} // namespace lab
