#include "gui/app/setup_job.hpp"

#include <GLFW/glfw3.h>
#include <utility>

namespace gui {

SetupJob::~SetupJob() {
    cancel_ = true;
    if (thread_.joinable()) thread_.join();
}

void SetupJob::start(lab::SetupOptions o) {
    {
        std::lock_guard lock(mu_);
        if (st_.running) return;
        st_ = {.started = true, .running = true};
    }
    if (thread_.joinable()) thread_.join(); // the one before, ended
    cancel_ = false;
    o.cancel = &cancel_;
    thread_ = std::thread([this, o = std::move(o)]() mutable {
        o.done_share = [this](double share) {
            std::lock_guard lock(mu_);
            st_.share = share;
            glfwPostEmptyEvent(); // the frame redraws the bar
        };
        std::vector<lab::RealPython> made;
        const std::string error = lab::setup_python(o, made, [this](std::string_view line) {
            std::lock_guard lock(mu_);
            st_.line = std::string(line.substr(0, 300)); // pip's words, bounded
            glfwPostEmptyEvent();
        });
        std::lock_guard lock(mu_);
        st_.running = false;
        st_.error = error;
        st_.cancelled = !error.empty() && cancel_;
        st_.made = std::move(made);
        if (error.empty()) st_.share = 1;
        glfwPostEmptyEvent();
    });
}

SetupJob::State SetupJob::state() const {
    std::lock_guard lock(mu_);
    return st_;
}

} // namespace gui
