// room_server.cpp — Beast HTTP + WebSocket for the workshop room (see room_server.hpp).
#include "lab/room/room_server.hpp"

#include "lab/model/strings.hpp"
#include "lab/room/room_protocol.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <ifaddrs.h>
#include <list>
#include <map>
#include <mutex>
#include <net/if.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace lab {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kCsp = "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                             "form-action 'none'; frame-ancestors 'none'";
constexpr int kMaxRequestsPerConnection = 32;
constexpr std::size_t kMaxOutbox = 8; // messages queued for a page that does not read

} // namespace

// ---- one attendee's WebSocket ---------------------------------------------------------------

class WsSession : public std::enable_shared_from_this<WsSession> {
  public:
    WsSession(RoomServer::Impl& server, beast::tcp_stream stream, std::string attendee);
    ~WsSession();
    void start(http::request<http::empty_body> req);
    void state_changed(); // post-free: runs on the server's thread
    void close();

  private:
    void read();
    void on_message();
    void send(std::string msg);
    void write_next();
    void drop(websocket::close_code why);

    RoomServer::Impl& server_;
    websocket::stream<beast::tcp_stream> ws_;
    std::string attendee_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    bool writing_ = false, state_pending_ = false, open_ = false, closing_ = false;
    double tokens_;
    Clock::time_point refilled_ = Clock::now();
};

// ---- one HTTP connection (until it asks for a WebSocket) ------------------------------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(RoomServer::Impl& server, tcp::socket s, net::ip::address peer);
    ~HttpSession();
    void start() { read(); }
    void close() {
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

  private:
    void read();
    void on_request();
    void respond(http::status status, std::string body, std::string_view type, bool keep,
                 std::string_view location = {});

    RoomServer::Impl& server_;
    beast::tcp_stream stream_;
    net::ip::address peer_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::empty_body>> parser_;
    std::shared_ptr<http::response<http::string_body>> res_;
    int served_ = 0;
};

struct RoomServer::Impl {
    Room& room;
    RoomServerOptions options;
    Strings strings; // content/room.toml: the page's words, the error pages
    std::string hello;
    // Before the io_context: sessions destroyed with it still count themselves out.
    mutable std::mutex stats_mu;
    RoomServerStats stats;
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    net::steady_timer ticker{ioc};
    std::string address;
    std::uint16_t port = 0;
    std::thread thread;
    std::once_flag stopped;
    std::uint64_t shown_version = 0;
    // Live sessions, so stop() can close them and a change reaches every page.
    std::list<std::weak_ptr<HttpSession>> https;
    std::list<std::weak_ptr<WsSession>> sockets;
    struct Strikes {
        std::size_t count = 0;
        Clock::time_point since, banned_until;
    };
    std::map<net::ip::address, Strikes> strikes; // bad requests by address (bounded)

    Impl(Room& r, RoomServerOptions o) : room(r), options(std::move(o)) {}

    const std::string& room_code() const { return options.code; }

    void count(auto fn) {
        std::lock_guard lock(stats_mu);
        fn(stats);
    }

    void listen() {
        beast::error_code ec;
        const net::ip::address addr = net::ip::make_address(options.address, ec);
        if (ec)
            throw std::runtime_error("room: '" + options.address +
                                     "' is not an IP address (give one of this machine's, "
                                     "e.g. 127.0.0.1 or 192.168.1.20)");
        const tcp::endpoint ep(addr, options.port);
        // Made close-on-exec from the start: a demo spawned by another thread meanwhile must
        // not inherit the listening socket.
        int fd = ::socket(addr.is_v6() ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) throw std::runtime_error(std::string("room: socket: ") + strerror(errno));
        acceptor.assign(ep.protocol(), fd, ec);
        if (ec) {
            ::close(fd);
            throw std::runtime_error("room: " + ec.message());
        }
        acceptor.set_option(net::socket_base::reuse_address(true), ec);
        acceptor.bind(ep, ec);
        if (ec)
            throw std::runtime_error("room: cannot listen on " + options.address + ":" +
                                     std::to_string(options.port) + ": " + ec.message() +
                                     " (is that address on this machine, and the port free? "
                                     "try --port 0 for any free port)");
        acceptor.listen(net::socket_base::max_listen_connections, ec);
        if (ec) throw std::runtime_error("room: listen: " + ec.message());
        acceptor.non_blocking(true, ec);
        address = addr.to_string();
        port = acceptor.local_endpoint().port();
    }

