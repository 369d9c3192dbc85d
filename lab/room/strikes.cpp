// strikes.cpp — hostile requests counted by address, bans that bounding never lifts (see
// strikes.hpp).
#include "lab/room/strikes.hpp"

namespace lab::room {

bool StrikeTable::banned(const std::string& address, Clock::time_point now) const {
    auto it = entries_.find(address);
    return it != entries_.end() && now < it->second.banned_until;
}

bool StrikeTable::make_room(Clock::time_point now) {
    // Old strikes and ended bans first: forgetting them changes nothing.
    std::erase_if(entries_, [&](const auto& kv) {
        const Entry& e = kv.second;
        return now >= e.banned_until && now - e.since > limits_.window;
    });
    if (entries_.size() < limits_.max_entries) return true;
    // Then the unbanned address that began striking longest ago.
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it)
        if (now >= it->second.banned_until &&
            (oldest == entries_.end() || it->second.since < oldest->second.since))
            oldest = it;
    if (oldest == entries_.end()) return false; // all live bans: keep them all
    entries_.erase(oldest);
    return true;
}

bool StrikeTable::strike(const std::string& address, Clock::time_point now) {
    auto it = entries_.find(address);
    if (it == entries_.end()) {
        if (entries_.size() >= limits_.max_entries && !make_room(now)) return false;
        it = entries_.emplace(address, Entry{0, now, {}}).first;
    }
    Entry& e = it->second;
    if (now < e.banned_until) return true;
    if (now - e.since > limits_.window) e = {0, now, {}};
    if (++e.count >= limits_.max_strikes) e.banned_until = now + limits_.window;
    return now < e.banned_until;
}

} // namespace lab::room
