#include "lab/model/steps.hpp"

#include "lab/model/programs.hpp"

#include <algorithm>

namespace lab {

std::string pause_name(const Strings& strings, std::string_view pause, Lang lang) {
    const std::string key = "pause." + std::string(pause);
    return strings.has(key) ? strings.get(key, lang) : std::string(pause);
}

std::optional<std::size_t> step_at(const Lesson& lesson, std::string_view pause, std::size_t from) {
    for (std::size_t i = from; i < lesson.steps.size(); ++i)
        if (lesson.steps[i].pause == pause) return i;
    return std::nullopt;
}

std::vector<StepHit> match_steps(const Lesson& lesson, const Timeline& t) {
    std::vector<StepHit> hits;
    std::size_t next = 0, n = 0;
    auto hit = [&](std::size_t i) {
        return std::any_of(hits.begin(), hits.end(),
                           [&](const StepHit& h) { return h.index == i; });
    };
    for (const Marker& m : t.markers()) {
        if (m.kind != MarkKind::step) continue;
        ++n;
        std::optional<std::size_t> i = step_at(lesson, m.text, next);
        if (i) {
            next = *i + 1;
        } else { // another thread reached an earlier step late: still reached, out of order
            for (std::size_t j = 0; j < next && !i; ++j)
                if (lesson.steps[j].pause == m.text && !hit(j)) i = j;
            if (!i) continue;
        }
        hits.push_back({.index = *i, .pause = m.text, .t_ns = m.t, .tid = m.tid, .marker = n});
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
    // The reason given is an `if` whose header runs (a test the run made, not a branch it
    // never came to), the last such in the program; else the last block whose header runs;
    // else the first block.
    const OffBlock *test = nullptr, *runs = nullptr, *first = nullptr;
    for (const auto& [name, line] : pause_points(lesson.python)) {
        if (name != lesson.steps[index].pause) continue;
        const OffBlock* b = off_at(off, line);
        if (!b) return nullptr; // one of its lines runs
        if (!first) first = b;
        if (off_at(off, b->header)) continue;
        runs = b;
        if (b->condition.starts_with("if ")) test = b;
    }
    return test ? test : runs ? runs : first;
}

std::vector<Skipped> skipped_steps(const Lesson& lesson, const std::vector<StepHit>& hits,
                                   bool finished, const std::vector<OffBlock>& off) {
    std::vector<Skipped> out;
    std::size_t furthest = 0; // one past the furthest step reached
    for (const StepHit& h : hits) furthest = std::max(furthest, h.index + 1);
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
        if (std::any_of(hits.begin(), hits.end(), [&](const StepHit& h) { return h.index == i; }))
            continue;
        const OffBlock* b = step_switched_off(lesson, i, off);
        if (b && (finished || i < furthest))
            out.push_back({.index = i, .why = SkipWhy::switched_off, .condition = b->condition});
        else if (finished)
            out.push_back({.index = i, .why = SkipWhy::run_ended});
    }
    return out;
}

} // namespace lab
