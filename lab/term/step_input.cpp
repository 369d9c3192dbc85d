#include "lab/term/step_input.hpp"

#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace lab {

StepInput wait_for_enter(int fd, const std::function<bool()>& ended) {
    for (;;) {
        if (ended()) return StepInput::run_ended;
        pollfd p{fd, POLLIN, 0};
        const int r = ::poll(&p, 1, 50);
        if (r < 0 && errno != EINTR) return StepInput::end_of_input;
        if (r <= 0) continue;
        // Readable (or hung up): one byte, so nothing after the line is consumed and a half
        // typed line does not block the check of `ended`.
        char c;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (n <= 0) return StepInput::end_of_input;
        if (c == '\n') return StepInput::enter;
    }
}

} // namespace lab
