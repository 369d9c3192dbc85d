#include "gui/views/matrix_view.hpp"

#include "gui/text/line_break.hpp"
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/model/catalog.hpp"

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <imgui.h>
#include <thread>

namespace gui {

Matrix::Matrix() : options_(lab::matrix_cells()) {}

void Matrix::start(const lab::ServerInfo& server, int jobs, trace::Engine engine,
                   const std::string& python, std::function<void()> on_change) {
    stop();
    engine_ = engine;
    std::vector<lab::RunOptions> cells = options_;
    for (lab::RunOptions& o : cells) {
        o.engine = engine;
        o.python = python;
    }
    results_[engine].assign(options_.size(), std::nullopt);
    live_.assign(options_.size(), false);
    finished_ = running_ = 0;
    run_ = std::make_unique<lab::MatrixRun>(std::move(cells), server, jobs,
                                            lab::MatrixRun::Callbacks{.on_change = on_change});
    poll();
}

void Matrix::poll() {
    if (!run_ || (finished_ == options_.size() && running_ == 0)) return;
    const std::vector<lab::MatrixRun::Cell> cells = run_->cells();
    std::vector<std::optional<lab::RunState>>& results = results_[engine_];
    finished_ = running_ = 0;
    for (std::size_t i = 0; i < cells.size(); ++i) {
        using S = lab::MatrixRun::CellState;
        live_[i] = cells[i].state == S::running;
        running_ += live_[i];
        if (cells[i].state == S::done || cells[i].state == S::cancelled) ++finished_;
        if (cells[i].state == S::done && cells[i].result && !results[i])
            results[i] = cells[i].result;
    }
}

void Matrix::stop() {
    if (run_) run_->cancel(); // kills live demos; the workers end with them
    poll();
}

const lab::RunState* Matrix::result(trace::Engine e, std::size_t i) const {
    auto it = results_.find(e);
    if (it == results_.end() || i >= it->second.size() || !it->second[i]) return nullptr;
    return &*it->second[i];
}

bool Matrix::disagree(std::size_t i) const {
    const lab::RunState* a = result(trace::Engine::model, i);
    const lab::RunState* b = result(trace::Engine::cpython, i);
    return a && b && a->verdict.outcome != b->verdict.outcome;
}

std::size_t Matrix::disagreements() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < options_.size(); ++i) n += disagree(i);
    return n;
}

bool Matrix::compared() const {
    for (std::size_t i = 0; i < options_.size(); ++i)
        if (result(trace::Engine::model, i) && result(trace::Engine::cpython, i)) return true;
    return false;
}

