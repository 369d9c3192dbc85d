// The synchronous client, as websockets.sync.client builds it: connect() does every step of
// the opening in the calling thread, then ClientConnection starts recv_events, the thread
// that reads frames for as long as the connection lives.
//
// Beast streams are not thread-safe, so once recv_events exists it alone touches the socket:
// it runs the io_context, and send()/close() from other threads post their work to it.
#include "demos/wsync/client.hpp"

#include "demos/wsync/detail.hpp"

#include "demos/trace/trace.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <deque>
#include <mutex>
#include <openssl/crypto.h>
#include <openssl/x509v3.h>

namespace wsync {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using PlainWs = websocket::stream<beast::tcp_stream>;
using TlsWs = websocket::stream<ssl::stream<beast::tcp_stream>>;

namespace {

struct Config {
    std::mutex mu;
    ReceiverPolicy policy = ReceiverPolicy::inherit;
    std::string ca_pem;
};
Config& config() {
    static Config c;
    return c;
}

int current_ident() {
    return pyrt::current_thread().ident();
}

} // namespace

namespace detail {

Uri parse_uri(std::string_view s) {
    Uri u;
    if (s.starts_with("wss://"))
        u.secure = true, s.remove_prefix(6);
    else if (s.starts_with("ws://"))
        s.remove_prefix(5);
    else
        throw ConnectError("invalid URI (not ws:// or wss://): " + std::string(s));
    std::size_t slash = s.find('/');
    std::string_view authority = s.substr(0, slash);
    u.target = slash == std::string_view::npos ? "/" : std::string(s.substr(slash));
    std::size_t colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    u.port = colon == std::string_view::npos ? (u.secure ? "443" : "80")
                                             : std::string(authority.substr(colon + 1));
    if (u.host.empty()) throw ConnectError("invalid URI (no host): " + std::string(s));
    return u;
}

void verify_peer(ssl::context& ctx, SSL* ssl_handle, const std::string& host) {
    std::string ca;
    {
        std::lock_guard lock(config().mu);
        ca = config().ca_pem;
    }
    ctx.set_verify_mode(ssl::verify_peer);
    SSL_set_verify(ssl_handle, SSL_VERIFY_PEER, nullptr); // the SSL object copied the old mode
    if (!ca.empty()) {
        beast::error_code ec;
        ctx.add_certificate_authority(net::buffer(ca), ec);
        if (ec) throw ConnectError("bad CA certificate: " + ec.message());
    }
    beast::error_code addr_ec;
    net::ip::make_address(host, addr_ec);
    if (addr_ec) { // a name: send SNI and check the certificate names it
        SSL_set_tlsext_host_name(ssl_handle, host.c_str());
        SSL_set1_host(ssl_handle, host.c_str());
    } else { // an address: the certificate must list it
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_handle), host.c_str());
    }
}

} // namespace detail

void configure(ReceiverPolicy policy, std::string ca_pem) {
    std::lock_guard lock(config().mu);
    config().policy = policy;
    config().ca_pem = std::move(ca_pem);
}

ReceiverPolicy receiver_policy() {
    std::lock_guard lock(config().mu);
    return config().policy;
}

ConnectionClosed::ConnectionClosed(int code, std::string reason)
    : std::runtime_error("connection closed: " + std::to_string(code) +
                         (reason.empty() ? "" : " " + reason)),
      code_(code) {}

// ---- the connection's insides -----------------------------------------------------------

struct ClientConnection::Impl {
    net::io_context ioc{1};
    ssl::context tls{ssl::context::tls_client};
    std::unique_ptr<PlainWs> plain; // ws://  (one of the two)
    std::unique_ptr<TlsWs> secure;  // wss://
    std::string uri;

    pyrt::Queue<std::string> messages; // the assembler: recv() takes from here
    std::shared_ptr<pyrt::Thread> recv_thread;

    // Only recv_events touches these two (they live on the io_context).
    beast::flat_buffer buffer;
    int pending = 0; // echoes still expected, for the host's diagnosis

    // Writes (messages and the close frame) wait their turn: Beast allows one at a time.
    struct Write {
        bool close = false;
        std::string text;
        int code = 1000;
        std::function<void(beast::error_code)> done;
    };
    std::deque<Write> writes; // io_context only
    bool writing = false;     // io_context only

    std::mutex mu;
    bool finished = false; // recv_events has left the io_context
    bool close_started = false;
    int close_code = 1006;
    std::string close_reason;

    template <class F>
    decltype(auto) visit(F&& f) {
        return secure ? f(*secure) : f(*plain);
    }

