#include "lab/run/spawn_hygiene.hpp"

#include <csignal>
#include <ctime>
#include <pthread.h>
#include <unistd.h>

namespace lab {

int child_hygiene(posix_spawn_file_actions_t& actions, posix_spawnattr_t& attr, int first_closed) {
    // glibc >= 2.34: close_range() in the child, after the dup2s.
    if (int rc = posix_spawn_file_actions_addclosefrom_np(&actions, first_closed)) return rc;
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    if (int rc = posix_spawnattr_setsigmask(&attr, &none)) return rc;
    if (int rc = posix_spawnattr_setsigdefault(&attr, &defaults)) return rc;
    // Its own process group, so that what it starts in turn can be ended with it.
    if (int rc = posix_spawnattr_setpgroup(&attr, 0)) return rc;
    return posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                               POSIX_SPAWN_SETPGROUP);
}

void block_sigpipe_in_this_thread() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void drop_pending_sigpipe() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    const timespec zero{};
    while (sigtimedwait(&set, nullptr, &zero) == SIGPIPE) {
    }
}

} // namespace lab