    std::size_t max_connections() const {
        return options.max_connections ? options.max_connections : room.max_attendees() + 64;
    }

    bool banned(const net::ip::address& a) {
        auto it = strikes.find(a);
        return it != strikes.end() && Clock::now() < it->second.banned_until;
    }
    void strike(const net::ip::address& a) {
        count([](RoomServerStats& s) { ++s.refused_bad; });
        if (strikes.size() > 4096) strikes.clear(); // bounded: forgetting is the safe side
        Strikes& s = strikes[a];
        const auto now = Clock::now();
        if (now - s.since > options.bad_request_ban) s = {0, now, {}};
        if (++s.count >= options.max_bad_requests) s.banned_until = now + options.bad_request_ban;
    }

    // Accepts with accept4(SOCK_CLOEXEC): Asio's own accept() would leave the fd inheritable.
    void do_accept() {
        acceptor.async_wait(tcp::acceptor::wait_read, [this](beast::error_code ec) {
            if (ec || !acceptor.is_open()) return; // closed by stop()
            for (;;) {
                sockaddr_storage sa{};
                socklen_t len = sizeof sa;
                int fd = ::accept4(acceptor.native_handle(), reinterpret_cast<sockaddr*>(&sa), &len,
                                   SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0) {
                    if (errno == EINTR || errno == ECONNABORTED) continue;
                    break; // EAGAIN; EMFILE and the like: try again on the next wake
                }
                on_accepted(fd);
            }
            do_accept();
        });
    }

    void on_accepted(int fd) {
        count([](RoomServerStats& s) { ++s.accepted; });
        tcp::socket s(ioc);
        beast::error_code ec;
        s.assign(acceptor.local_endpoint().protocol(), fd, ec);
        if (ec) {
            ::close(fd);
            return;
        }
        const auto peer = s.remote_endpoint(ec).address();
        std::size_t open;
        {
            std::lock_guard lock(stats_mu);
            open = stats.open;
        }
        if (ec || open >= max_connections()) {
            count([](RoomServerStats& st) { ++st.refused_full; });
            return; // s closes here
        }
        if (banned(peer)) {
            count([](RoomServerStats& st) { ++st.refused_bad; });
            return;
        }
        s.set_option(tcp::no_delay(true), ec);
        auto session = std::make_shared<HttpSession>(*this, std::move(s), peer);
        https.remove_if([](const auto& w) { return w.expired(); });
        https.push_back(session);
        session->start();
    }

    // Every 100 ms: when what attendees see changed, every page gets the new state.
    void tick() {
        ticker.expires_after(std::chrono::milliseconds(100));
        ticker.async_wait([this](beast::error_code ec) {
            // stop() cancels the timer, but a wait that had already expired completes without
            // an error: the closed acceptor says the server is stopping (else the io thread
            // would tick on and stop() would wait for it forever).
            if (ec || !acceptor.is_open()) return;
            const std::uint64_t v = room.snapshot().public_version;
            if (v != shown_version) {
                shown_version = v;
                sockets.remove_if([](const auto& w) { return w.expired(); });
                for (auto& w : sockets)
                    if (auto s = w.lock()) s->state_changed();
            }
            tick();
        });
    }

    std::string text(std::string_view key) const {
        return strings.get(key, Lang::zh) + "\n" + strings.get(key, Lang::en) + "\n";
    }
};

// ---- HttpSession ----------------------------------------------------------------------------

HttpSession::HttpSession(RoomServer::Impl& server, tcp::socket s, net::ip::address peer)
    : server_(server), stream_(std::move(s)), peer_(peer) {
    server_.count([](RoomServerStats& st) { ++st.open; });
}

