#include "gui/app/session.hpp"

#include <utility>

namespace gui {

void Session::retire() {
    if (!has_run_) return;
    if (run_) {
        // A hang kept alive ends as the user's doing (they ran again); a run still going, as
        // the host's. Either way it is gone, and its final state stays beneath.
        if (hung_alive()) run_->kill();
        run_->end();
        current_ = run_->snapshot();
        run_.reset();
    }
    previous_ = std::move(current_);
}

void Session::start(const lab::RunOptions& options, const lab::ServerInfo& server,
                    std::function<void()> on_change) {
    retire();
    run_ = std::make_unique<lab::Run>(options, server, std::move(on_change));
    current_ = run_->snapshot();
    has_run_ = true;
    ++serial_;
}

void Session::open(lab::RunState finished) {
    retire();
    current_ = std::move(finished);
    has_run_ = true;
    ++serial_;
}

void Session::poll() {
    if (run_) current_ = run_->snapshot();
}

void Session::end_kept_hang() {
    if (!hung_alive()) return;
    run_->end(true);
    current_ = run_->snapshot(); // final: retire() has nothing left to kill
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
