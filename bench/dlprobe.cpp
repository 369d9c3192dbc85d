// dlprobe — an LD_PRELOAD library that timestamps what the real app does, without changing it.
//
// The app (bin/daemonlab) links GLFW, OpenGL and fontconfig dynamically and reads the trace
// pipe with read(2), so wrapping those calls shows, on the CLOCK_MONOTONIC axis the demos'
// trace uses:
//   S                      the library was loaded (the process is exec'd, before main)
//   fc <ns spent>          FcInit, FcFontMatch (font lookup through fontconfig)
//   glfwinit, window       glfwInit and glfwCreateWindow returned
//   frame                  a frame began: glfwPollEvents / glfwWaitEvents[Timeout] returned
//   swap                   glfwSwapBuffers returned: that frame is on screen
//   readpixels             glReadPixels returned (--screenshot: the first frame was read back)
//   post                   glfwPostEmptyEvent (a run's watcher wakes the GUI)
//   ev <event ns>          read(2) returned a trace line stamped <event ns> by the demo
//                          (the rest of the line is not looked at)
// One line per record (with the process's CPU time so far), written with one write(2) to the
// file named by DLPROBE_LOG.
// Only bench/ builds and uses it (bench/bench_gui.cpp reads the log).
#include <GL/gl.h>
#include <GLFW/glfw3.h>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dlfcn.h>
#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <unistd.h>

namespace {

int g_log = -1;

std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// "<t> <tag> <value or -1> <CPU ns the whole process has used so far>"
void rec(const char* tag, std::int64_t t, std::int64_t v = -1) {
    if (g_log < 0) return;
    timespec cpu{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
    char line[128];
    int n = std::snprintf(line, sizeof line, "%lld %s %lld %lld\n", (long long)t, tag, (long long)v,
                          (long long)cpu.tv_sec * 1'000'000'000LL + cpu.tv_nsec);
    if (n > 0) (void)!::write(g_log, line, std::size_t(n));
}

template <class F>
F next(const char* name) {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

__attribute__((constructor)) void probe_init() {
    if (const char* path = std::getenv("DLPROBE_LOG"))
        g_log = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    rec("S", now_ns());
}

// A trace line: <monotonic ns> TAB <thread ident> TAB <kind: lower case> ...
void scan_trace(const char* buf, std::size_t n, std::int64_t t) {
    auto digit = [&](std::size_t k) {
        return k < n && std::isdigit(static_cast<unsigned char>(buf[k]));
    };
    std::size_t i = 0;
    while (i < n) {
        std::size_t j = i;
        std::int64_t ts = 0;
        while (digit(j)) ts = ts * 10 + (buf[j++] - '0');
        if (j - i >= 6 && j < n && buf[j] == '\t') {
            std::size_t k = j + 1;
            if (k < n && buf[k] == '-') ++k;
            const std::size_t id = k;
            while (digit(k)) ++k;
            if (k > id && k + 1 < n && buf[k] == '\t' &&
                std::islower(static_cast<unsigned char>(buf[k + 1])))
                rec("ev", t, ts);
        }
        const void* nl = std::memchr(buf + i, '\n', n - i);
        if (!nl) break;
        i = std::size_t(static_cast<const char*>(nl) - buf) + 1;
    }
}

} // namespace

extern "C" {

ssize_t read(int fd, void* buf, size_t count) {
    static auto real = next<ssize_t (*)(int, void*, size_t)>("read");
    ssize_t n = real(fd, buf, count);
    if (n > 8 && g_log >= 0 && std::isdigit(static_cast<unsigned char*>(buf)[0]))
        scan_trace(static_cast<const char*>(buf), std::size_t(n), now_ns());
    return n;
}

FcBool FcInit() {
    static auto real = next<FcBool (*)()>("FcInit");
    std::int64_t t = now_ns();
    FcBool r = real();
    rec("fcinit", now_ns(), now_ns() - t);
    return r;
}

FcPattern* FcFontMatch(FcConfig* config, FcPattern* p, FcResult* result) {
    static auto real = next<FcPattern* (*)(FcConfig*, FcPattern*, FcResult*)>("FcFontMatch");
    std::int64_t t = now_ns();
    FcPattern* r = real(config, p, result);
    rec("fcmatch", now_ns(), now_ns() - t);
    return r;
}

int glfwInit() {
    static auto real = next<int (*)()>("glfwInit");
    int r = real();
    rec("glfwinit", now_ns());
    return r;
}

GLFWwindow* glfwCreateWindow(int w, int h, const char* title, GLFWmonitor* m, GLFWwindow* s) {
    static auto real =
        next<GLFWwindow* (*)(int, int, const char*, GLFWmonitor*, GLFWwindow*)>("glfwCreateWindow");
    GLFWwindow* r = real(w, h, title, m, s);
    rec("window", now_ns());
    return r;
}

void glfwPollEvents() {
    static auto real = next<void (*)()>("glfwPollEvents");
    real();
    rec("frame", now_ns());
}

void glfwWaitEvents() {
    static auto real = next<void (*)()>("glfwWaitEvents");
    real();
    rec("frame", now_ns());
}

void glfwWaitEventsTimeout(double s) {
    static auto real = next<void (*)(double)>("glfwWaitEventsTimeout");
    real(s);
    rec("frame", now_ns());
}

void glfwSwapBuffers(GLFWwindow* w) {
    static auto real = next<void (*)(GLFWwindow*)>("glfwSwapBuffers");
    real(w);
    rec("swap", now_ns());
}

void glfwPostEmptyEvent() {
    static auto real = next<void (*)()>("glfwPostEmptyEvent");
    rec("post", now_ns());
    real();
}

void glReadPixels(GLint x, GLint y, GLsizei w, GLsizei h, GLenum f, GLenum t, void* px) {
    static auto real =
        next<void (*)(GLint, GLint, GLsizei, GLsizei, GLenum, GLenum, void*)>("glReadPixels");
    real(x, y, w, h, f, t, px);
    rec("readpixels", now_ns());
}

} // extern "C"
