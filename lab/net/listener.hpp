// listener.hpp — the one accept loop of the host's two servers (echo server, room server).
//
// In the style of Boost.Beast's examples: one io_context, one acceptor, every step of an
// accept visible in listener.cpp, and one error convention (an error_code and `fail`). What it
// guarantees to both servers (docs/ARCHITECTURE.md, "The listener"):
//   - every socket is close-on-exec from birth (the acceptor by socket(SOCK_CLOEXEC), each
//     accepted one by accept4(SOCK_CLOEXEC)): a demo spawned meanwhile inherits none;
//   - at most `max_connections` live at once (a ConnectionSlot counts one): past it the server may
//   make
//     room (`make_room`), else the new connection is accepted and closed at once, counted, and
//     `on_full` is told once per episode, at most every 10 s;
//   - out of descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM) it waits `backoff` and
//     tries again: it never spins, and it accepts again when descriptors come back;
//   - each accepted stream comes with its deadline armed (`handshake_timeout`): any operation
//     still pending then (TLS, HTTP request, WebSocket upgrade) fails and the socket is
//     closed. The server calls expires_never() (or sets its own) once the handshake is done.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

namespace lab {

// One live connection: the listener counts it until its slot is destroyed. Sessions keep it
// as a member (and hand it on when one session becomes another, e.g. HTTP to WebSocket).
class ConnectionSlot {
  public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(std::shared_ptr<std::atomic<std::size_t>> live)
        : live_(std::move(live)) {}
    ConnectionSlot(ConnectionSlot&&) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&& o) noexcept {
        release();
        live_ = std::move(o.live_);
        return *this;
    }
    ~ConnectionSlot() { release(); }
    bool held() const { return live_ != nullptr; }

  private:
    void release() {
        if (live_) --*live_;
        live_.reset();
    }
    std::shared_ptr<std::atomic<std::size_t>> live_;
};

struct ListenerOptions {
    std::size_t max_connections = 512;
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds backoff{100}; // after EMFILE, ENFILE, ENOBUFS, ENOMEM
};

struct ListenerHooks {
    // Each accepted connection, on the io_context's thread: non-blocking, close-on-exec,
    // TCP_NODELAY, its handshake deadline armed.
    std::function<void(boost::beast::tcp_stream, ConnectionSlot)> on_accept;
    // At the cap: return true when room was made (a connection was told to go), and the new
    // one is taken anyway; without it, or false, the new one is refused.
    std::function<bool()> make_room = {};
    // Refusals at the cap: once per episode (until a connection is taken again), at most
    // every 10 s, with the cap.
    std::function<void(std::size_t cap)> on_full = {};
    // Every error the listener meets (`what` names the step), e.g. "accept" with EMFILE.
    std::function<void(boost::beast::error_code, const char* what)> on_error = {};
};

class Listener {
  public:
    Listener(boost::asio::io_context& ioc, ListenerOptions options, ListenerHooks hooks);

    // socket(SOCK_CLOEXEC), SO_REUSEADDR, bind, listen. On error the acceptor is closed again
    // and `ec` says why (a server may try another endpoint).
    void open(const boost::asio::ip::tcp::endpoint& at, boost::beast::error_code& ec);
    // Starts accepting (after open()); runs until close().
    void run();
    // Closes the acceptor and cancels the backoff: no more accepts. On the io thread.
    void close();

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    bool is_open() const { return acceptor_.is_open(); }
    std::size_t live() const { return *live_; }
    std::size_t refused() const { return refused_; } // over the cap, from any thread
    std::size_t backoffs() const { return backoffs_; }

  private:
    void do_accept();
    void on_readable(boost::beast::error_code ec);
    void admit(boost::asio::ip::tcp::socket s);
    void refuse(boost::asio::ip::tcp::socket s);
    void fail(boost::beast::error_code ec, const char* what);

    ListenerOptions options_;
    ListenerHooks hooks_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;
    // Shared with the slots: a session may outlive the listener.
    std::shared_ptr<std::atomic<std::size_t>> live_ = std::make_shared<std::atomic<std::size_t>>(0);
    std::atomic<std::size_t> refused_{0}, backoffs_{0};
    bool at_cap_ = false; // in an episode of refusals
    std::optional<std::chrono::steady_clock::time_point> told_;
};

} // namespace lab
