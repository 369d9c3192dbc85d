// room_run.cpp — a run's switches as a question, its verdict as the room's answer.
#include "lab/room/room_run.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/verdict.hpp"

namespace lab {

RoomQuestion room_question(const RunOptions& o, const Strings& strings) {
    RoomQuestion q;
    q.scenario = o.scenario;
    const std::string title = "scenario." + o.scenario + ".title";
    q.title = {strings.get(title, Lang::zh), strings.get(title, Lang::en)};
    // A chapter-2 lesson has no receiver, and its switch applies the lesson's fix.
    const Scenario* sc = find_scenario(o.scenario);
    if (sc && sc->cpython_only) {
        const std::string fix = effective_close(o) ? "setup.fix" : "setup.no-fix";
        q.setup = {strings.get(fix, Lang::zh), strings.get(fix, Lang::en)};
        return q;
    }
    const std::string recv = "setup." + std::string(trace::name(o.receiver));
    const std::string close = effective_close(o) ? "setup.close" : "setup.no-close";
    for (Lang l : {Lang::zh, Lang::en}) {
        std::string s =
            strings.get(recv, l) + (l == Lang::zh ? "，" : " · ") + strings.get(close, l);
        (l == Lang::zh ? q.setup.zh : q.setup.en) = std::move(s);
    }
    return q;
}

RoomAnswer room_answer(Outcome o) {
    if (o == Outcome::exited) return RoomAnswer::exits;
    if (o == Outcome::hung) return RoomAnswer::hangs;
    return RoomAnswer::other;
}

RoomText room_reason(const RunState& st, const Strings& strings) {
    // The headline and the explanation the presenter's banner gives (not the stacks: paths on
    // the presenter's machine are not the class's business), plain text, one line each.
    auto one = [&](Lang l) {
        std::string out = headline(st.verdict, st.timeline, strings, l);
        std::size_t n = 0;
        for (std::string line : explanation(st.verdict, st.timeline, strings, l)) {
            if (++n > kMaxReasonLines) break;
            std::erase(line, '`'); // Markdown's code marks
            out += "\n" + line;
        }
        return out;
    };
    return {one(Lang::zh), one(Lang::en)};
}

Strings room_strings(std::string* error) {
    Strings s;
    for (const char* file : {"/strings.toml", "/room.toml"})
        if (!s.load(content_dir() + file) && error) *error += s.error() + "\n";
    return s;
}

} // namespace lab
