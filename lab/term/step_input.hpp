// step_input.hpp — step mode's "press Enter to go on", which must not outlive the run.
#pragma once

#include <functional>

namespace lab {

enum class StepInput {
    enter,        // a line arrived
    end_of_input, // stdin is closed (or unreadable): run on without pauses
    run_ended,    // the demo ended while we waited: go on to the verdict
};

// Waits for one line on `fd` (read straight from the fd, no stdio buffering) while checking
// `ended` every 50 ms; whichever comes first.
StepInput wait_for_enter(int fd, const std::function<bool()>& ended);

} // namespace lab
