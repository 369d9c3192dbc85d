#include "lab/model/steps.hpp"

#include "lab/model/programs.hpp"

namespace lab {

std::optional<std::size_t> step_at(const Lesson& lesson, std::string_view pause, std::size_t from) {
    for (std::size_t i = from; i < lesson.steps.size(); ++i)
        if (lesson.steps[i].pause == pause) return i;
    return std::nullopt;
}

std::vector<StepHit> match_steps(const Lesson& lesson, const Timeline& t) {
    std::vector<StepHit> hits;
    std::size_t next = 0, n = 0;
    for (const Marker& m : t.markers()) {
        if (m.kind != MarkKind::step) continue;
        ++n;
        if (std::optional<std::size_t> i = step_at(lesson, m.text, next)) {
            hits.push_back({.index = *i, .pause = m.text, .t_ns = m.t, .tid = m.tid, .marker = n});
            next = *i + 1;
        }
    }
    return hits;
}

std::size_t step_markers(const Timeline& t) {
    std::size_t n = 0;
    for (const Marker& m : t.markers()) n += m.kind == MarkKind::step;
    return n;
}

const OffBlock* step_switched_off(const Lesson& lesson, std::size_t index,
                                  const std::vector<OffBlock>& off) {
    if (index >= lesson.steps.size()) return nullptr;
    const OffBlock* block = nullptr;
    bool any = false;
    for (const auto& [name, line] : pause_points(lesson.python)) {
        if (name != lesson.steps[index].pause) continue;
        any = true;
        const OffBlock* b = off_at(off, line);
        if (!b) return nullptr; // one of its lines runs
        if (!block) block = b;
    }
    return any ? block : nullptr;
}

std::vector<Skipped> skipped_steps(const Lesson& lesson, const std::vector<StepHit>& hits,
                                   bool finished, const std::vector<OffBlock>& off) {
    std::vector<Skipped> out;
    const std::size_t end = finished ? lesson.steps.size() : hits.empty() ? 0 : hits.back().index;
    std::size_t h = 0;
    for (std::size_t i = 0; i < end; ++i) {
        while (h < hits.size() && hits[h].index < i) ++h;
        if (h < hits.size() && hits[h].index == i) continue;
        if (const OffBlock* b = step_switched_off(lesson, i, off))
            out.push_back({.index = i, .why = SkipWhy::switched_off, .condition = b->condition});
        else
            out.push_back({.index = i, .why = SkipWhy::run_ended});
    }
    return out;
}

} // namespace lab
