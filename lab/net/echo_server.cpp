// The echo server: Boost.Beast, every step of a connection visible, one io_context on one
// thread (so no handler ever races another).
#include "lab/net/echo_server.hpp"

#include "lab/net/listener.hpp"
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

using Clock = std::chrono::steady_clock;

struct Counters {
    std::atomic<std::size_t> accepted{0}, open{0}, echoed{0}, evicted{0};
};

// What the server knows of each session: enough to pick the one idle longest when full.
// Touched on the server's one thread only.
struct Connection {
    virtual ~Connection() = default;
    virtual void close() = 0;
    ConnectionSlot slot;                     // counts it against the listener's cap
    bool greeted = false;                    // handshakes done: from here it may be idle on purpose
    Clock::time_point active = Clock::now(); // the last message in or out
};

// One client. Stream is websocket::stream<beast::tcp_stream> or the same over ssl::stream.
template <class Stream>
class Session : public Connection, public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls =
        std::is_same_v<Stream, websocket::stream<ssl::stream<beast::tcp_stream>>>;

  public:
    template <class... Args>
    Session(Counters& c, ServerFault fault, ConnectionSlot s, Args&&... args)
        : ws_(std::forward<Args>(args)...), counters_(c), fault_(fault) {
        slot = std::move(s);
        ++counters_.open;
        // A message is at most 1 MiB (Beast's default is 16 MiB): with the connection cap,
        // that bounds the memory the server can be made to hold.
        ws_.read_message_max(1024 * 1024);
    }
    ~Session() override { --counters_.open; }

    void close() override {
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
    }

    // The listener armed the stream's deadline at accept: the TLS handshake and the WebSocket
    // upgrade must both be done by then, or the socket is closed.
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
    // 2. WebSocket opening handshake. After it an open connection may stay idle forever
    //    (the lesson needs a server that never closes on its own): no deadline, no pings.
    void accept() {
        websocket::stream_base::timeout t{};
        t.handshake_timeout = websocket::stream_base::none(); // the listener's deadline
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws_.set_option(t);
        ws_.async_accept([self = this->shared_from_this()](beast::error_code ec) {
            if (ec) return;
            beast::get_lowest_layer(self->ws_).expires_never();
            self->greeted = true;
            self->greet();
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
        active = Clock::now();
        buffer_.consume(buffer_.size());
        ws_.async_read(buffer_,
                       [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                           if (!ec) self->echo();
                       });
    }
    void echo() {
        active = Clock::now();
        ws_.text(ws_.got_text());
        ws_.async_write(buffer_.data(),
                        [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                            if (ec) return;
                            ++self->counters_.echoed;
                            if (self->fault_ == ServerFault::drop_mid_stream) {
                                // Vanish without a close frame: the client sees an abnormal
                                // closure.
                                beast::error_code ignored;
                                beast::get_lowest_layer(self->ws_).socket().shutdown(
                                    tcp::socket::shutdown_both, ignored);
                                return self->close();
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
    Listener listener{
        ioc,
        {.max_connections = options.max_connections,
         .handshake_timeout = std::chrono::milliseconds(options.handshake_timeout_ms)},
        {.on_accept = [this](beast::tcp_stream s,
                             ConnectionSlot slot) { start(std::move(s), std::move(slot)); },
         .make_room = [this] { return evict_idlest(); },
         .on_full =
             [this](std::size_t cap) {
                 if (options.on_event) options.on_event(ServerEvent::connection_cap_reached, cap);
             }}};
    std::string ca_pem;
    std::uint16_t port = 0;
    bool fell_back = false;
    Counters counters;
    // Live sessions, so stop() can end them all and a full server can find the one idle
    // longest. Sessions own themselves through their pending operations; these are weak.
    std::list<std::weak_ptr<Connection>> sessions;
    // no_handshake sessions have no pending operation: they are kept here instead.
    std::vector<std::shared_ptr<Connection>> silent;
    std::thread thread;
    std::once_flag stopped;

    explicit Impl(EchoServerOptions o) : options(std::move(o)) {}

    void listen() {
        const auto loopback = net::ip::make_address("127.0.0.1");
        beast::error_code ec;
        listener.open({loopback, options.port}, ec);
        if (ec == net::error::address_in_use && options.port != 0) {
            fell_back = true; // the wanted port is taken: any free one will do
            listener.open({loopback, 0}, ec);
        }
        if (ec)
            throw std::system_error(ec.value(), std::generic_category(),
                                    "echo server cannot listen on 127.0.0.1:" +
                                        std::to_string(options.port));
        port = listener.local_endpoint().port();
    }

    void start(beast::tcp_stream s, ConnectionSlot slot) {
        ++counters.accepted;
        std::shared_ptr<Connection> c;
        if (options.tls) {
            auto session = std::make_shared<TlsSession>(counters, options.fault, std::move(slot),
                                                        std::move(s), tls);
            session->start();
            c = session;
        } else {
            auto session = std::make_shared<PlainSession>(counters, options.fault, std::move(slot),
                                                          std::move(s));
            session->start();
            c = session;
        }
        sessions.remove_if([](const auto& w) { return w.expired(); });
        sessions.push_back(c);
        if (options.fault == ServerFault::no_handshake) silent.push_back(c);
    }

    // Full: the greeted connection idle longest goes (its slot at once, its socket closed;
    // the session ends when its pending read fails). Connections still in their handshake
    // are not chosen: they have their deadline. False when there is none to choose.
    bool evict_idlest() {
        std::shared_ptr<Connection> victim;
        for (const auto& w : sessions)
            if (auto c = w.lock();
                c && c->greeted && c->slot.held() && (!victim || c->active < victim->active))
                victim = c;
        if (!victim) return false;
        victim->slot = {};
        victim->close();
        ++counters.evicted;
        return true;
    }
};

EchoServer::EchoServer(EchoServerOptions options) : impl_(std::make_unique<Impl>(options)) {
    Impl& m = *impl_;
    if (options.tls) {
        TlsMaterial mine = make_tls_material();
        // untrusted_cert: present a certificate from a CA that nobody is given.
        TlsMaterial presented =
            options.fault == ServerFault::untrusted_cert ? make_tls_material("Stranger CA") : mine;
        m.ca_pem = mine.ca_cert_pem;
        m.tls.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                          ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                          ssl::context::no_tlsv1_1);
        // No session tickets. A TLS 1.3 server sends them just after the handshake, while
        // websockets 12.0's receiver thread is already reading and main is writing the
        // upgrade request: Python's ssl then has two threads in one SSL object, and the
        // request fails ("[SSL] internal error") or is lost (a handshake time-out). No
        // client of ours resumes a session, so nothing is lost by sending none.
        SSL_CTX_set_options(m.tls.native_handle(), SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(m.tls.native_handle(), 0);
        m.tls.use_certificate_chain(net::buffer(presented.server_cert_pem));
        m.tls.use_private_key(net::buffer(presented.server_key_pem), ssl::context::pem);
    }
    m.listen();
    m.listener.run();
    m.thread = std::thread([&m] { m.ioc.run(); });
}

EchoServer::~EchoServer() {
    stop();
}

void EchoServer::stop() {
    Impl& m = *impl_;
    std::call_once(m.stopped, [&m] {
        net::post(m.ioc, [&m] {
            m.listener.close();
            for (auto& w : m.sessions)
                if (auto c = w.lock()) c->close();
            m.sessions.clear();
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
    return impl_->counters.accepted + impl_->listener.refused(); // refused ones were accepted
}
std::size_t EchoServer::connections_open() const {
    return impl_->counters.open;
}
std::size_t EchoServer::messages_echoed() const {
    return impl_->counters.echoed;
}
std::size_t EchoServer::connections_evicted() const {
    return impl_->counters.evicted;
}

} // namespace lab
