// matrix.hpp — runs many demos, at most `jobs` at once: the verdict matrix's scheduler, for
// the CLI (`daemonlab matrix`) and the GUI's matrix view alike. Worker threads each take the
// next cell and drive one lab::Run to its verdict; a callback reports each finished cell.
// Cancelling kills what runs and starts nothing new; the destructor cancels and joins.
#pragma once

#include "lab/run/runner.hpp"

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace lab {

class MatrixRun {
  public:
    enum class CellState { queued, running, done, cancelled };
    struct Cell {
        RunOptions options;
        CellState state = CellState::queued;
        std::optional<RunState> result; // once done (or cancelled while it ran)
    };
    struct Callbacks {
        // A cell ended (from a worker thread): its index and final state.
        std::function<void(std::size_t, const RunState&)> on_cell;
        // Anything changed: a run's trace, a cell started or ended (from any thread).
        std::function<void()> on_change;
    };

    MatrixRun(std::vector<RunOptions> cells, ServerInfo server, int jobs, Callbacks cb = {});
    ~MatrixRun(); // cancel(), then joins the workers: no demo outlives it
    MatrixRun(const MatrixRun&) = delete;
    MatrixRun& operator=(const MatrixRun&) = delete;

    void cancel();
    void wait(); // until every cell is done or cancelled

    std::vector<Cell> cells() const; // a copy
    std::size_t size() const { return size_; }
    std::size_t finished() const; // done or cancelled
    std::size_t running() const;
    bool done() const { return finished() == size_; }
    bool cancelled() const { return cancelled_; }
    double wall_ms() const; // so far, or until the last cell ended

  private:
    void work();

    ServerInfo server_;
    Callbacks cb_;
    std::size_t size_ = 0;
    mutable std::mutex mu_;
    std::vector<Cell> cells_;
    std::vector<Run*> live_; // by cell: the Run a worker drives now, for cancel()
    std::size_t next_ = 0;
    std::atomic<bool> cancelled_{false};
    std::int64_t t0_ = 0, t1_ = -1;
    std::vector<std::thread> workers_;
};

} // namespace lab
