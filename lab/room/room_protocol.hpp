// room_protocol.hpp — what crosses the wire between the room server and attendees' pages.
//
// Every byte from a page is hostile. Requests are judged here, by pure functions the server
// and the fuzzer share:
//   GET /CODE/            the page            GET /CODE/room.js, /CODE/room.css  its parts
//   GET /CODE/ws?id=ID    the WebSocket (ID: the attendee's id, made up by the page)
//   GET /CODE             redirect to /CODE/  GET /CODE/icon.svg, /favicon.ico  the icon
//   GET /                 "type the code"     GET /join?code=CODE  redirect to /CODE/
//   GET /room.css         the style (for the pages without a code)
//   anything else: refused, and why (an HTML page in both languages)
// The room code is in the path of every request, so the page's relative URLs carry it.
// The one message a page may send is a vote: {"round":N,"vote":"exits"|"hangs"}, at most
// kMaxVoteBytes. The server sends JSON: "hello" (the page's strings, once), "state" (what is
// on show), "ack" (a vote was counted). Attendees never receive or send code.
#pragma once

#include "lab/model/strings.hpp"
#include "lab/room/room.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lab::room {

inline constexpr std::size_t kMaxHeaderBytes = 4096; // a whole request head
inline constexpr std::size_t kMaxTargetBytes = 256;
inline constexpr std::size_t kMaxVoteBytes = 128;
inline constexpr std::size_t kCodeLength = 6;
// Room codes: no 0/O, 1/I; typed case-insensitively.
inline constexpr std::string_view kCodeAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

// A fresh random room code (getrandom).
std::string make_code();
// "k7qf3m" -> "K7QF3M"; empty when it is not a valid code.
std::string normalize_code(std::string_view code);

enum class Route {
    page,
    script,
    style,
    icon,
    join_page,   // "/": type the code
    socket,      // WebSocket upgrade, attendee id in `attendee`
    redirect,    // /CODE -> /CODE/ (301)
    joined,      // /join?code=CODE -> /CODE/ (303: a form's answer)
    bad_method,  // 405
    wrong_code,  // 403: a path that names another room
    not_found,   // 404
    bad_request, // 400: a target we do not accept (too long, odd characters, bad query)
};
struct Decision {
    Route route = Route::not_found;
    std::string attendee; // socket
    int status() const;   // the HTTP status that goes with it (101 for socket, 200, 301...)
};

// Judges one request's method, target and whether it asks for a WebSocket upgrade.
Decision decide(std::string_view method, std::string_view target, bool upgrade,
                std::string_view code);

// Parses a whole request head (what arrived before the first empty line, with it) with the
// server's limits, then decides. Returns nothing for bytes that are not an HTTP request
// within the limits (the server answers 400 / 431 and closes). Used by the fuzzer and tests.
std::optional<Decision> parse_and_decide(std::string_view bytes, std::string_view code);

struct Vote {
    std::uint64_t round = 0;
    bool exits = false;
};
// Exactly {"round":N,"vote":"exits"|"hangs"} (keys in any order, nothing else), at most
// kMaxVoteBytes, N a positive integer. Anything else: nothing, and `why` says what.
std::optional<Vote> parse_vote(std::string_view text, std::string* why = nullptr);

// Server -> page messages (JSON; the page puts every text into textContent, never HTML).
std::string hello_message(const Strings& page_strings, std::size_t max_attendees);
std::string state_message(const RoomSnapshot& s, std::optional<bool> you);
std::string ack_message(std::uint64_t round, bool exits, VoteResult result);

// The pages without the room's script: an error (`key`: one of content/room.toml's http.*)
// or, with `join`, the "type the code" page. HTML, UTF-8, zh + en, a viewport, the room's style.
std::string html_page(const Strings& strings, std::string_view key, bool join = false);

} // namespace lab::room
