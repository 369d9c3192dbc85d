// room_history.cpp — the room's history as JSON (see room_history.hpp).
#include "lab/room/room_history.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace lab {

using nlohmann::json;

namespace {

json text_json(const RoomText& t) {
    return {{"zh", t.zh}, {"en", t.en}};
}

// A bounded string from `j[key]` ("" when missing or not a string).
std::string bounded(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return {};
    std::string s = it->get<std::string>();
    if (s.size() > kMaxHistoryText) s.resize(kMaxHistoryText);
    return s;
}

RoomText text_of(const json& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_object()) return {};
    return {bounded(*it, "zh"), bounded(*it, "en")};
}

std::uint64_t count_of(const json& j, const char* key, std::uint64_t max) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned()) return 0;
    return std::min(it->get<std::uint64_t>(), max);
}

} // namespace

std::string history_json(const std::vector<RoomRound>& rounds) {
    json list = json::array();
    const std::size_t from =
        rounds.size() > kMaxHistoryRounds ? rounds.size() - kMaxHistoryRounds : 0;
    for (std::size_t i = from; i < rounds.size(); ++i) {
        const RoomRound& r = rounds[i];
        const RoomQuestion& q = r.question;
        list.push_back({{"round", r.round},
                        {"scenario", q.scenario},
                        {"title", text_json(q.title)},
                        {"setup", text_json(q.setup)},
                        {"step", q.step},
                        {"steps", q.steps},
                        {"step_text", text_json(q.step_text)},
                        {"said_exits", r.said_exits},
                        {"said_hangs", r.said_hangs},
                        {"answer", to_string(r.answer)},
                        {"reason", text_json(r.reason)},
                        {"revealed_unix", r.revealed_unix}});
    }
    return json{{"version", 1}, {"rounds", std::move(list)}}.dump(1) + "\n";
}

std::vector<RoomRound> parse_history(std::string_view text, std::string* why) {
    std::vector<RoomRound> out;
    auto fail = [&](std::string w) {
        if (why) *why = std::move(w);
        return out;
    };
    if (why) why->clear();
    if (text.size() > kMaxHistoryBytes) return fail("larger than 16 MiB");
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not JSON");
    auto rounds = j.find("rounds");
    if (rounds == j.end() || !rounds->is_array()) return fail("no \"rounds\" list");
    std::size_t skipped = 0;
    for (const json& r : *rounds) {
        if (out.size() == kMaxHistoryRounds) break;
        const std::string answer = r.is_object() ? bounded(r, "answer") : std::string();
        const std::uint64_t round = r.is_object() ? count_of(r, "round", 1u << 30) : 0;
        if (round == 0 || (answer != "exits" && answer != "hangs" && answer != "other")) {
            ++skipped;
            continue;
        }
        RoomRound x;
        x.round = round;
        x.question.scenario = bounded(r, "scenario");
        x.question.title = text_of(r, "title");
        x.question.setup = text_of(r, "setup");
        x.question.step = int(count_of(r, "step", 1000));
        x.question.steps = int(count_of(r, "steps", 1000));
        x.question.step_text = text_of(r, "step_text");
        x.said_exits = std::size_t(count_of(r, "said_exits", 1u << 20));
        x.said_hangs = std::size_t(count_of(r, "said_hangs", 1u << 20));
        x.answer = answer == "exits"   ? RoomAnswer::exits
                   : answer == "hangs" ? RoomAnswer::hangs
                                       : RoomAnswer::other;
        x.reason = text_of(r, "reason");
        if (auto t = r.find("revealed_unix"); t != r.end() && t->is_number_integer())
            x.revealed_unix = t->get<std::int64_t>();
        out.push_back(std::move(x));
    }
    if (skipped) return fail(std::to_string(skipped) + " round(s) not readable, left out");
    return out;
}

} // namespace lab
