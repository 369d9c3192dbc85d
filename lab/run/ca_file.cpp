#include "lab/run/ca_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace lab {

namespace {

constexpr std::string_view kStalePrefix = "daemonlab-ca-";
// Older versions' files still in use are at most a run old; a leftover is hours or days old.
constexpr std::chrono::hours kStaleAge{1};

std::string temp_dir() {
    const char* dir = std::getenv("XDG_RUNTIME_DIR");
    return dir && *dir ? dir : "/tmp";
}

bool write_all(int fd, const std::string& s) {
    std::size_t done = 0;
    while (done < s.size()) {
        const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += std::size_t(n);
    }
    return true;
}

// A memfd, or (seccomp, old kernels) a nameless file in the temporary directory.
int anonymous_file(std::string& why) {
    int fd = ::memfd_create("daemonlab-ca", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd >= 0) return fd;
    fd = ::open(temp_dir().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0) why = std::string("cannot make the CA file: ") + std::strerror(errno);
    return fd;
}

} // namespace

CaFile::CaFile(const std::string& pem) {
    static std::once_flag stale_once;
    std::call_once(stale_once, [] {
        remove_stale_ca_files(temp_dir(), kStaleAge);
        if (temp_dir() != "/tmp") remove_stale_ca_files("/tmp", kStaleAge);
    });
    int fd = anonymous_file(error_);
    if (fd < 0) return;
    if (!write_all(fd, pem)) {
        error_ = std::string("cannot write the CA file: ") + std::strerror(errno);
        ::close(fd);
        return;
    }
    // Read-only from now on (a memfd only; a tmpfile is 0600 and ours anyway).
    ::fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
    // Never at kCaFd itself in the host: a dup2 onto the same number would keep FD_CLOEXEC
    // on C libraries older than POSIX 2024, and the child would lose it at exec.
    if (fd <= kCaFd) {
        const int high = ::fcntl(fd, F_DUPFD_CLOEXEC, kCaFd + 1);
        const int saved = errno;
        ::close(fd);
        if (high < 0) {
            error_ = std::string("cannot place the CA file: ") + std::strerror(saved);
            return;
        }
        fd = high;
    }
    fd_ = fd;
}

CaFile::~CaFile() {
    if (fd_ >= 0) ::close(fd_);
}

int CaFile::add_to(posix_spawn_file_actions_t& actions) const {
    return fd_ < 0 ? EBADF : posix_spawn_file_actions_adddup2(&actions, fd_, kCaFd);
}

std::string ca_child_path() {
    return "/proc/self/fd/" + std::to_string(kCaFd);
}

std::size_t remove_stale_ca_files(const std::string& dir, std::chrono::seconds age) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return 0;
    const int dfd = ::dirfd(d);
    const std::time_t before = std::time(nullptr) - age.count();
    std::size_t removed = 0;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name = e->d_name;
        // mkstemp's names: the prefix and six characters.
        if (!name.starts_with(kStalePrefix) || name.size() != kStalePrefix.size() + 6) continue;
        struct stat st {};
        if (::fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (!S_ISREG(st.st_mode) || st.st_uid != ::getuid() || st.st_mtime > before) continue;
        if (::unlinkat(dfd, e->d_name, 0) == 0) ++removed;
    }
    ::closedir(d);
    return removed;
}

} // namespace lab
