// The one listener of both servers (lab/net/listener): close-on-exec sockets, the connection
// cap, backoff without spinning when out of descriptors, and the handshake deadline. Every
// wait waits for a condition, with a deadline.
#include "lab/net/echo_server.hpp"
#include "lab/net/listener.hpp"
#include "lab/room/room.hpp"
#include "lab/room/room_server.hpp"
#include "wait.hpp"

#include <arpa/inet.h>
#include <boost/asio/write.hpp>
#include <chrono>
#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sstream>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace std::chrono_literals;
namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using testing_support::eventually;
using testing_support::tcp_connect;

namespace {

// Waits until the peer closes `fd` (true) or `limit` passes (false).
bool closed_by_peer(int fd, std::chrono::milliseconds limit) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, int(limit.count())) <= 0) return false;
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT);
    return n == 0 || (n < 0 && errno == ECONNRESET);
}

// One accepted connection of the test server: says "hi", then reads until the peer closes.
// Its first byte ends its "handshake" (the deadline is lifted).
struct Held : std::enable_shared_from_this<Held> {
    beast::tcp_stream stream;
    lab::ConnectionSlot slot;
    char buf[64];
    Held(beast::tcp_stream s, lab::ConnectionSlot sl) : stream(std::move(s)), slot(std::move(sl)) {}
    void start() {
        beast::error_code ignored;
        net::write(stream.socket(), net::buffer("hi", 2), ignored);
        read();
    }
    void read() {
        stream.async_read_some(
            net::buffer(buf), [self = shared_from_this()](beast::error_code ec, std::size_t) {
                if (ec) return; // EOF, timeout: the last owner goes, the socket closes
                self->stream.expires_never();
                self->read();
            });
    }
};

// The listener alone, on its own io thread, with the test's options.
struct TestServer {
    net::io_context ioc{1};
    std::atomic<int> accepted{0}, told{0};
    std::atomic<bool> room_made{false};
    lab::Listener listener;
    std::thread thread;

    explicit TestServer(lab::ListenerOptions o, bool can_make_room = false)
        : listener(ioc, o,
                   {.on_accept =
                        [this](beast::tcp_stream s, lab::ConnectionSlot slot) {
                            ++accepted;
                            std::make_shared<Held>(std::move(s), std::move(slot))->start();
                        },
                    .make_room = [this, can_make_room] { return room_made = can_make_room; },
                    .on_full = [this](std::size_t) { ++told; }}) {
        beast::error_code ec;
        listener.open({net::ip::make_address("127.0.0.1"), 0}, ec);
        EXPECT_FALSE(ec) << ec.message();
        listener.run();
        thread = std::thread([this] { ioc.run(); });
    }
    ~TestServer() {
        net::post(ioc, [this] { listener.close(); });
        ioc.stop();
        thread.join();
    }
    std::uint16_t port() const { return listener.local_endpoint().port(); }
};

// Every socket of this process, and whether each is close-on-exec.
std::vector<std::pair<int, bool>> sockets_of_this_process() {
    std::vector<std::pair<int, bool>> out;
    DIR* d = opendir("/proc/self/fd");
    if (!d) return out;
    while (dirent* e = readdir(d)) {
        char target[256] = {};
        const std::string link = std::string("/proc/self/fd/") + e->d_name;
        if (readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
        if (!std::string_view(target).starts_with("socket:")) continue;
        const int fd = std::atoi(e->d_name);
        out.emplace_back(fd, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    }
    closedir(d);
    return out;
}

// CPU time (user + system) a process has used, in clock ticks.
long cpu_ticks(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(f)), {});
    std::istringstream rest(stat.substr(stat.rfind(')') + 2)); // after "pid (comm) "
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) utime = std::stol(field);
        if (i == 15) stime = std::stol(field);
    }
    return utime + stime;
}

// Reads one line from `fd` (a pipe), waiting at most `limit`.
std::string read_line(int fd, std::chrono::milliseconds limit) {
    std::string line;
    const auto end = std::chrono::steady_clock::now() + limit;
    char c;
    while (std::chrono::steady_clock::now() < end) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        if (::read(fd, &c, 1) != 1) break;
        if (c == '\n') return line;
        line += c;
    }
    return line;
}

} // namespace

// The acceptor and every accepted socket, of the echo server, the room server and the
// listener alone: none inheritable by a demo spawned meanwhile.
TEST(Listener, EverySocketOfBothServersIsCloseOnExec) {
    lab::EchoServer echo({.tls = false});
    lab::Room room;
    lab::RoomServer room_server(room, {.address = "127.0.0.1", .port = 0});
    TestServer alone({});
    const int a = tcp_connect(echo.port()), b = tcp_connect(room_server.port()),
              c = tcp_connect(alone.port());
    ASSERT_GE(a, 0);
    ASSERT_GE(b, 0);
    ASSERT_GE(c, 0);
    ASSERT_TRUE(eventually([&] {
        return echo.connections_accepted() == 1 && room_server.stats().accepted == 1 &&
               alone.accepted == 1;
    }));
    const auto sockets = sockets_of_this_process();
    EXPECT_GE(sockets.size(), 9u); // 3 listeners, 3 accepted, 3 of ours
    for (const auto& [fd, cloexec] : sockets) EXPECT_TRUE(cloexec) << "fd " << fd;
    for (int fd : {a, b, c}) ::close(fd);
}

