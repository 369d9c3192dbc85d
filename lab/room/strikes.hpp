// strikes.hpp — the room server's record of hostile requests by network address: after
// `max_strikes` within `window`, an address is refused for `window`.
//
// Bounded (`max_entries` addresses), and bounding never lifts a ban: when the table is full it
// forgets, first, addresses whose strikes are old, then the unbanned address that struck
// longest ago; when every entry is a live ban it records nothing new (a new address is not
// banned sooner, nobody banned is let back in early). A plain object, used on the server's
// thread; the time is given, so tests need no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace lab::room {

class StrikeTable {
  public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        std::size_t max_strikes = 200;
        std::chrono::milliseconds window{60'000}; // strikes counted over it; the ban's length
        std::size_t max_entries = 4096;
    };
    explicit StrikeTable(Limits limits) : limits_(limits) {}

    bool banned(const std::string& address, Clock::time_point now) const;
    // One more strike; returns true when the address is banned (now or already).
    bool strike(const std::string& address, Clock::time_point now);
    std::size_t size() const { return entries_.size(); }

  private:
    struct Entry {
        std::size_t count = 0;
        Clock::time_point since, banned_until;
    };
    bool make_room(Clock::time_point now); // false: every entry is a live ban

    Limits limits_;
    std::map<std::string, Entry> entries_;
};

} // namespace lab::room
