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
// drops and comes back keeps its one vote). The room caps how many there can be, and how many
// one network address may bring: a whole class behind one NAT address (a classroom router,
// WSL2, a VM's port-forward) fits, one phone making up ids does not fill the room. A round
// keeps at most max_attendees votes (a vote stays when its page leaves, so leaving and coming
// back with a new id does not free a place), and at most max_per_address from one address.
//
// A question is bound to the setup it was asked with: set_question() with another scenario or
// other switches while votes are open starts a new round (nobody's vote carries over to a
// question they never saw); another step of the same setup keeps the round.
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
    // The accuracy as people read it: "99" for 500 of 502 (never "100" unless all were right,
    // never "0" unless none was: "<1", ">99" would be the wrong words), "" without accuracy.
    std::string percent() const;
};

enum class VoteResult { counted, changed, not_voting, stale_round, room_full, bad_attendee };
std::string_view to_string(VoteResult r);

struct RoomOptions {
    std::size_t max_attendees = 500;
    // From one network address (attendees connected at once, votes in one round). Sized for a
    // class behind one NAT address; a larger class behind one address needs it raised.
    std::size_t max_per_address = 150;
};

// "99" from right/voters: rounded down, but ≥1 when some were right (see RoomRound::percent).
std::string accuracy_percent(std::size_t right, std::size_t voters);

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
    // What is on show. Another setup while votes are open: a new round (the old votes are
    // dropped), and it returns true; another step of the same setup keeps the round.
    bool set_question(RoomQuestion q);
    void open_vote(); // a new round: votes cleared, "Will it exit?"
    void start_run(); // the run began: no more votes this round
    // The verdict of the run: ends the round and records it. Returns false when no round was
    // open (a run nobody was asked about).
    bool reveal(RoomAnswer answer, RoomText reason);
    void reset_history();
    // The rounds of an earlier room (lab/room/room_history.hpp): they come before this room's,
    // and its rounds are numbered on from theirs. Only before the first round (false after).
    bool restore_history(std::vector<RoomRound> rounds);

    // ---- attendees (the server's thread)
    // A page connects/disconnects. join() refuses a new attendee when max_attendees are
    // connected, or max_per_address from `from` (the peer's address; "" in tests that do not
    // care); the same id may be connected more than once (two tabs), counted once.
    bool join(const std::string& attendee, const std::string& from = {});
    void leave(const std::string& attendee);
    VoteResult vote(const std::string& attendee, std::uint64_t round, bool exits);
    // What this attendee said in the current round.
    std::optional<bool> vote_of(const std::string& attendee) const;

    RoomSnapshot snapshot() const;
    std::vector<RoomRound> history() const;
    // One row per finished round, in the order they were played, with a header: UTF-8 with a
    // byte-order mark (so a spreadsheet reads 中文, ≤ and · right), the scenario's title and
    // setup in both languages, the lesson step of a step-mode round.
    std::string history_csv() const;

    // Called (outside the lock, from whichever thread changed the room) after every change:
    // the app wakes its frame loop with it. Set it before the room is shared.
    void set_on_change(std::function<void()> fn) { on_change_ = std::move(fn); }

    std::size_t max_attendees() const { return options_.max_attendees; }
    std::size_t max_per_address() const { return options_.max_per_address; }
    static bool valid_attendee(const std::string& id); // 8..64 of [A-Za-z0-9_-]

  private:
    void changed(bool is_public);
    void new_round(); // under the lock

    struct Attendee {
        int connections = 0;
        std::string from;
    };
    struct Ballot {
        bool exits = false;
        std::string from;
    };

    RoomOptions options_;
    std::function<void()> on_change_;
    mutable std::mutex mu_;
    std::uint64_t version_ = 1, public_version_ = 1;
    RoomPhase phase_ = RoomPhase::waiting;
    std::uint64_t round_ = 0;
    RoomQuestion question_;
    std::map<std::string, Attendee> connected_;         // id -> open connections, address
    std::map<std::string, std::size_t> connected_from_; // address -> attendees connected
    std::map<std::string, Ballot> votes_;               // this round (≤ max_attendees)
    std::map<std::string, std::size_t> votes_from_;     // address -> votes this round
    std::optional<RoomRound> last_;
    std::vector<RoomRound> history_;
};

// The CSV field as RFC 4180 wants it (quoted when needed), and safe to open in a spreadsheet
// (a leading = + - @ is prefixed with ').
std::string csv_field(std::string_view s);

} // namespace lab
