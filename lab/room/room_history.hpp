// room_history.hpp — the room's finished rounds as JSON, so that they survive a closed room
// and a restarted app (the file itself is kept by lab/term/room_store.hpp).
//
// The file is the presenter's own, but it is read back as untrusted input: bounded (at most
// kMaxHistoryRounds rounds, each text at most kMaxHistoryText bytes), and a round that does
// not parse is left out and said so, never thrown.
#pragma once

#include "lab/room/room.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

inline constexpr std::size_t kMaxHistoryRounds = 2000;
inline constexpr std::size_t kMaxHistoryText = 4096;
inline constexpr std::size_t kMaxHistoryBytes = 16u << 20; // the file read back

// {"version":1,"rounds":[...]}; the last kMaxHistoryRounds rounds.
std::string history_json(const std::vector<RoomRound>& rounds);
// The rounds of history_json()'s text; `why` says what was wrong ("" when nothing was).
std::vector<RoomRound> parse_history(std::string_view text, std::string* why = nullptr);

} // namespace lab
