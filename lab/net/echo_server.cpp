// The echo server: Boost.Beast, every step of a connection visible, one io_context on one
// thread (so no handler ever races another).
#include "lab/net/echo_server.hpp"

#include "lab/net/tls_certs.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cerrno>
#include <list>
#include <mutex>
#include <netinet/in.h>
#include <optional>
#include <stdexcept>
#include <sys/socket.h>
#include <system_error>
#include <thread>
#include <type_traits>
#include <vector>

namespace lab {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

inline constexpr const char* kGreeting = "Request served by daemonlab-echo";

struct Counters {
    std::atomic<std::size_t> accepted{0}, open{0}, echoed{0};
};

// One client. Stream is websocket::stream<beast::tcp_stream> or the same over ssl::stream.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls =
        std::is_same_v<Stream, websocket::stream<ssl::stream<beast::tcp_stream>>>;

  public:
    template <class... Args>
    Session(Counters& c, ServerFault fault, std::chrono::milliseconds handshake_timeout,
            Args&&... args)
        : ws_(std::forward<Args>(args)...), counters_(c), fault_(fault),
          handshake_timeout_(handshake_timeout) {
        ++counters_.open;
        // A message is at most 1 MiB (Beast's default is 16 MiB): with the connection cap,
        // that bounds the memory the server can be made to hold.
        ws_.read_message_max(1024 * 1024);
    }
    ~Session() { --counters_.open; }

    tcp::socket& socket() { return beast::get_lowest_layer(ws_).socket(); }

    void start() {
        if (fault_ == ServerFault::no_handshake) return; // accept, then say nothing, ever
        if constexpr (kTls) {
            // 1. TLS handshake, in time: a client that connects and never starts TLS is
            //    closed (the tcp_stream's expiry closes the socket).
            beast::get_lowest_layer(ws_).expires_after(handshake_timeout_);
            ws_.next_layer().async_handshake(
                ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                    if (ec) return;
                    beast::get_lowest_layer(self->ws_).expires_never(); // the websocket's own
                    self->accept();                                     // timeouts take over
                });
        } else {
            accept();
        }
    }

  private:
    // 2. WebSocket opening handshake.
    void accept() {
        // A handshake must finish in time; an open connection may stay idle forever (the
        // lesson needs a server that never closes on its own).
        websocket::stream_base::timeout t{};
        t.handshake_timeout = handshake_timeout_;
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws_.set_option(t);
        ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
            if (!ec) self->greet();
        });
    }
    // 3. The greeting, like the public echo service.
    void greet() {
        ws_.text(true);
        ws_.async_write(net::buffer(std::string_view(kGreeting)),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (!ec) self->read();
                        });
    }
    // 4. Echo until the client closes (read then ends with websocket::error::closed, after
    //    Beast has answered the closing handshake).
    void read() {
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                           if (!ec) self->echo();
                       });
    }
    void echo() {
        ws_.text(ws_.got_text());
        ws_.async_write(buffer_.data(),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return;
                            ++self->counters_.echoed;
                            if (self->fault_ == ServerFault::drop_mid_stream) {
                                // Vanish without a close frame: the client sees an abnormal
                                // closure.
                                beast::error_code ignored;
                                self->socket().shutdown(tcp::socket::shutdown_both, ignored);
                                self->socket().close(ignored);
                                return;
                            }
                            self->read();
                        });
    }

    Stream ws_;
    beast::flat_buffer buffer_;
    Counters& counters_;
    ServerFault fault_;
    std::chrono::milliseconds handshake_timeout_;
};

using PlainSession = Session<websocket::stream<beast::tcp_stream>>;
using TlsSession = Session<websocket::stream<ssl::stream<beast::tcp_stream>>>;

struct EchoServer::Impl {
    EchoServerOptions options;
    net::io_context ioc{1};
    ssl::context tls{ssl::context::tls_server};
    tcp::acceptor acceptor{ioc};
    std::string ca_pem;
    std::uint16_t port = 0;
    bool fell_back = false;
    Counters counters;
    // How to close each live session's socket, so stop() can end them all. Sessions own
    // themselves through their pending operations; these are weak.
    std::list<std::pair<std::weak_ptr<void>, std::function<void()>>> closers;
    // no_handshake sessions have no pending operation: they are kept here instead.
    std::vector<std::shared_ptr<void>> silent;
    std::thread thread;
    std::once_flag stopped;

    net::steady_timer backoff{ioc};
    bool at_cap = false; // in an episode of refused connections
    std::optional<std::chrono::steady_clock::time_point> told; // when the cap was last told

    void listen() {
        const auto loopback = net::ip::make_address("127.0.0.1");
        // Close-on-exec from the start: no demo (nor any other child) inherits the listener.
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
            throw std::system_error(errno, std::generic_category(),
                                    "echo server cannot make a socket");
        acceptor.assign(tcp::v4(), fd);
        acceptor.set_option(net::socket_base::reuse_address(true));
        beast::error_code ec;
        acceptor.bind({loopback, options.port}, ec);
        if (ec == net::error::address_in_use && options.port != 0) {
            fell_back = true; // the wanted port is taken: any free one will do
            acceptor.bind({loopback, 0}, ec);
        }
        if (ec)
            throw std::system_error(ec.value(), std::generic_category(),
                                    "echo server cannot listen on 127.0.0.1:" +
                                        std::to_string(options.port));
        acceptor.listen(net::socket_base::max_listen_connections);
        port = acceptor.local_endpoint().port();
    }