namespace {

std::string outcome_word(std::optional<lab::Outcome> o, const MatrixText& text) {
    if (!o) return text.get("ui.outcome.pending");
    return text.get("ui.outcome." + std::string(lab::to_string(*o)));
}

// A cell's tooltip: its switches and what was seen, the verdict's headline, the lesson's
// reason, the engines' disagreement, and that a click opens it; in each language on show.
void cell_tip(const Matrix& m, const MatrixText& text, const lab::Lesson* lesson, std::size_t i) {
    const lab::RunOptions& options = m.options(i);
    const lab::RunState* result = m.result(i);
    const lab::Strings& strings = text.content->strings;
    std::string tip;
    for (const lab::Lang l : text.langs.empty() ? std::vector<lab::Lang>{text.lang} : text.langs) {
        auto get = [&](const std::string& key) { return strings.get(key, l); };
        auto word = [&](std::optional<lab::Outcome> o) {
            return get(o ? "ui.outcome." + std::string(lab::to_string(*o)) : "ui.outcome.pending");
        };
        std::optional<lab::Outcome> seen;
        if (result)
            seen = result->verdict.outcome;
        else if (m.running(i))
            seen = lab::Outcome::running;
        if (!tip.empty()) tip += "\n\n";
        tip += strings.format(
            "ui.matrix.tip", l,
            {{"scenario", get("scenario." + options.scenario + ".title")},
             {"receiver", get("ui.receiver." + std::string(trace::name(options.receiver)))},
             {"close", get(lab::effective_close(options) ? "ui.closed_yes" : "ui.closed_no")},
             {"outcome", m.started() || seen ? word(seen) : get("ui.matrix.not_run")}});
        if (result) tip += "\n" + lab::headline(result->verdict, result->timeline, strings, l);
        if (lesson && lesson_expects(*lesson, options) && lesson_default(options))
            tip += "\n" +
                   strings.format("ui.matrix.tip_lesson", l, {{"reason", lesson->predict.in(l)}});
        if (m.disagree(i))
            tip += "\n" +
                   strings.format(
                       "ui.matrix.tip_disagree", l,
                       {{"model", word(m.result(trace::Engine::model, i)->verdict.outcome)},
                        {"cpython", word(m.result(trace::Engine::cpython, i)->verdict.outcome)}});
        if (result) tip += "\n" + get("ui.matrix.tip_open");
    }
    tooltip(tip);
}

// The matrix's shape, from the one list of its columns (lab/model/catalog.hpp): a column per
// receiver, split into a cell per close switch; a row per scenario.
constexpr std::size_t kReceivers = std::size(lab::kMatrixReceivers);
constexpr std::size_t kCloses = std::size(lab::kMatrixCloses);
constexpr std::size_t kCells = kReceivers * kCloses;
constexpr float kCellGap = 6;
// One cell's width in a receiver's column `w` wide.
float cell_width(float w) {
    return (w - kCellGap * float(kCloses - 1)) / float(kCloses);
}

} // namespace

