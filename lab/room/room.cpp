// room.cpp — the room's rounds, votes and history (see room.hpp).
#include "lab/room/room.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace lab {

std::string_view to_string(RoomPhase p) {
    switch (p) {
    case RoomPhase::waiting:
        return "waiting";
    case RoomPhase::voting:
        return "voting";
    case RoomPhase::running:
        return "running";
    case RoomPhase::revealed:
        return "revealed";
    }
    return "waiting";
}

std::string_view to_string(RoomAnswer a) {
    switch (a) {
    case RoomAnswer::exits:
        return "exits";
    case RoomAnswer::hangs:
        return "hangs";
    case RoomAnswer::other:
        break;
    }
    return "other";
}

std::string_view to_string(VoteResult r) {
    switch (r) {
    case VoteResult::counted:
        return "counted";
    case VoteResult::changed:
        return "changed";
    case VoteResult::not_voting:
        return "not-voting";
    case VoteResult::stale_round:
        return "stale-round";
    case VoteResult::room_full:
        return "room-full";
    case VoteResult::bad_attendee:
        return "bad-attendee";
    }
    return "?";
}

std::size_t RoomRound::right() const {
    if (answer == RoomAnswer::exits) return said_exits;
    if (answer == RoomAnswer::hangs) return said_hangs;
    return 0;
}

std::optional<double> RoomRound::accuracy() const {
    if (answer == RoomAnswer::other || voters() == 0) return std::nullopt;
    return double(right()) / double(voters());
}

std::string accuracy_percent(std::size_t right, std::size_t voters) {
    if (voters == 0) return {};
    std::size_t p = right * 100 / voters; // down: 500 of 502 is 99, not 100
    if (p == 0 && right > 0) p = 1;       // and 1 of 502 is not 0
    return std::to_string(p);
}

std::string RoomRound::percent() const {
    return accuracy() ? accuracy_percent(right(), voters()) : std::string();
}

Room::Room(RoomOptions options) : options_(options) {}

namespace {
// Calls the room's on_change when it goes out of scope, after the lock it was made before.
struct Notify {
    const std::function<void()>& fn;
    bool fire = false;
    ~Notify() {
        if (fire && fn) fn();
    }
};
} // namespace

void Room::changed(bool is_public) {
    ++version_;
    if (is_public) ++public_version_;
}

bool Room::valid_attendee(const std::string& id) {
    if (id.size() < 8 || id.size() > 64) return false;
    return std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

bool Room::set_question(RoomQuestion q) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (q == question_) return false;
    const bool other_setup = q.scenario != question_.scenario || q.setup != question_.setup;
    question_ = std::move(q);
    // The votes were about the old setup: they do not carry over to a question nobody saw.
    const bool asked = other_setup && phase_ == RoomPhase::voting;
    if (asked) new_round();
    changed(true);
    notify.fire = true;
    return asked;
}

void Room::new_round() {
    ++round_;
    votes_.clear();
    votes_from_.clear();
    last_.reset();
    phase_ = RoomPhase::voting;
}

void Room::open_vote() {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    new_round();
    changed(true);
    notify.fire = true;
}

void Room::start_run() {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (phase_ != RoomPhase::voting) return;
    phase_ = RoomPhase::running;
    changed(true);
    notify.fire = true;
}

bool Room::reveal(RoomAnswer answer, RoomText reason) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (phase_ != RoomPhase::voting && phase_ != RoomPhase::running) return false;
    RoomRound r;
    r.round = round_;
    r.question = question_;
    for (const auto& [id, b] : votes_) ++(b.exits ? r.said_exits : r.said_hangs);
    r.answer = answer;
    r.reason = std::move(reason);
    r.revealed_unix = std::int64_t(std::time(nullptr));
    history_.push_back(r);
    last_ = std::move(r);
    phase_ = RoomPhase::revealed;
    changed(true);
    notify.fire = true;
    return true;
}

void Room::reset_history() {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    history_.clear();
    changed(false);
    notify.fire = true;
}

bool Room::restore_history(std::vector<RoomRound> rounds) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (round_ != 0 || !history_.empty()) return false;
    for (const RoomRound& r : rounds) round_ = std::max(round_, r.round);
    history_ = std::move(rounds);
    changed(false);
    notify.fire = true;
    return true;
}

bool Room::join(const std::string& attendee, const std::string& from) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (!valid_attendee(attendee)) return false;
    auto it = connected_.find(attendee);
    if (it == connected_.end()) {
        if (connected_.size() >= options_.max_attendees) return false;
        std::size_t& here = connected_from_[from];
        if (here >= options_.max_per_address) return false;
        ++here;
        connected_.emplace(attendee, Attendee{1, from});
    } else {
        ++it->second.connections;
    }
    changed(false);
    notify.fire = true;
    return true;
}

