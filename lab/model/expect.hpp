// expect.hpp — what a lesson predicts for a run's switches, and the key of a matrix cell.
// One home for both: the GUI's matrix and quiz and the CLI read them from here.
#pragma once

#include "lab/model/lessons.hpp"
#include "lab/model/run_options.hpp"
#include "lab/model/verdict.hpp"

#include <optional>
#include <string>

namespace lab {

// What the lesson says this run does (its `expect` table: the lesson's rules), when the
// scenario's other options (the sandbox's worker, connect_in, with-block) are at their
// defaults; nothing when the lesson does not say.
std::optional<Outcome> lesson_expects(const Lesson& lesson, const RunOptions& o);
// Whether the options are the scenario's defaults (receiver, close and the sandbox's): the
// run the lesson's `predict` line talks about.
bool lesson_default(const RunOptions& o);

// "scenario|receiver|close", then "|worker=…|connect-in=…|with" for a sandbox away from its
// defaults: the cell a prediction belongs to. Two runs share a key exactly when the switches
// a learner sets are the same; the engine is not part of it (a prediction is about Python).
std::string cell_key(const RunOptions& o);

// Two runs were made with the same settings: the same cell, engine and program. A run on
// show whose settings are not the next run's is "previous settings" in the GUI.
bool same_settings(const RunOptions& a, const RunOptions& b);

} // namespace lab
