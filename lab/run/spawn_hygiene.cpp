#include "lab/run/spawn_hygiene.hpp"

#include <csignal>
#include <ctime>
#include <fcntl.h>
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

int spawn_with_output(const std::vector<std::string>& args, int out_fd, pid_t& pid) {
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
    posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
    child_hygiene(fa, attr, 3);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    const int rc = ::posix_spawnp(&pid, argv[0], &fa, &attr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    return rc;
}

} // namespace lab
