// matrix_view.hpp — every scenario × receiver policy × close, run in parallel as real
// processes (lab::Run), the way `daemonlab matrix` runs them, and drawn as a grid: what
// was observed, and what was predicted: the lesson's `expect` table (the article's rules)
// and the learner's own answers this session.
#pragma once

#include "lessons.hpp"
#include "runner.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gui {

// What the lesson says this cell does (its `expect` table: the article's rules), for the
// scenario's default sandbox options; nothing when the lesson does not say.
std::optional<lab::Outcome> lesson_expects(const lab::Lesson& lesson, const lab::RunOptions& o);
// Whether the options are the ones the lesson's `predict` line talks about.
bool lesson_default(const lab::RunOptions& o);

// "scenario|receiver|close" — a cell's key for the learner's predictions.
std::string cell_key(const lab::RunOptions& o);

struct MatrixCell {
    lab::RunOptions options;
    std::unique_ptr<lab::Run> run;       // while it runs
    std::optional<lab::RunState> result; // once it has ended
};

class Matrix {
  public:
    // Starts (again) every cell; at most `jobs` run at once.
    void start(const lab::ServerInfo& server, int jobs, std::function<void()> on_change);
    // Starts queued cells as others end; collects results. Call every frame.
    void poll();
    void stop(); // kills what still runs

    bool started() const { return !cells_.empty(); }
    bool done() const { return started() && finished() == cells_.size(); }
    std::size_t finished() const;
    std::size_t running() const;
    const std::vector<MatrixCell>& cells() const { return cells_; }
    double wall_ms() const;

  private:
    std::vector<MatrixCell> cells_;
    lab::ServerInfo server_;
    std::function<void()> on_change_;
    int jobs_ = 1;
    std::size_t next_ = 0;
    std::int64_t t0_ = 0, t1_ = -1;
};

// What the grid needs to say things.
struct MatrixText {
    const lab::Content* content;
    lab::Lang lang;
    const std::map<std::string, bool>* learner; // cell key → predicted "it exits"
    std::string get(std::string_view key) const { return content->strings.get(key, lang); }
};

// Draws the grid; returns the index of a finished cell that was clicked, or -1.
int draw_matrix(const Matrix& m, const MatrixText& text);

} // namespace gui
