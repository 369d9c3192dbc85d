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

void Room::set_question(RoomQuestion q) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (q == question_) return;
    question_ = std::move(q);
    changed(true);
    notify.fire = true;
}

void Room::open_vote() {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    ++round_;
    votes_.clear();
    last_.reset();
    phase_ = RoomPhase::voting;
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
    for (const auto& [id, exits] : votes_) ++(exits ? r.said_exits : r.said_hangs);
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

bool Room::join(const std::string& attendee) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (!valid_attendee(attendee)) return false;
    auto it = connected_.find(attendee);
    if (it == connected_.end()) {
        if (connected_.size() >= options_.max_attendees) return false;
        connected_.emplace(attendee, 1);
    } else {
        ++it->second;
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
    if (--it->second <= 0) connected_.erase(it);
    changed(false);
    notify.fire = true;
}

VoteResult Room::vote(const std::string& attendee, std::uint64_t round, bool exits) {
    Notify notify{on_change_};
    std::lock_guard lock(mu_);
    if (!connected_.contains(attendee)) return VoteResult::bad_attendee;
    if (phase_ != RoomPhase::voting) return VoteResult::not_voting;
    if (round != round_) return VoteResult::stale_round;
    auto [it, inserted] = votes_.try_emplace(attendee, exits);
    if (!inserted) {
        if (it->second == exits) return VoteResult::changed; // the same again: nothing new
        it->second = exits;
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
    return it->second;
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
    for (const auto& [id, exits] : votes_) ++(exits ? s.said_exits : s.said_hangs);
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
    std::vector<RoomRound> rounds = history();
    std::stable_sort(rounds.begin(), rounds.end(), [](const RoomRound& a, const RoomRound& b) {
        return a.question.scenario < b.question.scenario;
    });
    std::string out = "scenario,round,setup,step,voters,said_exits,said_hangs,answer,right,"
                      "accuracy_percent,reason_en,reason_zh,revealed_utc\r\n";
    for (const RoomRound& r : rounds) {
        char when[32] = "";
        std::time_t t = std::time_t(r.revealed_unix);
        std::tm tm{};
        if (gmtime_r(&t, &tm)) std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        std::string acc;
        if (auto a = r.accuracy()) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%.1f", *a * 100.0);
            acc = buf;
        }
        out += csv_field(r.question.scenario) + "," + std::to_string(r.round) + "," +
               csv_field(r.question.setup.en) + "," +
               (r.question.step ? std::to_string(r.question.step) : std::string()) + "," +
               std::to_string(r.voters()) + "," + std::to_string(r.said_exits) + "," +
               std::to_string(r.said_hangs) + "," + std::string(to_string(r.answer)) + "," +
               std::to_string(r.right()) + "," + acc + "," + csv_field(r.reason.en) + "," +
               csv_field(r.reason.zh) + "," + when + "\r\n";
    }
    return out;
}

} // namespace lab