// Past the cap a new connection is closed at once, the server is told once per episode, and
// a connection that ends makes room again. A server that can make room takes the new one.
TEST(Listener, RefusesPastTheCapAndSaysSoOnce) {
    TestServer server({.max_connections = 2});
    std::vector<int> fds;
    for (int i = 0; i < 4; ++i) fds.push_back(tcp_connect(server.port()));
    ASSERT_TRUE(eventually([&] { return server.listener.refused() == 2; }));
    EXPECT_EQ(server.accepted.load(), 2);
    EXPECT_EQ(server.told.load(), 1);
    EXPECT_TRUE(closed_by_peer(fds[2], 5s));
    EXPECT_TRUE(closed_by_peer(fds[3], 5s));
    ::close(fds[0]); // one ends: room for one more
    ASSERT_TRUE(eventually([&] { return server.listener.live() == 1; }));
    const int again = tcp_connect(server.port());
    EXPECT_TRUE(eventually([&] { return server.accepted == 3; }));
    for (int fd : {fds[1], fds[2], fds[3], again}) ::close(fd);

    TestServer roomy({.max_connections = 1}, true);
    const int x = tcp_connect(roomy.port()), y = tcp_connect(roomy.port());
    EXPECT_TRUE(eventually([&] { return roomy.accepted == 2; }));
    EXPECT_TRUE(roomy.room_made);
    EXPECT_EQ(roomy.listener.refused(), 0u);
    ::close(x);
    ::close(y);
}

// A peer that connects and never finishes its handshake is closed at the deadline; one that
// did finish it stays.
TEST(Listener, ClosesAConnectionThatDoesNotFinishItsHandshake) {
    TestServer server({.handshake_timeout = 300ms});
    const auto t0 = std::chrono::steady_clock::now();
    const int silent = tcp_connect(server.port());
    const int talker = tcp_connect(server.port());
    ASSERT_EQ(::send(talker, "x", 1, 0), 1); // its handshake: the deadline is lifted
    char hi[2];
    ASSERT_EQ(::recv(silent, hi, 2, MSG_WAITALL), 2); // accepted: "hi"
    ASSERT_EQ(::recv(talker, hi, 2, MSG_WAITALL), 2);
    EXPECT_TRUE(closed_by_peer(silent, 5s));
    const auto waited = std::chrono::steady_clock::now() - t0;
    EXPECT_GE(waited, 250ms);
    EXPECT_LT(waited, 4s);
    EXPECT_FALSE(closed_by_peer(talker, 600ms)); // twice the deadline: still open
    EXPECT_TRUE(eventually([&] { return server.listener.live() == 1; }));
    ::close(silent);
    ::close(talker);
}

// Out of descriptors (RLIMIT_NOFILE 32 in a forked child, 40 connections): the listener backs
// off instead of spinning on the pending connection (its CPU time stays low over a second),
// and once the connections are closed and its descriptors come back it accepts again.
TEST(Listener, BacksOffWithoutSpinningWhenOutOfDescriptorsAndAcceptsAgain) {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "not under the sanitizers: their own checks need the descriptors this "
                    "test takes away (the debug preset runs it)";
#endif
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) { // the child: a listener under a small descriptor limit
        ::close(p[0]);
        const rlimit rl{32, 32};
        ::setrlimit(RLIMIT_NOFILE, &rl);
        net::io_context ioc{1};
        bool said = false;
        lab::Listener l(ioc, {.max_connections = 1000},
                        {.on_accept =
                             [](beast::tcp_stream s, lab::ConnectionSlot slot) {
                                 std::make_shared<Held>(std::move(s), std::move(slot))->start();
                             },
                         .on_error =
                             [&](beast::error_code ec, const char*) {
                                 if (ec.value() != EMFILE || said) return;
                                 said = true;
                                 (void)!::write(p[1], "EMFILE\n", 7);
                             }});
        beast::error_code ec;
        l.open({net::ip::make_address("127.0.0.1"), 0}, ec);
        const std::string port = std::to_string(ec ? 0 : l.local_endpoint().port()) + "\n";
        (void)!::write(p[1], port.data(), port.size());
        l.run();
        ioc.run();
        ::_exit(0);
    }
    ::close(p[1]);
    const int port = std::atoi(read_line(p[0], 10s).c_str());
    ASSERT_GT(port, 0);
    std::vector<int> fds;
    for (int i = 0; i < 40; ++i) fds.push_back(tcp_connect(std::uint16_t(port)));
    EXPECT_EQ(read_line(p[0], 10s), "EMFILE");

    // A measuring window (not a wait for anything): a spinning accept loop would use most
    // of its second; backing off 100 ms, ten accept4() calls use next to nothing.
    const long before = cpu_ticks(pid);
    std::this_thread::sleep_for(1s);
    const long used = cpu_ticks(pid) - before;
    EXPECT_LT(used, ::sysconf(_SC_CLK_TCK) / 10) << "ticks of CPU in 1 s while out of fds";

    for (int fd : fds) ::close(fd); // its descriptors come back as it sees them go
    const int fresh = tcp_connect(std::uint16_t(port));
    ASSERT_GE(fresh, 0);
    pollfd pf{fresh, POLLIN, 0};
    char hi[2] = {};
    EXPECT_EQ(::poll(&pf, 1, 10'000), 1);
    EXPECT_EQ(::recv(fresh, hi, 2, MSG_WAITALL), 2); // accepted again: "hi"
    EXPECT_EQ(std::string(hi, 2), "hi");
    ::close(fresh);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    ::close(p[0]);
}
