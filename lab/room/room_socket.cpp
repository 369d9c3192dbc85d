// room_socket.cpp — one attendee's WebSocket: the state pushed to the page, its votes taken
// (rate-limited, strictly parsed), a page that does not read let go.
#include "lab/room/room_server_impl.hpp"

namespace lab {

// ---- WsSession ------------------------------------------------------------------------------

WsSession::WsSession(RoomServer::Impl& server, beast::tcp_stream stream, ConnectionSlot slot,
                     PeerSlot peer, std::string attendee, bool full)
    : server_(server), ws_(std::move(stream)), slot_(std::move(slot)), peer_(std::move(peer)),
      attendee_(std::move(attendee)), full_(full), tokens_(server.options.vote_burst) {
    server_.count([](RoomServerStats& st) {
        ++st.open;
        ++st.sockets;
    });
}

WsSession::~WsSession() {
    if (!full_) server_.room.leave(attendee_);
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
        if (self->full_) return self->refuse_full();
        self->open_ = true;
        self->send(self->server_.hello);
        self->state_changed();
        self->read();
    });
}

void WsSession::refuse_full() {
    closing_ = true; // nothing else is sent, nothing is read
    writing_ = true;
    ws_.text(true);
    ws_.async_write(
        net::buffer(server_.hello), [self = shared_from_this()](beast::error_code ec, std::size_t) {
            self->writing_ = false;
            if (ec) return self->close();
            self->ws_.async_close(
                websocket::close_reason(websocket::close_code::try_again_later, "room-full"),
                [self](beast::error_code) { self->close(); });
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

void WsSession::goodbye() {
    if (!open_ || closing_) return close();
    closing_ = true;
    if (writing_) return close(); // cannot write a close frame over a write in flight
    ws_.async_close(websocket::close_reason(websocket::close_code::going_away, "room-closed"),
                    [self = shared_from_this()](beast::error_code) { self->close(); });
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
        // Quick taps beyond the rate are ignored (the page is sent what counts); only a
        // flood, far beyond what a thumb can do, is dropped.
        if (++over_rate_ > room_server::kMaxOverRate) {
            server_.count([](RoomServerStats& st) { ++st.dropped_sockets; });
            return drop(websocket::close_code::policy_error);
        }
        state_changed();
        return read();
    }
    over_rate_ = 0;
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
    if (outbox_.size() >= room_server::kMaxOutbox) { // a page that does not read: let it go
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

} // namespace lab