    // Waits until a connection is pending, then takes it with accept4(SOCK_CLOEXEC) (asio's
    // accept() is not close-on-exec). Running out of descriptors (EMFILE, ENFILE) or memory
    // is not the end: the server backs off 100 ms and accepts again.
    void do_accept() {
        acceptor.async_wait(tcp::acceptor::wait_read, [this](beast::error_code ec) {
            if (ec) return; // closed by stop()
            const int fd =
                ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                const int err = errno;
                if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
                    backoff.expires_after(std::chrono::milliseconds(100));
                    backoff.async_wait([this](beast::error_code e) {
                        if (!e && acceptor.is_open()) do_accept();
                    });
                    return;
                }
                if (err == EBADF || err == EINVAL || err == ENOTSOCK) return; // closed
                return do_accept(); // EAGAIN, ECONNABORTED, EINTR, EPROTO...: the next one
            }
            tcp::socket s(net::make_strand(ioc));
            s.assign(tcp::v4(), fd, ec);
            if (ec) {
                ::close(fd);
                return do_accept();
            }
            ++counters.accepted;
            if (counters.open >= options.max_connections) {
                refuse(std::move(s));
                return do_accept();
            }
            at_cap = false;
            // Small frames go out at once (no Nagle wait on the client's delayed ACK).
            beast::error_code ignored;
            s.set_option(tcp::no_delay(true), ignored);
            if (options.tls)
                start<TlsSession>(std::move(s), tls);
            else
                start<PlainSession>(std::move(s));
            do_accept();
        });
    }

    // Over the cap: close the new connection at once (the client sees it, rather than wait
    // in the backlog), and tell the host once per episode, at most every 10 s.
    void refuse(tcp::socket s) {
        beast::error_code ignored;
        s.close(ignored);
        const auto now = std::chrono::steady_clock::now();
        if (!at_cap && (!told || now - *told >= std::chrono::seconds(10)) && options.on_event) {
            told = now;
            options.on_event(ServerEvent::connection_cap_reached, options.max_connections);
        }
        at_cap = true;
    }

    template <class S, class... Extra>
    void start(tcp::socket s, Extra&... extra) {
        auto session = std::make_shared<S>(counters, options.fault,
                                           std::chrono::milliseconds(options.handshake_timeout_ms),
                                           std::move(s), extra...);
        closers.remove_if([](const auto& c) { return c.first.expired(); });
        std::weak_ptr<S> weak = session;
        closers.emplace_back(weak, [weak] {
            if (auto p = weak.lock()) {
                beast::error_code ignored;
                p->socket().close(ignored);
            }
        });
        if (options.fault == ServerFault::no_handshake) silent.push_back(session);
        session->start();
    }
};

EchoServer::EchoServer(EchoServerOptions options) : impl_(std::make_unique<Impl>()) {
    Impl& m = *impl_;
    m.options = options;
    if (options.tls) {
        TlsMaterial mine = make_tls_material();
        // untrusted_cert: present a certificate from a CA that nobody is given.
        TlsMaterial presented =
            options.fault == ServerFault::untrusted_cert ? make_tls_material("Stranger CA") : mine;
        m.ca_pem = mine.ca_cert_pem;
        m.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
        m.tls.use_certificate_chain(net::buffer(presented.server_cert_pem));
        m.tls.use_private_key(net::buffer(presented.server_key_pem), ssl::context::pem);
    }
    m.listen();
    m.do_accept();
    m.thread = std::thread([&m] { m.ioc.run(); });
}

EchoServer::~EchoServer() {
    stop();
}

void EchoServer::stop() {
    Impl& m = *impl_;
    std::call_once(m.stopped, [&m] {
        net::post(m.ioc, [&m] {
            beast::error_code ignored;
            m.acceptor.close(ignored);
            m.backoff.cancel();
            for (auto& [weak, close] : m.closers) close();
            m.closers.clear();
            m.silent.clear();
        });
        // Closing the sockets fails every pending operation; then nothing is left to run.
        m.thread.join();
    });
}

std::uint16_t EchoServer::port() const {
    return impl_->port;
}
bool EchoServer::tls() const {
    return impl_->options.tls;
}
bool EchoServer::fell_back() const {
    return impl_->fell_back;
}
std::string EchoServer::uri() const {
    return std::string(impl_->options.tls ? "wss" : "ws") +
           "://localhost:" + std::to_string(port()) + "/";
}
const std::string& EchoServer::ca_pem() const {
    return impl_->ca_pem;
}
std::size_t EchoServer::connections_accepted() const {
    return impl_->counters.accepted;
}
std::size_t EchoServer::connections_open() const {
    return impl_->counters.open;
}
std::size_t EchoServer::messages_echoed() const {
    return impl_->counters.echoed;
}

} // namespace lab