HttpSession::~HttpSession() {
    server_.count([](RoomServerStats& st) { --st.open; });
}

void HttpSession::read() {
    parser_.emplace();
    parser_->header_limit(std::uint32_t(room::kMaxHeaderBytes));
    parser_->body_limit(0); // GET only: a body is refused
    buffer_.max_size(room::kMaxHeaderBytes + 512);
    stream_.expires_after(server_.options.request_timeout);
    http::async_read(
        stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
                ec == net::error::operation_aborted)
                return self->close();
            if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
                self->server_.strike(self->peer_);
                return self->respond(http::status::request_header_fields_too_large,
                                     self->server_.text("http.too-large"), "text/plain", false);
            }
            if (ec == http::error::body_limit) {
                self->server_.strike(self->peer_);
                return self->respond(http::status::payload_too_large,
                                     self->server_.text("http.too-large"), "text/plain", false);
            }
            if (ec) {
                if (ec.category() == beast::error_code(http::error::bad_target).category() ||
                    ec == http::error::partial_message) {
                    self->server_.strike(self->peer_);
                    if (ec != http::error::partial_message)
                        return self->respond(http::status::bad_request,
                                             self->server_.text("http.bad-request"), "text/plain",
                                             false);
                }
                return self->close();
            }
            self->on_request();
        });
}

void HttpSession::on_request() {
    auto& req = parser_->get();
    const bool upgrade = websocket::is_upgrade(req);
    room::Decision d = room::decide(
        std::string_view(req.method_string().data(), req.method_string().size()),
        std::string_view(req.target().data(), req.target().size()), upgrade, server_.room_code());
    const bool keep = req.keep_alive() && ++served_ < kMaxRequestsPerConnection;
    switch (d.route) {
    case room::Route::page:
        return respond(http::status::ok, std::string(room_asset("index.html")),
                       "text/html; charset=utf-8", keep);
    case room::Route::script:
        return respond(http::status::ok, std::string(room_asset("room.js")),
                       "text/javascript; charset=utf-8", keep);
    case room::Route::style:
        return respond(http::status::ok, std::string(room_asset("room.css")),
                       "text/css; charset=utf-8", keep);
    case room::Route::redirect:
        return respond(http::status::moved_permanently, {}, "text/plain", keep,
                       "/" + server_.room_code() + "/");
    case room::Route::socket: {
        // A page of this room only: a browser sends its page's origin, which must be us.
        auto origin = req.find(http::field::origin);
        auto host = req.find(http::field::host);
        if (origin != req.end() &&
            (host == req.end() || origin->value() != "http://" + std::string(host->value()))) {
            server_.strike(peer_);
            return respond(http::status::forbidden, server_.text("http.wrong-origin"), "text/plain",
                           false);
        }
        if (!server_.room.join(d.attendee)) {
            server_.count([](RoomServerStats& st) { ++st.refused_full; });
            return respond(http::status::service_unavailable, server_.text("http.room-full"),
                           "text/plain", false);
        }
        stream_.expires_never(); // the WebSocket's own timeouts from here
        auto ws = std::make_shared<WsSession>(server_, std::move(stream_), d.attendee);
        server_.sockets.push_back(ws);
        ws->start(parser_->release());
        return;
    }
    case room::Route::bad_method:
        server_.strike(peer_);
        return respond(http::status::method_not_allowed, server_.text("http.bad-method"),
                       "text/plain", false);
    case room::Route::wrong_code:
        server_.strike(peer_);
        return respond(http::status::forbidden, server_.text("http.wrong-code"), "text/plain",
                       false);
    case room::Route::not_found:
        server_.strike(peer_);
        return respond(http::status::not_found, server_.text("http.not-found"), "text/plain",
                       false);
    case room::Route::bad_request:
        server_.strike(peer_);
        return respond(http::status::bad_request, server_.text("http.bad-request"), "text/plain",
                       false);
    }
}

