#include "lab/run/matrix.hpp"

#include <algorithm>

namespace lab {

MatrixRun::MatrixRun(std::vector<RunOptions> cells, ServerInfo server, int jobs, Callbacks cb)
    : server_(std::move(server)), cb_(std::move(cb)), size_(cells.size()) {
    for (RunOptions& o : cells) cells_.push_back({.options = std::move(o)});
    live_.assign(size_, nullptr);
    t0_ = monotonic_ns();
    if (size_ == 0) t1_ = t0_;
    const int n = std::clamp(jobs, 1, 64);
    for (int i = 0; i < n && std::size_t(i) < size_; ++i) workers_.emplace_back([this] { work(); });
}

MatrixRun::~MatrixRun() {
    cancel();
    wait();
}

void MatrixRun::work() {
    for (;;) {
        std::size_t i;
        RunOptions o;
        {
            std::lock_guard lock(mu_);
            if (cancelled_ || next_ >= size_) return;
            i = next_++;
            cells_[i].state = CellState::running;
            o = cells_[i].options;
        }
        Run run(o, server_, cb_.on_change);
        {
            std::lock_guard lock(mu_);
            live_[i] = &run;
            if (cancelled_) run.kill(); // cancelled between the two locks
        }
        run.wait();
        RunState st = run.snapshot();
        bool last = false;
        {
            std::lock_guard lock(mu_);
            live_[i] = nullptr;
            cells_[i].state = cancelled_ ? CellState::cancelled : CellState::done;
            cells_[i].result = st;
            last = std::all_of(cells_.begin(), cells_.end(), [](const Cell& c) {
                return c.state == CellState::done || c.state == CellState::cancelled;
            });
            if (last) t1_ = monotonic_ns();
        }
        if (cb_.on_cell) cb_.on_cell(i, st);
        if (cb_.on_change) cb_.on_change();
    }
}

void MatrixRun::cancel() {
    std::lock_guard lock(mu_);
    if (!cancelled_.exchange(true))
        for (Cell& c : cells_)
            if (c.state == CellState::queued) c.state = CellState::cancelled;
    for (Run* r : live_)
        if (r) r->kill();
    if (t1_ < 0 && std::none_of(cells_.begin(), cells_.end(),
                                [](const Cell& c) { return c.state == CellState::running; }))
        t1_ = monotonic_ns();
}

void MatrixRun::wait() {
    for (std::thread& w : workers_)
        if (w.joinable()) w.join();
}

std::vector<MatrixRun::Cell> MatrixRun::cells() const {
    std::lock_guard lock(mu_);
    return cells_;
}

std::size_t MatrixRun::finished() const {
    std::lock_guard lock(mu_);
    return std::size_t(std::count_if(cells_.begin(), cells_.end(), [](const Cell& c) {
        return c.state == CellState::done || c.state == CellState::cancelled;
    }));
}

std::size_t MatrixRun::running() const {
    std::lock_guard lock(mu_);
    return std::size_t(std::count_if(cells_.begin(), cells_.end(),
                                     [](const Cell& c) { return c.state == CellState::running; }));
}

double MatrixRun::wall_ms() const {
    std::lock_guard lock(mu_);
    return double((t1_ >= 0 ? t1_ : monotonic_ns()) - t0_) / 1e6;
}

} // namespace lab
