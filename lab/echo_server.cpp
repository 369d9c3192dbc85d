// The echo server: Boost.Beast, every step of a connection visible, one io_context on one
// thread (so no handler ever races another).
#include "echo_server.hpp"

#include "tls_certs.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <list>
#include <mutex>
#include <stdexcept>
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
    Session(Counters& c, ServerFault fault, Args&&... args)
        : ws_(std::forward<Args>(args)...), counters_(c), fault_(fault) {
        ++counters_.open;
    }
    ~Session() { --counters_.open; }

    tcp::socket& socket() { return beast::get_lowest_layer(ws_).socket(); }

    void start() {
        if (fault_ == ServerFault::no_handshake) return; // accept, then say nothing, ever
        if constexpr (kTls) {
            // 1. TLS handshake.
            ws_.next_layer().async_handshake(
                ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
                    if (!ec) self->accept();
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
        t.handshake_timeout = std::chrono::seconds(30);
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

    void listen() {
        const auto loopback = net::ip::make_address("127.0.0.1");
        beast::error_code ec;
        acceptor.open(tcp::v4());
        acceptor.set_option(net::socket_base::reuse_address(true));
        acceptor.bind({loopback, options.port}, ec);
        if (ec && options.port != 0) { // the wanted port is taken: any free one will do
            fell_back = true;
            acceptor.bind({loopback, 0}, ec);
        }
        if (ec) throw std::runtime_error("echo server cannot listen on 127.0.0.1: " + ec.message());
        acceptor.listen(net::socket_base::max_listen_connections);
        port = acceptor.local_endpoint().port();
    }

    void do_accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
            if (ec) return; // closed by stop()
            ++counters.accepted;
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

    template <class S, class... Extra>
    void start(tcp::socket s, Extra&... extra) {
        auto session = std::make_shared<S>(counters, options.fault, std::move(s), extra...);
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