void HttpSession::respond(http::status status, std::string body, std::string_view type, bool keep,
                          std::string_view location) {
    res_ = std::make_shared<http::response<http::string_body>>(status, 11);
    auto& res = *res_;
    res.set(http::field::server, "daemonlab-room");
    res.set(http::field::content_type, std::string(type));
    res.set(http::field::cache_control, "no-store");
    res.set("Content-Security-Policy", kCsp);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("X-Frame-Options", "DENY");
    res.set("Referrer-Policy", "no-referrer");
    res.set("Cross-Origin-Resource-Policy", "same-origin");
    if (!location.empty()) res.set(http::field::location, std::string(location));
    res.keep_alive(keep);
    res.body() = std::move(body);
    res.prepare_payload();
    stream_.expires_after(server_.options.request_timeout);
    http::async_write(stream_, res,
                      [self = shared_from_this(), keep](beast::error_code ec, std::size_t) {
                          if (ec || !keep) {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                              return self->close();
                          }
                          self->read();
                      });
}

// ---- WsSession ------------------------------------------------------------------------------

WsSession::WsSession(RoomServer::Impl& server, beast::tcp_stream stream, std::string attendee)
    : server_(server), ws_(std::move(stream)), attendee_(std::move(attendee)),
      tokens_(server.options.vote_burst) {
    server_.count([](RoomServerStats& st) {
        ++st.open;
        ++st.sockets;
    });
}

WsSession::~WsSession() {
    server_.room.leave(attendee_);
    server_.count([](RoomServerStats& st) {
        --st.open;
        --st.sockets;
    });
}

void WsSession::start(http::request<http::empty_body> req) {
    websocket::stream_base::timeout t{};
    t.handshake_timeout = server_.options.request_timeout;
    t.idle_timeout = server_.options.idle_timeout; // a ping at half, closed at the whole
    t.keep_alive_pings = true;
    ws_.set_option(t);
    ws_.read_message_max(room::kMaxVoteBytes);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "daemonlab-room"); }));
    ws_.async_accept(req, [self = shared_from_this()](beast::error_code ec) {
        if (ec) return;
        self->open_ = true;
        self->send(self->server_.hello);
        self->state_changed();
        self->read();
    });
}

void WsSession::state_changed() {
    if (!open_ || closing_) return;
    state_pending_ = true;
    if (!writing_) write_next();
}

void WsSession::close() {
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
}

void WsSession::read() {
    buffer_.consume(buffer_.size());
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec == websocket::error::message_too_big) {
            self->server_.count([](RoomServerStats& st) { ++st.dropped_sockets; });
            return self->drop(websocket::close_code::too_big);
        }
        if (ec) return; // closed, timed out, or the server stops
        self->on_message();
    });
}

void WsSession::on_message() {
    // Rate: a bucket of vote_burst tokens, refilled at votes_per_second.
    const auto now = Clock::now();
    tokens_ = std::min(server_.options.vote_burst,
                       tokens_ + std::chrono::duration<double>(now - refilled_).count() *
                                     server_.options.votes_per_second);
    refilled_ = now;
    if (tokens_ < 1) {
        server_.count([](RoomServerStats& st) { ++st.dropped_sockets; });
        return drop(websocket::close_code::policy_error);
    }
    tokens_ -= 1;
    const std::string text = beast::buffers_to_string(buffer_.data());
    std::optional<room::Vote> v = ws_.got_text() ? room::parse_vote(text) : std::nullopt;
    if (!v) {
        server_.count([](RoomServerStats& st) { ++st.dropped_sockets; });
        return drop(websocket::close_code::policy_error);
    }
    const VoteResult r = server_.room.vote(attendee_, v->round, v->exits);
    if (r == VoteResult::counted || r == VoteResult::changed)
        server_.count([](RoomServerStats& st) { ++st.votes; });
    send(room::ack_message(v->round, v->exits, r));
    read();
}

void WsSession::send(std::string msg) {
    if (outbox_.size() >= kMaxOutbox) { // a page that does not read: let it go
        server_.count([](RoomServerStats& st) { ++st.dropped_sockets; });
        return close();
    }
    outbox_.push_back(std::move(msg));
    if (!writing_) write_next();
}

