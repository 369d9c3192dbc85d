// attach_words.cpp — what `attach` adds to explain's words: the exit stage, what main does
// before it ends, and that the creators are unknown (the CLI and the app say the same).
#include "lab/run/attach.hpp"

#include "lab/model/verdict.hpp"

namespace lab {

// The stage in words: "main has finished; the interpreter's shutdown joins ...".
std::string attach_stage_text(const AttachResult& r, const Strings& s, Lang lang) {
    return s.format("attach.stage." + std::string(to_string(r.stage)), lang,
                    {{"hook", stage_at(r.state.timeline).hook}});
}

// The lines `attach` adds to explain's explanation: the stage, what main does before it
// ends, and that creators are unknown.
std::vector<std::string> attach_notes(const AttachResult& r, const Strings& s, Lang lang) {
    std::vector<std::string> lines;
    const Timeline& t = r.state.timeline;
    if (r.stage == Stage::main)
        for (const Lane& l : t.lanes())
            if (l.is_main() && l.current())
                lines.push_back(s.format("attach.main-waits", lang,
                                         {{"wait", describe_wait(*l.current(), t, s, lang)}}));
    lines.push_back(s.get("attach.creator-unknown", lang));
    return lines;
}

} // namespace lab
