// libFuzzer: arbitrary bytes on the trace pipe. The host must parse, build a timeline,
// judge and explain it without crashing, whatever a (broken) demo writes.
#include "lab/model/strings.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/trace_parser.hpp"
#include "lab/model/verdict.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const lab::Strings strings = [] {
        lab::Strings s;
        s.load(std::string(DAEMONLAB_SOURCE_DIR) + "/content/strings.toml");
        return s;
    }();
    lab::Timeline t;
    lab::TraceReader reader;
    reader.feed(std::string_view(reinterpret_cast<const char*>(data), size),
                [&](lab::TraceEvent&& e) { t.apply(e); });
    reader.finish();
    lab::Verdict v;
    v.waiting_on = lab::stuck_waits(t);
    v.outcome = v.waiting_on.empty() ? lab::Outcome::exited : lab::Outcome::hung;
    t.close_at(t.last_ns() + 1);
    for (lab::Lang l : {lab::Lang::zh, lab::Lang::en}) {
        (void)lab::headline(v, t, strings, l);
        (void)lab::explanation(v, t, strings, l);
        for (const lab::Lane& lane : t.lanes())
            if (const lab::Segment* s = lane.current()) (void)lab::describe_wait(*s, t, strings, l);
    }
    return 0;
}