void WsSession::write_next() {
    if (outbox_.empty() && state_pending_) {
        state_pending_ = false;
        outbox_.push_back(
            room::state_message(server_.room.snapshot(), server_.room.vote_of(attendee_)));
    }
    if (outbox_.empty() || closing_) return;
    writing_ = true;
    ws_.text(true);
    ws_.async_write(net::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->writing_ = false;
                        if (ec) return self->close();
                        self->outbox_.pop_front();
                        self->write_next();
                    });
}

void WsSession::drop(websocket::close_code why) {
    if (closing_) return;
    closing_ = true;
    if (writing_) return close(); // cannot write a close frame over a write in flight
    ws_.async_close(why, [self = shared_from_this()](beast::error_code) { self->close(); });
}

// ---- RoomServer -----------------------------------------------------------------------------

RoomServer::RoomServer(Room& room, RoomServerOptions options)
    : impl_(std::make_unique<Impl>(room, std::move(options))) {
    Impl& m = *impl_;
    if (m.options.code.empty()) {
        m.options.code = room::make_code();
    } else {
        std::string c = room::normalize_code(m.options.code);
        if (c.empty())
            throw std::runtime_error("room: the code '" + m.options.code + "' is not " +
                                     std::to_string(room::kCodeLength) + " characters of " +
                                     std::string(room::kCodeAlphabet));
        m.options.code = c;
    }
    m.strings.load(content_dir() + "/room.toml"); // missing words show as their keys
    m.hello = room::hello_message(m.strings, room.max_attendees());
    m.listen();
    m.do_accept();
    m.tick();
    m.thread = std::thread([&m] { m.ioc.run(); });
}

RoomServer::~RoomServer() {
    stop();
}

void RoomServer::stop() {
    Impl& m = *impl_;
    std::call_once(m.stopped, [&m] {
        net::post(m.ioc, [&m] {
            beast::error_code ignored;
            m.acceptor.close(ignored);
            m.ticker.cancel();
            for (auto& w : m.https)
                if (auto s = w.lock()) s->close();
            for (auto& w : m.sockets)
                if (auto s = w.lock()) s->close();
        });
        m.thread.join();
    });
}

const std::string& RoomServer::code() const {
    return impl_->options.code;
}
const std::string& RoomServer::address() const {
    return impl_->address;
}
std::uint16_t RoomServer::port() const {
    return impl_->port;
}
std::string RoomServer::url() const {
    const std::string& a = impl_->address;
    const std::string host = a.find(':') != std::string::npos ? "[" + a + "]" : a;
    return "http://" + host + ":" + std::to_string(port()) + "/" + code() + "/";
}
RoomServerStats RoomServer::stats() const {
    std::lock_guard lock(impl_->stats_mu);
    return impl_->stats;
}

std::optional<std::string> default_lan_address() {
    // /proc/net/route: the line whose destination is 00000000 names the default interface.
    // (Read with O_CLOEXEC: a demo spawned meanwhile must not inherit even this.)
    std::string text;
    if (int fd = ::open("/proc/net/route", O_RDONLY | O_CLOEXEC); fd >= 0) {
        char buf[4096];
        for (ssize_t n; text.size() < (1 << 20) && (n = ::read(fd, buf, sizeof buf)) > 0;)
            text.append(buf, std::size_t(n));
        ::close(fd);
    }
    std::istringstream f(text);
    std::string line, iface;
    std::getline(f, line); // header
    while (std::getline(f, line)) {
        std::istringstream ss(line);
        std::string name, dest;
        if (ss >> name >> dest && dest == "00000000") {
            iface = name;
            break;
        }
    }
    if (iface.empty()) return std::nullopt;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> out;
    for (ifaddrs* a = list; a; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && iface == a->ifa_name) {
            char buf[INET_ADDRSTRLEN];
            const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf)) out = buf;
            break;
        }
    freeifaddrs(list);
    return out;
}

} // namespace lab