void Room::leave(const std::string& attendee) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    auto it = connected_.find(attendee);
    if (it == connected_.end()) return;
    if (--it->second.connections <= 0) {
        auto f = connected_from_.find(it->second.from);
        if (f != connected_from_.end() && --f->second == 0) connected_from_.erase(f);
        connected_.erase(it);
    }
    changed(false);
    notify.fire = true;
}

VoteResult Room::vote(const std::string& attendee, std::uint64_t round, bool exits) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    auto who = connected_.find(attendee);
    if (who == connected_.end()) return VoteResult::bad_attendee;
    if (phase_ != RoomPhase::voting) return VoteResult::not_voting;
    if (round != round_) return VoteResult::stale_round;
    auto it = votes_.find(attendee);
    const bool inserted = it == votes_.end();
    if (inserted) {
        // Bounded: a round holds max_attendees votes, max_per_address from one address, however
        // many ids come and go.
        const std::string& from = who->second.from;
        std::size_t& n = votes_from_[from];
        if (votes_.size() >= options_.max_attendees || n >= options_.max_per_address) {
            if (n == 0) votes_from_.erase(from);
            return VoteResult::room_full;
        }
        ++n;
        votes_.emplace(attendee, Ballot{exits, from});
    } else {
        if (it->second.exits == exits) return VoteResult::changed; // the same again: nothing new
        it->second.exits = exits;
    }
    changed(false);
    notify.fire = true;
    return inserted ? VoteResult::counted : VoteResult::changed;
}

std::optional<bool> Room::vote_of(const std::string& attendee) const {
    std::lock_guard lock(mu_);
    if (phase_ == RoomPhase::waiting) return std::nullopt;
    auto it = votes_.find(attendee);
    if (it == votes_.end()) return std::nullopt;
    return it->second.exits;
}

RoomSnapshot Room::snapshot() const {
    std::lock_guard lock(mu_);
    RoomSnapshot s;
    s.version = version_;
    s.public_version = public_version_;
    s.phase = phase_;
    s.round = round_;
    s.question = question_;
    s.attendees = connected_.size();
    for (const auto& [id, b] : votes_) ++(b.exits ? s.said_exits : s.said_hangs);
    s.last = last_;
    return s;
}

std::vector<RoomRound> Room::history() const {
    std::lock_guard lock(mu_);
    return history_;
}

std::string csv_field(std::string_view s) {
    // A leading ' keeps a spreadsheet from reading the field as a formula. (Built by appending:
    // v.insert(0, "'") trips GCC 12's false -Wrestrict at -O3, which broke the Release build.)
    std::string v =
        !s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') ? "'" : "";
    v += s;
    if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string Room::history_csv() const {
    const std::vector<RoomRound> rounds = history(); // in time order
    std::string out =
        "\xEF\xBB\xBF" // UTF-8 BOM
        "round,scenario,title_en,title_zh,setup_en,setup_zh,step,steps,step_en,step_zh,"
        "voters,said_exits,said_hangs,answer,right,accuracy_percent,reason_en,"
        "reason_zh,revealed_utc\r\n";
    for (const RoomRound& r : rounds) {
        char when[32] = "";
        std::time_t t = std::time_t(r.revealed_unix);
        std::tm tm{};
        if (gmtime_r(&t, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string acc; // one decimal, rounded down like percent(): 99.9, never 100.0 too soon
        if (r.accuracy()) {
            const std::size_t permille = r.right() * 1000 / r.voters();
            acc = std::to_string(permille / 10) + "." + std::to_string(permille % 10);
        }
        const RoomQuestion& q = r.question;
        const bool step = q.step > 0;
        out += std::to_string(r.round) + "," + csv_field(q.scenario) + "," + csv_field(q.title.en) +
               "," + csv_field(q.title.zh) + "," + csv_field(q.setup.en) + "," +
               csv_field(q.setup.zh) + "," +
               // Two columns: "1/3" would be read as a date.
               (step ? std::to_string(q.step) + "," + std::to_string(q.steps) : std::string(",")) +
               "," + (step ? csv_field(q.step_text.en) : std::string()) + "," +
               (step ? csv_field(q.step_text.zh) : std::string()) + "," +
               std::to_string(r.voters()) + "," + std::to_string(r.said_exits) + "," +
               std::to_string(r.said_hangs) + "," + std::string(to_string(r.answer)) + "," +
               std::to_string(r.right()) + "," + acc + "," + csv_field(r.reason.en) + "," +
               csv_field(r.reason.zh) + "," + when + "\r\n";
    }
    return out;
}

} // namespace lab
