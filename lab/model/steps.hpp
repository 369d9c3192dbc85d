// steps.hpp — a lesson's steps against a run: which step each pause point of the run is,
// and which steps the run passed over and why. One home for the rule: the GUI's Stepper and
// the terminal's step mode (cli.cpp) both use it.
//
// The rule: the run's step markers are taken in time order; a marker is the next lesson step,
// at or after the last match, whose pause point has its name, else an earlier step of that
// name not reached yet (another thread got there late: the sandbox's worker connects after
// main started it). Markers the lesson does not talk about are left out (the demo is let go at
// once). Whether a step was reached comes from the run's own trace only. A step not reached is
// skipped when the switches turn off the block around its pause point (branches.hpp) and the
// run got past it, or once the run ended (then, with no such block: "the run ended first").
// While the run goes on, a step it may still reach (another thread) is never called skipped.
#pragma once

#include "lab/model/branches.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/strings.hpp"
#include "lab/model/timeline.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// A lesson step the demo reached.
struct StepHit {
    std::size_t index = 0; // into lesson.steps
    std::string pause;
    std::int64_t t_ns = 0;
    int tid = 0;
    std::size_t marker = 0; // the how-manieth step marker of the run (1-based)
};

// A pause point's name as a reader says it ("the end of main" for main-end): the strings'
// "pause.NAME", else the name itself.
std::string pause_name(const Strings& strings, std::string_view pause, Lang lang);

// The lesson step a pause point named `pause` is, looking from step `from` on.
std::optional<std::size_t> step_at(const Lesson& lesson, std::string_view pause, std::size_t from);

// Every step the run reached, in order.
std::vector<StepHit> match_steps(const Lesson& lesson, const Timeline& t);
// How many step markers the run has.
std::size_t step_markers(const Timeline& t);

enum class SkipWhy {
    switched_off, // its pause point lies in a block the switches do not run
    run_ended,    // the run ended before it (killed, crashed, hung earlier ...)
};
struct Skipped {
    std::size_t index = 0;
    SkipWhy why = SkipWhy::run_ended;
    std::string condition; // switched_off: the block's header, "if CLOSE:"
};

// The steps this run passed over (the rule above). `off` is blocks_off() of the program
// with the run's switches.
std::vector<Skipped> skipped_steps(const Lesson& lesson, const std::vector<StepHit>& hits,
                                   bool finished, const std::vector<OffBlock>& off);
// The same for one step ahead of time: the block that keeps its pause point from running
// (every line marked with it is off), or nullptr.
const OffBlock* step_switched_off(const Lesson& lesson, std::size_t index,
                                  const std::vector<OffBlock>& off);

} // namespace lab
