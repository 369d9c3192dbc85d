#include "session.hpp"

#include <utility>

namespace gui {

void Session::retire() {
    if (!has_run_) return;
    run_.reset(); // kills a live demo and waits for it
    previous_ = std::move(current_);
}

void Session::start(const lab::RunOptions& options, const lab::ServerInfo& server,
                    std::function<void()> on_change) {
    retire();
    run_ = std::make_unique<lab::Run>(options, server, std::move(on_change));
    current_ = run_->snapshot();
    has_run_ = true;
}

void Session::open(lab::RunState finished) {
    retire();
    current_ = std::move(finished);
    has_run_ = true;
}

void Session::poll() {
    if (run_) current_ = run_->snapshot();
}

void Session::kill() {
    if (live()) run_->kill();
}

bool Session::go() {
    if (!run_) return false;
    run_->go();
    return true;
}

bool Session::run_to_end() {
    if (!live()) return false;
    run_->run_to_end();
    return true;
}

} // namespace gui
