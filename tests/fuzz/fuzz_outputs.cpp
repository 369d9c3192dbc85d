// libFuzzer: arbitrary bytes on the trace pipe, followed to every place the host shows them.
// Whatever a demo writes, the names and explanations must be valid UTF-8 (so JSON, as
// `run --json` prints it, never throws), must reach a terminal with no control character,
// and the Chrome trace export must be valid JSON (issue 12, defect 7).
#include "lab/model/sanitize.hpp"
#include "lab/model/strings.hpp"
#include "lab/model/trace_parser.hpp"
#include "lab/term/export.hpp"

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

namespace {

void check_terminal(const std::string& s) {
    const std::string t = lab::terminal_safe(s);
    for (std::size_t i = 0; i < t.size(); ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c < 0x20 || c == 0x7F) __builtin_trap();
        if (c == 0xC2 && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) <= 0x9F)
            __builtin_trap();
    }
    if (!lab::is_valid_utf8(t)) __builtin_trap();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const lab::Strings strings = [] {
        lab::Strings s;
        s.load(std::string(DAEMONLAB_SOURCE_DIR) + "/content/strings.toml");
        return s;
    }();
    lab::RunState st;
    lab::TraceReader reader;
    reader.feed(std::string_view(reinterpret_cast<const char*>(data), size),
                [&](lab::TraceEvent&& e) { st.timeline.apply(e); });
    reader.finish();
    st.verdict.waiting_on = lab::stuck_waits(st.timeline);
    st.verdict.outcome = st.verdict.waiting_on.empty() ? lab::Outcome::exited : lab::Outcome::hung;
    st.timeline.close_at(st.timeline.last_ns() + 1);
    st.verdict.exit_seen_ns = st.timeline.last_ns();

    // JSON as `run --json` builds it: the strict handler throws on invalid UTF-8.
    nlohmann::json threads = nlohmann::json::array();
    for (const lab::Lane& l : st.timeline.lanes()) {
        threads.push_back({{"name", l.name}, {"creator", l.creator}});
        if (const lab::Segment* s = l.current()) threads.back()["on"] = s->on_text;
        check_terminal(l.name);
        check_terminal(l.creator);
    }
    for (const lab::Marker& m : st.timeline.markers()) threads.push_back(m.text);
    for (lab::Lang lang : {lab::Lang::zh, lab::Lang::en}) {
        const std::string head = lab::headline(st.verdict, st.timeline, strings, lang);
        threads.push_back(head);
        check_terminal(head);
        for (const std::string& line : lab::explanation(st.verdict, st.timeline, strings, lang)) {
            threads.push_back(line);
            check_terminal(line);
        }
    }
    (void)threads.dump(); // throws type_error 316 on invalid UTF-8: a crash here

    // The export, parsed back.
    if (nlohmann::json::parse(lab::chrome_trace_json(st), nullptr, false).is_discarded())
        __builtin_trap();
    return 0;
}
