// matrix_view.hpp — every scenario × receiver policy × close, run in parallel as real
// processes (lab::Run), the way `daemonlab matrix` runs them, and drawn as a grid: what
// was observed, and what was predicted: the lesson's `expect` table (the lesson's rules)
// and the learner's own answers this session.
#pragma once

#include "lab/model/expect.hpp"
#include "lab/model/lessons.hpp"
#include "lab/run/matrix.hpp"
#include "lab/run/runner.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace gui {

// The lesson's expectations and the cells' keys live in lab/model/expect.hpp, the scheduler in
// lab/run/matrix.hpp (shared with `daemonlab matrix`).
using lab::cell_key;
using lab::lesson_default;
using lab::lesson_expects;

// The grid's state: the cells (known before any run: the predicted grid shows at once), the
// run in progress on one engine, and the last finished results of each engine, so a cell
// where the C++ model and CPython disagree can be marked.
class Matrix {
  public:
    Matrix();
    ~Matrix() { stop(); }
    // Starts (again) every cell on this engine; at most `jobs` run at once.
    void start(const lab::ServerInfo& server, int jobs, trace::Engine engine,
               const std::string& python, std::function<void()> on_change);
    // Takes the scheduler's state. Call every frame.
    void poll();
    void stop(); // kills what still runs

    bool started() const { return bool(run_); }
    bool done() const { return run_ && finished_ == options_.size(); }
    std::size_t finished() const { return finished_; }
    std::size_t running() const { return running_; }
    std::size_t size() const { return options_.size(); }
    double wall_ms() const { return run_ ? run_->wall_ms() : 0; }
    trace::Engine engine() const { return engine_; }

    const lab::RunOptions& options(std::size_t i) const { return options_[i]; }
    bool running(std::size_t i) const { return i < live_.size() && live_[i]; }
    // The run on show's engine's result for cell i, or nullptr.
    const lab::RunState* result(std::size_t i) const { return result(engine_, i); }
    const lab::RunState* result(trace::Engine e, std::size_t i) const;
    // Both engines have a verdict for cell i and they differ.
    bool disagree(std::size_t i) const;
    std::size_t disagreements() const;
    bool compared() const; // both engines have results for some cell

  private:
    std::vector<lab::RunOptions> options_;
    std::unique_ptr<lab::MatrixRun> run_;
    trace::Engine engine_ = trace::Engine::model;
    std::map<trace::Engine, std::vector<std::optional<lab::RunState>>> results_;
    std::vector<bool> live_;
    std::size_t finished_ = 0, running_ = 0;
};

// What the grid needs to say things.
struct MatrixText {
    const lab::Content* content;
    lab::Lang lang;                             // the language when `langs` is empty
    const std::map<std::string, bool>* learner; // cell key → predicted "it exits"
    std::vector<lab::Lang> langs = {};          // for labels: every language on show (双语)
    std::string get(std::string_view key) const {
        if (langs.size() < 2) return content->strings.get(key, lang);
        std::string out;
        for (lab::Lang l : langs) out += (out.empty() ? "" : " / ") + content->strings.get(key, l);
        return out;
    }
    // "lesson: {outcome}" with the outcome's word in each language on show: "讲解：卡住 / lesson:
    // hangs".
    std::string said(std::string_view key, lab::Outcome o) const {
        const std::string word = "ui.outcome." + std::string(lab::to_string(o));
        std::string out;
        for (lab::Lang l : langs.size() < 2 ? std::vector<lab::Lang>{lang} : langs)
            out += (out.empty() ? "" : " / ") +
                   content->strings.format(key, l, {{"outcome", content->strings.get(word, l)}});
        return out;
    }
};

// Draws the grid; returns the index of a finished cell that was clicked, or -1. `small`, when
// given, gets each cell's small text as drawn (for --screenshot's JSON).
int draw_matrix(const Matrix& m, const MatrixText& text, std::vector<std::string>* small = nullptr);

} // namespace gui
