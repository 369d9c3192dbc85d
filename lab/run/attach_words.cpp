// attach_words.cpp — what `attach` adds to explain's words: the exit stage, what main does
// before it ends, and that the creators are unknown (the CLI and the app say the same).
#include "lab/run/attach.hpp"

#include "lab/model/verdict.hpp"

namespace lab {
namespace {

// The hook or handler named by the stage's marker (threading-atexit, atexit), or "".
std::string stage_hook(const Timeline& t) {
    for (const Marker& m : t.markers())
        if (m.kind == MarkKind::threading_atexit || m.kind == MarkKind::atexit) return m.text;
    return {};
}

} // namespace

// The stage in words: "main has finished; the interpreter's shutdown joins ...".
std::string attach_stage_text(const AttachResult& r, const Strings& s, Lang lang) {
    return s.format("attach.stage." + (r.stage.empty() ? std::string("main") : r.stage), lang,
                    {{"hook", stage_hook(r.state.timeline)}});
}

// The lines `attach` adds to explain's explanation: the stage, what main does before it
// ends, and that creators are unknown.
std::vector<std::string> attach_notes(const AttachResult& r, const Strings& s, Lang lang) {
    std::vector<std::string> lines;
    const Timeline& t = r.state.timeline;
    if (r.stage == "main" || r.stage.empty())
        for (const Lane& l : t.lanes())
            if (l.is_main() && l.current())
                lines.push_back(s.format("attach.main-waits", lang,
                                         {{"wait", describe_wait(*l.current(), t, s, lang)}}));
    lines.push_back(s.get("attach.creator-unknown", lang));
    return lines;
}

} // namespace lab
