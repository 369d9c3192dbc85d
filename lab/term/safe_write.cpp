#include "lab/term/safe_write.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <unistd.h>

namespace lab {
namespace {

std::string fail(const std::string& path, const std::string& why) {
    return path + ": " + why;
}
std::string fail_errno(const std::string& path, int err) {
    return fail(path, std::strerror(err));
}

std::string dir_of(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Writes everything, retrying on EINTR and short writes. 0 or an errno.
int write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        data.remove_prefix(std::size_t(n));
    }
    return 0;
}

} // namespace

std::string check_writable(const std::string& path) {
    if (path.empty()) return "an empty path: give a file name";
    if (path.back() == '/') return fail(path, "is a directory; give a file name");
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode))
            return fail(path, "is a symbolic link (refused: give the real path)");
        if (S_ISDIR(st.st_mode)) return fail_errno(path, EISDIR);
        if (!S_ISREG(st.st_mode))
            return fail(path, "is not a regular file (a device, pipe or socket cannot be "
                              "replaced safely)");
    } else if (errno != ENOENT) {
        return fail_errno(path, errno);
    }
    const std::string dir = dir_of(path);
    struct stat ds {};
    if (::stat(dir.c_str(), &ds) != 0)
        return fail(path, "directory " + dir + ": " + std::strerror(errno));
    if (!S_ISDIR(ds.st_mode)) return fail(path, dir + ": " + std::strerror(ENOTDIR));
    if (::access(dir.c_str(), W_OK | X_OK) != 0)
        return fail(path, "directory " + dir + ": " + std::strerror(errno));
    return {};
}

std::string write_file_atomic(const std::string& path, std::string_view data,
                              WriteOptions options) {
    if (std::string err = check_writable(path); !err.empty()) return err;
    // A write beyond RLIMIT_FSIZE must be an error (EFBIG), not SIGXFSZ's death.
    struct sigaction old {
    }, ignore{};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGXFSZ, &ignore, &old);

    const std::string dir = dir_of(path);
    const std::string base = path.substr(path.find_last_of('/') + 1);
    std::random_device rd;
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
        char suffix[32];
        std::snprintf(suffix, sizeof suffix, ".%08x.tmp", unsigned(rd()));
        tmp = dir + "/." + base + suffix;
        fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    mode_t(options.mode));
        if (fd < 0 && errno != EEXIST) break;
    }
    std::string err;
    if (fd < 0) {
        err = fail(path, std::string("cannot make a temporary file in ") + dir + ": " +
                             std::strerror(errno));
    } else {
        int e = write_all(fd, data);
        if (!e && ::fsync(fd) != 0) e = errno;
        if (::close(fd) != 0 && !e) e = errno;
        if (!e && ::rename(tmp.c_str(), path.c_str()) != 0) e = errno;
        if (e) {
            ::unlink(tmp.c_str());
            err = fail_errno(path, e);
        }
    }
    ::sigaction(SIGXFSZ, &old, nullptr);
    return err;
}

std::string config_home() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return x;
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config";
    return {};
}

} // namespace lab
