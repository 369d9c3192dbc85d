// room_server.hpp — the workshop room's HTTP + WebSocket server (Boost.Beast).
//
// Separate from the echo server: it serves attendees' phones, not demos. One io_context on its
// own thread; it listens only on the address the presenter chose (the tests use loopback) and
// stops when destroyed. It serves the one page (embedded in the binary: assets/room/) and one
// WebSocket per attendee, pushes what is on show when the Room changes, and takes votes — the
// only input it accepts. Every socket is close-on-exec (a demo spawned meanwhile inherits
// none). Caps: attendees (Room: in all, and per address), connections (in all, and per
// address), request sizes, votes per second per page, hostile requests per address; idle
// connections time out, and one that sent half a request and stopped is a strike.
//
// Sized for a class behind one NAT address (a classroom router, WSL2, a VM's port-forward):
// the whole class arrives from one address, so a per-address limit is a limit on the class.
// Only hostile requests are strikes (a wrong code, malformed or oversized, another method, a
// half-sent request); a page that is not there (/favicon.ico, /apple-touch-icon.png) is not.
#pragma once

#include "lab/net/lan_address.hpp" // default_lan_address(), for the room's callers
#include "lab/room/room.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace lab {

struct RoomServerOptions {
    std::string address = "127.0.0.1";           // an IPv4 or IPv6 address of this machine
    std::uint16_t port = 0;                      // 0: any free port
    std::string code;                            // the room code; empty: a random one
    std::size_t max_connections = 0;             // HTTP + WebSocket at once; 0: max_attendees + 64
    std::size_t max_connections_per_address = 0; // 0: the Room's max_per_address + 64
    std::chrono::milliseconds request_timeout{10'000}; // to send a whole request
    std::chrono::milliseconds idle_timeout{60'000};    // a page that answers no ping
    double votes_per_second = 4;                       // per page, after a burst of
    double vote_burst = 8;
    // Hostile requests per address within bad_request_ban, then refused for bad_request_ban.
    // 200 a minute: a class of 40 behind one address mistyping codes stays in; a guesser
    // gets through 200 of 32^6 codes a minute.
    std::size_t max_bad_requests = 200;
    std::chrono::milliseconds bad_request_ban{60'000};
};

struct RoomServerStats {
    std::size_t accepted = 0, open = 0, sockets = 0; // TCP connections; WebSockets open now
    std::size_t refused_full = 0;                    // over the connection or attendee cap
    std::size_t refused_bad = 0;                     // wrong code, malformed, oversized, banned
    std::size_t votes = 0;                           // counted (or changed)
    std::size_t dropped_sockets = 0;                 // closed for a bad message or a flood
};

class RoomServer {
  public:
    // Listens and serves at once. Throws std::runtime_error with a message that names the
    // address and what to do when it cannot listen there.
    RoomServer(Room& room, RoomServerOptions options);
    ~RoomServer(); // stop()
    RoomServer(const RoomServer&) = delete;
    RoomServer& operator=(const RoomServer&) = delete;

    const std::string& code() const;
    const std::string& address() const;
    std::uint16_t port() const;
    std::string url() const; // http://ADDRESS:PORT/CODE/
    RoomServerStats stats() const;

    // Closes the listener and every connection, joins the thread. Idempotent.
    void stop();

    struct Impl; // defined in room_server.cpp (its sessions use it)

  private:
    std::unique_ptr<Impl> impl_;
};

// The page's files, embedded at build time: "index.html", "room.js", "room.css".
std::string_view room_asset(std::string_view name);

} // namespace lab
