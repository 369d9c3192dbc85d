// The accept loop (see listener.hpp): wait until a connection is pending, take it with
// accept4(SOCK_CLOEXEC), check the cap, hand it on, wait again.
#include "lab/net/listener.hpp"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace lab {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

Listener::Listener(net::io_context& ioc, ListenerOptions options, ListenerHooks hooks)
    : options_(options), hooks_(std::move(hooks)), acceptor_(ioc), backoff_(ioc) {}

void Listener::open(const tcp::endpoint& at, beast::error_code& ec) {
    if (acceptor_.is_open()) acceptor_.close(ec);
    // Close-on-exec from the start: a demo spawned by another thread meanwhile must not
    // inherit the listening socket (asio's open() would leave it inheritable for a moment).
    const int fd = ::socket(at.protocol().family(), SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        ec.assign(errno, beast::system_category());
        return;
    }
    acceptor_.assign(at.protocol(), fd, ec);
    if (ec) {
        ::close(fd);
        return;
    }
    acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(at, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        beast::error_code ignored;
        acceptor_.close(ignored);
    }
}

void Listener::run() {
    do_accept();
}

void Listener::close() {
    beast::error_code ignored;
    acceptor_.close(ignored);
    backoff_.cancel();
}

tcp::endpoint Listener::local_endpoint() const {
    beast::error_code ignored;
    return acceptor_.local_endpoint(ignored);
}

// 1. Wait until a connection is pending (asio's async_accept cannot be asked for
//    SOCK_CLOEXEC).
void Listener::do_accept() {
    acceptor_.async_wait(tcp::acceptor::wait_read,
                         [this](beast::error_code ec) { on_readable(ec); });
}

// 2. Take it. Out of descriptors or memory: the connection stays in the backlog, so waiting
//    again would wake at once and spin; back off instead, and try again.
void Listener::on_readable(beast::error_code ec) {
    if (ec || !acceptor_.is_open()) return; // closed by close()
    const int fd =
        ::accept4(acceptor_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
        const int err = errno;
        ec.assign(err, beast::system_category());
        if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
            fail(ec, "accept");
            ++backoffs_;
            backoff_.expires_after(options_.backoff);
            backoff_.async_wait([this](beast::error_code e) {
                if (!e && acceptor_.is_open()) do_accept();
            });
            return;
        }
        if (err == EBADF || err == EINVAL || err == ENOTSOCK) return; // closed
        if (err != EAGAIN && err != EWOULDBLOCK && err != EINTR) fail(ec, "accept");
        return do_accept(); // ECONNABORTED, EPROTO...: that one is gone, the next one
    }
    tcp::socket s(acceptor_.get_executor());
    s.assign(acceptor_.local_endpoint(ec).protocol(), fd, ec);
    if (ec) {
        ::close(fd);
        fail(ec, "assign");
        return do_accept();
    }
    // 3. The cap: make room, or refuse.
    if (*live_ >= options_.max_connections && !(hooks_.make_room && hooks_.make_room()))
        refuse(std::move(s));
    else
        admit(std::move(s));
    do_accept();
}

// 4. Hand it on, its deadline armed: a peer that never finishes its handshake is closed.
void Listener::admit(tcp::socket s) {
    at_cap_ = false;
    beast::error_code ignored;
    s.set_option(tcp::no_delay(true), ignored); // small frames go out at once (no Nagle wait)
    beast::tcp_stream stream(std::move(s));
    stream.expires_after(options_.handshake_timeout);
    ++*live_;
    hooks_.on_accept(std::move(stream), ConnectionSlot(live_));
}

// Over the cap: closed at once (the client sees it, rather than wait in the backlog), and
// the server is told once per episode, at most every 10 s.
void Listener::refuse(tcp::socket s) {
    beast::error_code ignored;
    s.close(ignored);
    ++refused_;
    const auto now = std::chrono::steady_clock::now();
    if (!at_cap_ && (!told_ || now - *told_ >= std::chrono::seconds(10)) && hooks_.on_full) {
        told_ = now;
        hooks_.on_full(options_.max_connections);
    }
    at_cap_ = true;
}

// The one place the listener's errors go: to the server's hook (the servers never print;
// their host decides what a person is told).
void Listener::fail(beast::error_code ec, const char* what) {
    if (hooks_.on_error) hooks_.on_error(ec, what);
}

} // namespace lab