int draw_matrix(const Matrix& m, const MatrixText& text, std::vector<std::string>* drawn) {
    if (drawn) drawn->assign(m.size(), std::string());
    const Palette& pal = palette();
    int clicked = -1;
    const float line = ImGui::GetTextLineHeight();
    if (!ImGui::BeginTable("matrix", 1 + int(kReceivers),
                           ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_BordersInnerV |
                               ImGuiTableFlags_SizingStretchProp))
        return -1;
    ImGui::TableSetupColumn("##scenario", ImGuiTableColumnFlags_WidthStretch, 1.0f);
    for (trace::Receiver r : lab::kMatrixReceivers)
        ImGui::TableSetupColumn(trace::name(r).data(), ImGuiTableColumnFlags_WidthStretch, 1.3f);
    // Header: the receiver policy over each column, then "no close | close" under it.
    ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", text.get("ui.matrix.scenario").c_str());
    float cell_w = 40; // a cell's width, for wrapping its small text (the columns are equal)
    for (trace::Receiver r : lab::kMatrixReceivers) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(text.get("ui.receiver." + std::string(trace::name(r))).c_str());
        const float w = ImGui::GetContentRegionAvail().x, half = cell_width(w);
        cell_w = std::max(40.0f, half - 12);
        const ImVec2 p = ImGui::GetCursorScreenPos();
        for (std::size_t c = 0; c < kCloses; ++c) {
            std::string label = text.get(lab::kMatrixCloses[c] ? "ui.closed_yes" : "ui.closed_no");
            ImGui::SetCursorScreenPos(ImVec2(p.x + float(c) * (half + kCellGap), p.y));
            ImGui::TextDisabled("%s", label.c_str());
        }
    }
    const std::size_t rows = m.size() / kCells;
    for (std::size_t row = 0; row < rows; ++row) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const lab::RunOptions& first = m.options(row * kCells);
        const lab::Lesson* lesson = text.content->lesson(first.scenario);
        ImGui::TextWrapped("%zu  %s", row + 1,
                           text.get("scenario." + first.scenario + ".title").c_str());
        // What was predicted, small, with ✓ or × once seen: the lesson's word and the
        // learner's, wrapped in the cell; the row is as tall as its fullest cell.
        const float small_size = ImGui::GetFontSize() * 0.85f;
        ImFont* font = ImGui::GetFont();
        auto measure = [&](std::string_view t) {
            return font->CalcTextSizeA(small_size, FLT_MAX, 0, t.data(), t.data() + t.size()).x;
        };
        std::vector<std::string> smalls[kCells];
        std::size_t most = 1;
        for (std::size_t k = 0; k < kCells; ++k) {
            const std::size_t i = row * kCells + k;
            const lab::RunOptions& options = m.options(i);
            const lab::RunState* result = m.result(i);
            auto mark = [&](lab::Outcome predicted) {
                if (!result) return std::string();
                return std::string(predicted == result->verdict.outcome ? " ✓" : " ×");
            };
            std::string small;
            if (lesson)
                if (std::optional<lab::Outcome> says = lesson_expects(*lesson, options))
                    small = text.said("ui.matrix.lesson_says", *says) + mark(*says);
            if (auto it = text.learner->find(cell_key(options)); it != text.learner->end()) {
                const lab::Outcome o = it->second ? lab::Outcome::exited : lab::Outcome::hung;
                small += (small.empty() ? "" : "  ") + text.said("ui.matrix.you_said", o) + mark(o);
            }
            if (!small.empty()) smalls[k] = wrap_lines(small, cell_w, measure);
            if (drawn) (*drawn)[i] = small;
            most = std::max(most, smalls[k].size());
        }
        for (std::size_t r = 0; r < kReceivers; ++r) {
            ImGui::TableNextColumn();
            const float w = ImGui::GetContentRegionAvail().x, half = cell_width(w);
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const float h = line * 1.3f + float(most) * small_size * 1.15f + 4;
            for (std::size_t c = 0; c < kCloses; ++c) {
                const std::size_t i = row * kCells + r * kCloses + c;
                const lab::RunState* result = m.result(i);
                const ImVec2 a(p.x + float(c) * (half + kCellGap), p.y), b(a.x + half, a.y + h);
                ImGui::SetCursorScreenPos(a);
                ImGui::PushID(int(i));
                const bool pressed = ImGui::InvisibleButton("cell", ImVec2(half, h));
                const bool hovered = ImGui::IsItemHovered();
                ImGui::PopID();
                std::optional<lab::Outcome> observed;
                if (result)
                    observed = result->verdict.outcome;
                else if (m.running(i))
                    observed = lab::Outcome::running;
                ImDrawList* dl = ImGui::GetWindowDrawList();
                dl->AddRectFilled(
                    a, b, observed ? outcome_color(*observed, OutcomeUse::cell) : pal.cell_pending,
                    4);
                const bool disagree = m.disagree(i);
                if (hovered || disagree)
                    dl->AddRect(a, b, disagree ? pal.pause_arrow : pal.cell_text, 4, 0,
                                disagree ? 4.0f : 2.0f);
                if (disagree) // the other engine said something else: "≠" in the corner
                    dl->AddText(ImVec2(b.x - ImGui::CalcTextSize("≠").x - 6, a.y + 3),
                                pal.cell_text, "≠");
                // What was seen, big; what was predicted, small, with ✓ or ✗.
                std::string seen = m.started() || observed ? outcome_word(observed, text)
                                                           : text.get("ui.matrix.not_run");
                dl->AddText(ImVec2(a.x + 6, a.y + 3), pal.cell_text, seen.c_str());
                const std::vector<std::string>& small = smalls[r * kCloses + c];
                for (std::size_t k = 0; k < small.size(); ++k)
                    dl->AddText(font, small_size,
                                ImVec2(a.x + 6, a.y + line * 1.3f + float(k) * small_size * 1.15f),
                                pal.cell_text, small[k].c_str());
                if (hovered) cell_tip(m, text, lesson, i);
                if (pressed && result) clicked = int(i);
            }
            ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + h + 4));
            ImGui::Dummy(ImVec2(1, 1));
        }
    }
    ImGui::EndTable();
    return clicked;
}

} // namespace gui
