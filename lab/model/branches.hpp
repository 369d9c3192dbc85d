// branches.hpp — which lines of a lesson's Python a run's switches turn off, read from the
// program's own text: the switches reach the program as environment variables (CLOSE=1,
// WORKER=none ...), the program reads them at its top (`CLOSE = os.environ.get("CLOSE") ==
// "1"`), and `if`/`elif`/`else` on those names decide which blocks run. Nothing here is
// written per lesson: a new program with a new switch is read the same way. A condition this
// reader does not understand leaves its block as it is (never dimmed by a guess).
#pragma once

#include "lab/model/run_options.hpp"

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

// The environment variables a lesson's program reads for these switches, as the runner
// passes them (lab/run/spawn.cpp: lesson_env), the one map from switches to variables.
std::map<std::string, std::string> switch_env(const RunOptions& o);

// A block the switches do not run: its header line (`if CLOSE:`), the header's text without
// its comment, and the lines of its body, 1-based, inclusive.
struct OffBlock {
    int header = 0;
    std::string condition; // "if CLOSE:", "elif CONNECT_IN == \"worker\":", "else:"
    int first = 0, last = 0;
};

std::vector<OffBlock> blocks_off(std::string_view source,
                                 const std::map<std::string, std::string>& env);

// The block that turns line `n` off (the outermost one), or nullptr.
const OffBlock* off_at(const std::vector<OffBlock>& off, int n);

} // namespace lab