    // recv_events: read frames until the connection closes.
    void recv_events() {
        read_next();
        {
            pyrt::Blocked b(trace::Wait::socket_read, -1, pending);
            ioc.run();
        }
        {
            std::lock_guard lock(mu);
            finished = true;
        }
        // Work posted just before `finished` was set must still run (it will fail fast).
        ioc.restart();
        ioc.poll();
        trace::emit(
            current_ident(), trace::Kind::closed,
            {{trace::key::code, std::to_string(close_code)}, {trace::key::reason, close_reason}});
        // OpenSSL's per-thread state (its error queue) goes now, not in a thread-exit
        // destructor that may still be running when a process ends (LeakSanitizer saw it).
        OPENSSL_thread_stop();
        messages.close();
    }

    void read_next() {
        visit([&](auto& s) {
            s.async_read(buffer, [this](beast::error_code ec, std::size_t) { on_read(ec); });
        });
    }

    void on_read(beast::error_code ec) {
        if (ec) {
            std::lock_guard lock(mu);
            if (ec == websocket::error::closed) {
                auto reason = visit([](auto& s) { return s.reason(); });
                close_code = int(reason.code);
                close_reason = std::string(reason.reason.c_str());
            } else {
                close_code = 1006; // abnormal closure: no close frame
                close_reason = ec.message();
            }
            return; // nothing more to read: recv_events ends once the writes are done
        }
        std::string msg = beast::buffers_to_string(buffer.data());
        buffer.consume(buffer.size());
        if (pending > 0) pyrt::Blocked::set_pending(--pending);
        trace::emit(current_ident(), trace::Kind::message, {{trace::key::text, msg}});
        messages.put(std::move(msg));
        read_next();
    }

    void enqueue(Write w) {
        writes.push_back(std::move(w));
        if (!writing) write_next();
    }

    void write_next() {
        if (writes.empty()) {
            writing = false;
            return;
        }
        writing = true;
        Write& w = writes.front();
        auto finish = [this](beast::error_code ec) {
            Write done = std::move(writes.front());
            writes.pop_front();
            done.done(ec);
            write_next();
        };
        visit([&](auto& s) {
            if (w.close) {
                s.async_close(websocket::close_reason(websocket::close_code(w.code)), finish);
            } else {
                pyrt::Blocked::set_pending(++pending);
                s.text(true);
                s.async_write(net::buffer(w.text),
                              [finish](beast::error_code ec, std::size_t) { finish(ec); });
            }
        });
    }

    // From any thread: run `w` on recv_events and wait for it. False if the connection has
    // already ended (nothing runs the io_context any more).
    bool submit(Write w, trace::Wait waiting_on) {
        pyrt::Event done;
        beast::error_code result;
        w.done = [&](beast::error_code ec) {
            result = ec;
            done.set();
        };
        {
            std::lock_guard lock(mu);
            if (finished) return false;
            net::post(ioc, [this, w = std::move(w)]() mutable { enqueue(std::move(w)); });
        }
        done.wait(std::nullopt, waiting_on);
        return !result;
    }
};

// ---- connect() --------------------------------------------------------------------------

namespace {

// Runs one asynchronous step of the opening on the caller's thread, within the deadline.
template <class Start>
void step(net::io_context& ioc, std::chrono::steady_clock::time_point deadline,
          beast::tcp_stream& lowest, const char* what, Start start) {
    bool done = false;
    beast::error_code result;
    start([&](beast::error_code ec, auto&&...) {
        result = ec;
        done = true;
    });
    ioc.restart();
    ioc.run_until(deadline);
    if (!done) { // too slow: abandon the socket, let the operation finish with an error
        lowest.socket().close();
        ioc.restart();
        ioc.run();
        throw ConnectError(std::string(what) + " timed out");
    }
    if (result) throw ConnectError(std::string(what) + " failed: " + result.message());
}

} // namespace

