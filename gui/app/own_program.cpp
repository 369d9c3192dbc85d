// own_program.cpp — "Your program"'s state: opening a file, the private temp copy of edited
// code (own_program.hpp).
#include "gui/app/own_program.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

namespace gui {

namespace {

constexpr std::size_t kMaxProgram = 1 << 20; // 1 MiB: a program to read, not a data file

// Reads a regular file of at most kMaxProgram bytes; "" and `error` set otherwise.
std::string read_program(const std::string& path, std::string& error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty()) {
        error = "no file given";
        return {};
    }
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        error = path + ": no such file";
        return {};
    }
    if (!fs::is_regular_file(st)) {
        error = path + ": not a regular file";
        return {};
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return {};
    }
    std::string text;
    char buf[8192];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        text.append(buf, std::size_t(n));
        if (text.size() > kMaxProgram) {
            ::close(fd);
            error = path + ": larger than 1 MiB";
            return {};
        }
    }
    ::close(fd);
    return text;
}

// A private directory for the edited copy: mkdtemp under $XDG_RUNTIME_DIR (the user's own,
// 0700) when it is set and ours, else under /tmp (mkdtemp makes it 0700 either way).
std::string private_dir(std::string& error) {
    std::string base = "/tmp";
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/') {
        struct stat st {};
        if (::stat(x, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::getuid()) base = x;
    }
    std::string tmpl = base + "/daemonlab-program-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        error = "cannot make a private directory in " + base + ": " + std::strerror(errno);
        return {};
    }
    return tmpl;
}

} // namespace

bool OwnProgram::open() {
    error_.clear();
    std::string text = read_program(path, error_);
    if (!error_.empty()) return false;
    code = std::move(text);
    opened_ = std::filesystem::absolute(path).string();
    edited = false;
    return true;
}

std::string OwnProgram::prepare(const std::string& empty_message) {
    error_.clear();
    if (!edited && !opened_.empty()) {
        if (read_program(opened_, error_).empty() && !error_.empty()) return {};
        return opened_;
    }
    if (code.empty()) {
        error_ = empty_message;
        return {};
    }
    remove_temp();
    temp_dir_ = private_dir(error_);
    if (temp_dir_.empty()) return {};
    const std::string file = temp_dir_ + "/program.py";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0;
    for (std::size_t done = 0; ok && done < code.size();) {
        const ssize_t n = ::write(fd, code.data() + done, code.size() - done);
        if (n <= 0)
            ok = false;
        else
            done += std::size_t(n);
    }
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    if (!ok) {
        error_ = file + ": " + std::strerror(errno);
        remove_temp();
        return {};
    }
    return file;
}

void OwnProgram::remove_temp() {
    if (temp_dir_.empty()) return;
    ::unlink((temp_dir_ + "/program.py").c_str());
    ::rmdir(temp_dir_.c_str());
    temp_dir_.clear();
}

bool OwnProgram::runs(const std::string& program) const {
    return !program.empty() && (edited || program == opened_);
}

std::string OwnProgram::name() const {
    if (opened_.empty()) return "program.py";
    const std::string file = std::filesystem::path(opened_).filename().string();
    return edited ? file + " (edited)" : file;
}

std::string OwnProgram::name_of(const std::string& program) const {
    if (program.find("/daemonlab-program-") != std::string::npos) return name(); // the temp copy
    return std::filesystem::path(program).filename().string();
}

} // namespace gui
