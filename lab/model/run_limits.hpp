// run_limits.hpp — the limits a run's verdict depends on, kept consistent with each other.
//
// A hang is confirmed when nothing has moved for `grace` ms after it is suspected; a run that
// neither ends nor hangs is killed at its timeout. The timeout is derived from the grace, so
// a hang can always be confirmed before the timeout fires; and a grace shorter than
// kMinGraceMs is refused, because the host then calls "hung" a demo that was only slow to
// move on (measured: docs/RELIABILITY.md, "--grace").
#pragma once

#include <string>
#include <string_view>

namespace lab {

inline constexpr int kMinGraceMs = 100;
inline constexpr int kMaxGraceMs = 60'000;
inline constexpr int kDefaultTimeoutMs = 20'000;
// --io-grace: a wait on I/O with nobody of the program's tree to answer (io_wait.hpp).
inline constexpr int kDefaultIoGraceMs = 5'000;
// How long the GUI may keep a confirmed hang alive (RunOptions::keep_hung_ms): 10 minutes.
inline constexpr int kMaxKeepHungMs = 600'000;

// The run's time limit: timeout_ms when it is longer than the grace (a time the user set is
// kept), else grace_ms + 10 s: room to reach the hang and then to confirm it.
int run_timeout_ms(int grace_ms, int timeout_ms = kDefaultTimeoutMs);

// --grace MS: a decimal integer of milliseconds, kMinGraceMs..kMaxGraceMs, nothing else
// (no sign, no hex, no exponent, no unit). Returns "" and sets `out`, or says what is wrong.
// --io-grace MS (io_wait.hpp) is read by the same rule: `flag_name` names it in the message.
std::string parse_grace_ms(const std::string& text, int& out,
                           std::string_view flag_name = "--grace");

} // namespace lab
