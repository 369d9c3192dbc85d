// room_server_impl.hpp — the room server's insides, shared by room_server.cpp (the server,
// its HTTP connections) and room_socket.cpp (an attendee's WebSocket). Private to lab/room.
#pragma once

#include "lab/model/strings.hpp"
#include "lab/net/listener.hpp"
#include "lab/room/room_protocol.hpp"
#include "lab/room/room_server.hpp"
#include "lab/room/strikes.hpp"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <list>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace lab {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace room_server { // limits and the page's policy

// form-action 'self': the join page's form (GET /join?code=...), no script needed.
constexpr const char* kCsp = "default-src 'none'; script-src 'self'; style-src 'self'; "
                             "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                             "form-action 'self'; frame-ancestors 'none'";
constexpr int kMaxRequestsPerConnection = 32;
constexpr std::size_t kMaxOutbox = 8; // messages queued for a page that does not read
// Votes in a row beyond a page's rate before it is dropped: a thumb tapping fast stays (its
// extra taps are ignored), a script flooding the server goes.
constexpr int kMaxOverRate = 64;

} // namespace room_server

// One connection counted against its peer's address while it lives (moved from the HTTP
// session to the WebSocket with the connection). On the server's thread only.
class PeerSlot {
  public:
    using Counts = std::map<net::ip::address, std::size_t>;
    PeerSlot() = default;
    PeerSlot(Counts& counts, net::ip::address a) : counts_(&counts), address_(a) { ++counts[a]; }
    PeerSlot(PeerSlot&& o) noexcept
        : counts_(std::exchange(o.counts_, nullptr)), address_(o.address_) {}
    PeerSlot& operator=(PeerSlot&&) = delete;
    ~PeerSlot() {
        if (!counts_) return;
        auto it = counts_->find(address_);
        if (it != counts_->end() && --it->second == 0) counts_->erase(it);
    }

  private:
    Counts* counts_ = nullptr;
    net::ip::address address_;
};

// ---- one attendee's WebSocket ---------------------------------------------------------------

class WsSession : public std::enable_shared_from_this<WsSession> {
  public:
    // full: the room had no place for this attendee; the page is told so ("room-full", after
    // its strings) instead of failing to connect and retrying in silence.
    WsSession(RoomServer::Impl& server, beast::tcp_stream stream, ConnectionSlot slot,
              PeerSlot peer, std::string attendee, bool full = false);
    ~WsSession();
    void start(http::request<http::empty_body> req);
    void state_changed(); // post-free: runs on the server's thread
    void close();
    // The room is closing: a close frame that says so ("room-closed"), so the page tells its
    // attendee instead of reconnecting forever; closed hard when a write is in flight.
    void goodbye();

  private:
    void refuse_full();
    void read();
    void on_message();
    void send(std::string msg);
    void write_next();
    void drop(websocket::close_code why);

    RoomServer::Impl& server_;
    websocket::stream<beast::tcp_stream> ws_;
    ConnectionSlot slot_; // from its HTTP connection: still one connection
    PeerSlot peer_;
    std::string attendee_;
    beast::flat_buffer buffer_;
    std::deque<std::string> outbox_;
    bool writing_ = false, state_pending_ = false, open_ = false, closing_ = false;
    bool full_ = false;
    double tokens_;
    int over_rate_ = 0; // votes in a row beyond the rate: ignored, a flood is dropped
    Clock::time_point refilled_ = Clock::now();
};

// ---- one HTTP connection (until it asks for a WebSocket) ------------------------------------

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(RoomServer::Impl& server, beast::tcp_stream s, ConnectionSlot slot,
                net::ip::address peer, PeerSlot peer_slot);
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
    // A request refused for what it is: a strike against its address, the error page, closed.
    void refuse(http::status status, std::string_view page);

    RoomServer::Impl& server_;
    beast::tcp_stream stream_;
    ConnectionSlot slot_;
    net::ip::address peer_;
    PeerSlot peer_slot_;
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
    PeerSlot::Counts live_from; // connections by address (the sessions' PeerSlots)
    net::io_context ioc{1};
    Listener listener{
        ioc,
        {.max_connections = max_connections(), .handshake_timeout = options.request_timeout},
        {.on_accept = [this](beast::tcp_stream s, ConnectionSlot slot) {
            on_accepted(std::move(s), std::move(slot));
        }}};
    net::steady_timer ticker{ioc};
    net::steady_timer goodbye_timer{ioc}; // stop(): how long the pages get to hear it
    std::string address;
    std::uint16_t port = 0;
    std::thread thread;
    std::once_flag stopped;
    std::uint64_t shown_version = 0;
    // Live sessions, so stop() can close them and a change reaches every page.
    std::list<std::weak_ptr<HttpSession>> https;
    std::list<std::weak_ptr<WsSession>> sockets;
    room::StrikeTable strikes{{.max_strikes = options.max_bad_requests,
                               .window = options.bad_request_ban}}; // hostile requests

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
        listener.open({addr, options.port}, ec);
        if (ec == net::error::address_in_use)
            throw std::runtime_error(
                "room: port " + std::to_string(options.port) + " on " + options.address +
                " is in use (another room, or another program, has it): choose another port "
                "(daemonlab room --port N, daemonlab gui --room-port N, or the room's settings), "
                "or 0 for any free one");
        if (ec)
            throw std::runtime_error("room: cannot listen on " + options.address + ":" +
                                     std::to_string(options.port) + ": " + ec.message() +
                                     " (is that address on this machine, and the port free? "
                                     "try --port 0 for any free port)");
        address = addr.to_string();
        port = listener.local_endpoint().port();
    }

    std::size_t max_connections() const {
        return options.max_connections ? options.max_connections : room.max_attendees() + 64;
    }

    std::size_t max_connections_per_address() const {
        return options.max_connections_per_address ? options.max_connections_per_address
                                                   : room.max_per_address() + 64;
    }

    bool banned(const net::ip::address& a) { return strikes.banned(a.to_string(), Clock::now()); }
    void strike(const net::ip::address& a) {
        count([](RoomServerStats& s) { ++s.refused_bad; });
        strikes.strike(a.to_string(), Clock::now());
    }

    // Each connection the listener takes (close-on-exec, under the cap, its first request
    // due within request_timeout): refused when its address is banned or holds its share of
    // connections, else served.
    void on_accepted(beast::tcp_stream s, ConnectionSlot slot) {
        count([](RoomServerStats& st) { ++st.accepted; });
        beast::error_code ec;
        const auto peer = s.socket().remote_endpoint(ec).address();
        if (ec) return; // gone already
        if (banned(peer)) {
            count([](RoomServerStats& st) { ++st.refused_bad; });
            return; // s closes here
        }
        if (auto it = live_from.find(peer);
            it != live_from.end() && it->second >= max_connections_per_address()) {
            count([](RoomServerStats& st) { ++st.refused_full; });
            return;
        }
        auto session = std::make_shared<HttpSession>(*this, std::move(s), std::move(slot), peer,
                                                     PeerSlot(live_from, peer));
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
            if (ec || !listener.is_open()) return;
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
};

} // namespace lab
