// room_run.hpp — between a run and the room: the question a run's switches ask, and the
// answer its verdict gives (used by `daemonlab room` and the app's room panel alike).
#pragma once

#include "lab/model/run_options.hpp"
#include "lab/model/strings.hpp"
#include "lab/room/room.hpp"

#include <cstddef>

namespace lab {

// `strings` holds content/strings.toml and content/room.toml (Strings::load both).
RoomQuestion room_question(const RunOptions& o, const Strings& strings);
RoomAnswer room_answer(Outcome o);
// The verdict's headline and, on lines of their own, the first kMaxReasonLines lines of the
// explanation the presenter's screen gives, in both languages.
inline constexpr std::size_t kMaxReasonLines = 4;
RoomText room_reason(const RunState& st, const Strings& strings);
// Strings with content/strings.toml and content/room.toml; errors go to `error`.
Strings room_strings(std::string* error = nullptr);

} // namespace lab
