// room_server.cpp — Beast HTTP for the workshop room, and the server itself (see
// room_server.hpp); an attendee's WebSocket is room_socket.cpp.
#include "lab/room/room_server_impl.hpp"

namespace lab {

// ---- HttpSession ----------------------------------------------------------------------------

HttpSession::HttpSession(RoomServer::Impl& server, beast::tcp_stream s, ConnectionSlot slot,
                         net::ip::address peer, PeerSlot peer_slot)
    : server_(server), stream_(std::move(s)), slot_(std::move(slot)), peer_(peer),
      peer_slot_(std::move(peer_slot)) {
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
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         // Half a request, then nothing until the deadline: a strike (a
                         // browser's idle keep-alive connection has sent nothing).
                         if (ec == beast::error::timeout && self->buffer_.size() > 0)
                             self->server_.strike(self->peer_);
                         if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
                             ec == net::error::operation_aborted)
                             return self->close();
                         if (ec == http::error::header_limit || ec == http::error::buffer_overflow)
                             return self->refuse(http::status::request_header_fields_too_large,
                                                 "http.too-large");
                         if (ec == http::error::body_limit)
                             return self->refuse(http::status::payload_too_large, "http.too-large");
                         if (ec == http::error::partial_message) {
                             self->server_.strike(self->peer_);
                             return self->close();
                         }
                         if (ec.category() == beast::error_code(http::error::bad_target).category())
                             return self->refuse(http::status::bad_request, "http.bad-request");
                         if (ec) return self->close();
                         self->on_request();
                     });
}

void HttpSession::refuse(http::status status, std::string_view page) {
    server_.strike(peer_);
    respond(status, room::html_page(server_.strings, page), "text/html; charset=utf-8", false);
}

void HttpSession::on_request() {
    auto& req = parser_->get();
    const bool upgrade = websocket::is_upgrade(req);
    room::Decision d = room::decide(
        std::string_view(req.method_string().data(), req.method_string().size()),
        std::string_view(req.target().data(), req.target().size()), upgrade, server_.room_code());
    const bool keep = req.keep_alive() && ++served_ < room_server::kMaxRequestsPerConnection;
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
    case room::Route::icon:
        return respond(http::status::ok, std::string(room_asset("icon.svg")), "image/svg+xml",
                       keep);
    case room::Route::join_page:
        return respond(http::status::ok, room::html_page(server_.strings, {}, true),
                       "text/html; charset=utf-8", keep);
    case room::Route::redirect:
        return respond(http::status::moved_permanently, {}, "text/plain", keep,
                       "/" + server_.room_code() + "/");
    case room::Route::joined: // a form's answer, not a moved page
        return respond(http::status::see_other, {}, "text/plain", keep,
                       "/" + server_.room_code() + "/");
    case room::Route::socket: {
        // A page of this room only: a browser sends its page's origin, which must be us.
        auto origin = req.find(http::field::origin);
        auto host = req.find(http::field::host);
        if (origin != req.end() &&
            (host == req.end() || origin->value() != "http://" + std::string(host->value()))) {
            return refuse(http::status::forbidden, "http.wrong-origin");
        }
        // No place: the page is still answered over a WebSocket, to say so (a refused
        // upgrade would only show "Connecting…" on the phone).
        const bool full = !server_.room.join(d.attendee, peer_.to_string());
        if (full) server_.count([](RoomServerStats& st) { ++st.refused_full; });
        stream_.expires_never(); // the WebSocket's own timeouts from here
        auto ws = std::make_shared<WsSession>(server_, std::move(stream_), std::move(slot_),
                                              std::move(peer_slot_), d.attendee, full);
        server_.sockets.push_back(ws);
        ws->start(parser_->release());
        return;
    }
    case room::Route::bad_method:
        return refuse(http::status::method_not_allowed, "http.bad-method");
    case room::Route::wrong_code:
        return refuse(http::status::forbidden, "http.wrong-code");
    case room::Route::not_found: // not hostile (a browser's own guesses): no strike
        return respond(http::status::not_found, room::html_page(server_.strings, "http.not-found"),
                       "text/html; charset=utf-8", keep);
    case room::Route::bad_request:
        return refuse(http::status::bad_request, "http.bad-request");
    }
}

void HttpSession::respond(http::status status, std::string body, std::string_view type, bool keep,
                          std::string_view location) {
    res_ = std::make_shared<http::response<http::string_body>>(status, 11);
    auto& res = *res_;
    res.set(http::field::server, "daemonlab-room");
    res.set(http::field::content_type, std::string(type));
    res.set(http::field::cache_control, "no-store");
    res.set("Content-Security-Policy", room_server::kCsp);
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
    m.listener.run();
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
            m.listener.close();
            m.ticker.cancel();
            for (auto& w : m.https)
                if (auto s = w.lock()) s->close();
            // Every page is told the room closed, then whatever is left is closed at 300 ms.
            bool told = false;
            for (auto& w : m.sockets)
                if (auto s = w.lock()) {
                    s->goodbye();
                    told = true;
                }
            auto close_all = [&m] {
                for (auto& w : m.sockets)
                    if (auto s = w.lock()) s->close();
            };
            if (!told) return close_all();
            m.goodbye_timer.expires_after(std::chrono::milliseconds(300));
            m.goodbye_timer.async_wait([close_all](beast::error_code) { close_all(); });
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
    RoomServerStats s;
    {
        std::lock_guard lock(impl_->stats_mu);
        s = impl_->stats;
    }
    s.refused_full += impl_->listener.refused(); // over the connection cap
    return s;
}

} // namespace lab
