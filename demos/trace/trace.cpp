#include "demos/trace/trace.hpp"

#include <atomic>
#include <cerrno>
#include <charconv>
#include <ctime>
#include <unistd.h>

namespace trace {
namespace {

std::atomic<int> g_fd{-1};

// A fixed buffer that silently truncates: an over-long message must never split a line.
struct Line {
    char buf[kMaxLine];
    std::size_t len = 0;
    std::size_t room() const { return sizeof(buf) - 1 - len; } // keep one byte for '\n'

    void raw(std::string_view s) {
        std::size_t n = s.size() < room() ? s.size() : room();
        for (std::size_t i = 0; i < n; ++i) buf[len++] = s[i];
    }
    void escaped(std::string_view s) {
        for (char c : s) {
            const char* esc = c == '\\' ? "\\\\" : c == '\t' ? "\\t" : c == '\n' ? "\\n" : nullptr;
            if (esc) {
                if (room() < 2) return;
                raw(esc);
            } else {
                if (room() < 1) return;
                buf[len++] = c;
            }
        }
    }
    void number(std::int64_t v) {
        char tmp[24];
        auto r = std::to_chars(tmp, tmp + sizeof tmp, v);
        raw(std::string_view(tmp, static_cast<std::size_t>(r.ptr - tmp)));
    }
};

} // namespace

void open(int fd) {
    g_fd.store(fd, std::memory_order_release);
}
bool enabled() {
    return g_fd.load(std::memory_order_acquire) >= 0;
}

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

void emit(int tid, Kind kind, std::initializer_list<Field> fields) {
    int fd = g_fd.load(std::memory_order_acquire);
    if (fd < 0) return;
    Line line;
    line.number(now_ns());
    line.raw("\t");
    line.number(tid);
    line.raw("\t");
    line.raw(name(kind));
    for (const Field& f : fields) {
        line.raw("\t");
        line.raw(f.key);
        line.raw("=");
        line.escaped(f.value);
    }
    line.buf[line.len++] = '\n';
    // One write: atomic on a pipe. EINTR is retried; a reader that went away (EPIPE) just
    // means nobody is watching, which must not change what the demo does.
    ssize_t r;
    do r = ::write(fd, line.buf, line.len);
    while (r < 0 && errno == EINTR);
}

} // namespace trace