std::shared_ptr<ClientConnection> connect(std::string_view uri_text, double open_timeout_s) {
    pyrt::Blocked blocked(trace::Wait::connect);
    const detail::Uri uri = detail::parse_uri(uri_text);
    auto impl = std::make_unique<ClientConnection::Impl>();
    impl->uri = std::string(uri_text);
    net::io_context& ioc = impl->ioc;
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(open_timeout_s));

    // 1. Resolve (IPv4: the echo server listens on 127.0.0.1).
    tcp::resolver resolver(ioc);
    beast::error_code ec;
    auto endpoints = resolver.resolve(tcp::v4(), uri.host, uri.port, ec);
    if (ec) throw ConnectError("cannot resolve " + uri.host + ": " + ec.message());

    auto open = [&](auto& ws, auto&& tls_handshake) {
        beast::tcp_stream& lowest = beast::get_lowest_layer(ws);
        // 2. TCP.
        step(ioc, deadline, lowest, "TCP connect",
             [&](auto h) { lowest.async_connect(endpoints, h); });
        lowest.socket().set_option(tcp::no_delay(true), ec); // frames leave at once
        // 3. TLS, for wss://.
        tls_handshake(lowest);
        // 4. The WebSocket opening handshake.
        step(ioc, deadline, lowest, "WebSocket handshake",
             [&](auto h) { ws.async_handshake(uri.host + ":" + uri.port, uri.target, h); });
    };

    if (uri.secure) {
        impl->secure = std::make_unique<TlsWs>(ioc, impl->tls);
        auto& ws = *impl->secure;
        detail::verify_peer(impl->tls, ws.next_layer().native_handle(), uri.host);
        open(ws, [&](beast::tcp_stream& lowest) {
            step(ioc, deadline, lowest, "TLS handshake (certificate verification)",
                 [&](auto h) { ws.next_layer().async_handshake(ssl::stream_base::client, h); });
        });
    } else {
        impl->plain = std::make_unique<PlainWs>(ioc);
        auto& ws = *impl->plain;
        open(ws, [](beast::tcp_stream&) {});
    }
    impl->visit([](auto& ws) {
        beast::get_lowest_layer(ws).expires_never();
        websocket::stream_base::timeout t{};
        t.handshake_timeout = std::chrono::seconds(10); // the closing handshake
        t.idle_timeout = websocket::stream_base::none();
        t.keep_alive_pings = false;
        ws.set_option(t);
    });
    ioc.restart();
    trace::emit(current_ident(), trace::Kind::connected, {{trace::key::uri, impl->uri}});
    return std::make_shared<ClientConnection>(std::move(impl));
}

// ---- ClientConnection -------------------------------------------------------------------

ClientConnection::ClientConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {
    // The receiver keeps the insides alive for as long as it runs, whatever happens to us.
    std::shared_ptr<Impl> inside(std::move(impl_));
    pyrt::Thread::Args args{.target = [inside] { inside->recv_events(); }, .name = "recv_events"};
    switch (receiver_policy()) {
    case ReceiverPolicy::inherit:
    case ReceiverPolicy::library: // the model's library is <= 12.0 unless told otherwise
        break;                    // websockets <= 12.0: no daemon argument at all
    case ReceiverPolicy::daemon:
        args.daemon = true;
        break; // >= 13.0
    case ReceiverPolicy::non_daemon:
        args.daemon = false;
        break;
    }
    inside->recv_thread = pyrt::make(std::move(args));
    shared_ = inside;
    inside->recv_thread->start();
}

ClientConnection::~ClientConnection() = default;

std::shared_ptr<pyrt::Thread> ClientConnection::recv_events_thread() const {
    return shared_->recv_thread;
}

std::optional<std::string> ClientConnection::recv(std::optional<double> timeout_s) {
    if (auto m = shared_->messages.get(timeout_s, trace::Wait::message)) return m;
    std::lock_guard lock(shared_->mu);
    if (!shared_->finished && timeout_s) return std::nullopt; // timed out, still open
    throw ConnectionClosed(shared_->close_code, shared_->close_reason);
}

void ClientConnection::send(std::string_view message) {
    Impl::Write w;
    w.text = std::string(message);
    if (!shared_->submit(std::move(w), trace::Wait::send)) {
        std::lock_guard lock(shared_->mu);
        throw ConnectionClosed(shared_->close_code, shared_->close_reason);
    }
}

void ClientConnection::close(int code, std::string_view /*reason*/) {
    bool first;
    {
        std::lock_guard lock(shared_->mu);
        first = !shared_->close_started;
        shared_->close_started = true;
    }
    if (first) {
        Impl::Write w;
        w.close = true;
        w.code = code;
        shared_->submit(std::move(w), trace::Wait::close); // false: the peer closed first; fine
    }
    // Then wait for recv_events to see the closing handshake through (websockets joins it).
    if (&pyrt::current_thread() != shared_->recv_thread.get()) shared_->recv_thread->join();
}

ClientConnection::iterator& ClientConnection::iterator::operator++() {
    try {
        msg_ = *ws_->recv();
    } catch (const ConnectionClosed& e) {
        if (!e.ok()) throw;
        ws_ = nullptr; // a normal close ends the iteration
    }
    return *this;
}

} // namespace wsync
