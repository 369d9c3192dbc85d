// room.hpp — the workshop room's state: what the presenter shows, what the class answered.
//
// A plain object (no sockets, no threads of its own), safe to call from any thread: the room
// server's thread records votes, the presenter's thread (GUI or CLI) moves the room on. One
// round is one question, "Will it exit?", about one scenario with one set of switches:
//
//   waiting ──open_vote()──► voting ──start_run()──► running ──reveal()──► revealed
//                              ▲                                              │
//                              └────────────────open_vote()───────────────────┘
//
// Attendees are named by an id their page makes up (it survives a reconnect, so a phone that
// drops and comes back keeps its one vote). The room caps how many there can be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace lab {

enum class RoomPhase { waiting, voting, running, revealed };
std::string_view to_string(RoomPhase p); // "waiting", "voting", ...

// Both languages of one piece of text shown to attendees.
struct RoomText {
    std::string zh, en;
    bool operator==(const RoomText&) const = default;
};

// What the class is asked about.
struct RoomQuestion {
    std::string scenario;    // scenario id
    RoomText title;          // the scenario's title
    RoomText setup;          // the switches, e.g. "recv_events: inherit · no close()"
    int step = 0, steps = 0; // step mode: the lesson step on show (1-based), 0 when none
    RoomText step_text;
    bool operator==(const RoomQuestion&) const = default;
};

enum class RoomAnswer { exits, hangs, other }; // other: crashed, killed, failed...
std::string_view to_string(RoomAnswer a);

// One finished round, for the history and the CSV.
struct RoomRound {
    std::uint64_t round = 0;
    RoomQuestion question;
    std::size_t said_exits = 0, said_hangs = 0;
    RoomAnswer answer = RoomAnswer::other;
    RoomText reason;
    std::int64_t revealed_unix = 0; // seconds since the epoch
    std::size_t voters() const { return said_exits + said_hangs; }
    std::size_t right() const;              // voters who said what happened
    std::optional<double> accuracy() const; // right / voters, none without votes or answer
};

enum class VoteResult { counted, changed, not_voting, stale_round, room_full, bad_attendee };
std::string_view to_string(VoteResult r);

struct RoomOptions {
    std::size_t max_attendees = 500;
};

// Everything a view needs, copied out under the lock.
struct RoomSnapshot {
    std::uint64_t version = 0;        // changes with anything below
    std::uint64_t public_version = 0; // changes with what attendees see (not the tally)
    RoomPhase phase = RoomPhase::waiting;
    std::uint64_t round = 0;
    RoomQuestion question;
    std::size_t attendees = 0; // connected now
    std::size_t said_exits = 0, said_hangs = 0;
    std::optional<RoomRound> last; // the revealed round (phase revealed)
    std::size_t voters() const { return said_exits + said_hangs; }
};

class Room {
  public:
    explicit Room(RoomOptions options = {});

    // ---- the presenter
    void set_question(RoomQuestion q); // what is on show (a new step keeps the round)
    void open_vote();                  // a new round: votes cleared, "Will it exit?"
    void start_run();                  // the run began: no more votes this round
    // The verdict of the run: ends the round and records it. Returns false when no round was
    // open (a run nobody was asked about).
    bool reveal(RoomAnswer answer, RoomText reason);
    void reset_history();

    // ---- attendees (the server's thread)
    // A page connects/disconnects. join() refuses a new attendee when max_attendees are
    // connected; the same id may be connected more than once (two tabs), counted once.
    bool join(const std::string& attendee);
    void leave(const std::string& attendee);
    VoteResult vote(const std::string& attendee, std::uint64_t round, bool exits);
    // What this attendee said in the current round.
    std::optional<bool> vote_of(const std::string& attendee) const;

    RoomSnapshot snapshot() const;
    std::vector<RoomRound> history() const;
    // One row per finished round, grouped by scenario (then round), with a header.
    std::string history_csv() const;

    // Called (outside the lock, from whichever thread changed the room) after every change:
    // the app wakes its frame loop with it. Set it before the room is shared.
    void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

    std::size_t max_attendees() const { return options_.max_attendees; }
    static bool valid_attendee(const std::string& id); // 8..64 of [A-Za-z0-9_-]

  private:
    void changed(bool is_public);

    RoomOptions options_;
    std::function<void()> on_change_;
    mutable std::mutex mu_;
    std::uint64_t version_ = 1, public_version_ = 1;
    RoomPhase phase_ = RoomPhase::waiting;
    std::uint64_t round_ = 0;
    RoomQuestion question_;
    std::map<std::string, int> connected_; // id -> open connections
    std::map<std::string, bool> votes_;    // this round
    std::optional<RoomRound> last_;
    std::vector<RoomRound> history_;
};

// The CSV field as RFC 4180 wants it (quoted when needed), and safe to open in a spreadsheet
// (a leading = + - @ is prefixed with ').
std::string csv_field(std::string_view s);

} // namespace lab
