#include "matrix_view.hpp"

#include "catalog.hpp"
#include "theme.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include <thread>

namespace gui {

std::optional<lab::Outcome> lesson_expects(const lab::Lesson& lesson, const lab::RunOptions& o) {
    const lab::RunOptions def{.scenario = o.scenario};
    if (o.connect_in != def.connect_in || o.worker != def.worker || o.with_block != def.with_block)
        return std::nullopt;
    const std::optional<bool> exits = lesson.expects_exit(o.receiver, lab::effective_close(o));
    if (!exits) return std::nullopt;
    return *exits ? lab::Outcome::exited : lab::Outcome::hung;
}

bool lesson_default(const lab::RunOptions& o) {
    const lab::RunOptions def{.scenario = o.scenario};
    return o.receiver == def.receiver && lab::effective_close(o) == lab::effective_close(def) &&
           o.connect_in == def.connect_in && o.worker == def.worker &&
           o.with_block == def.with_block;
}

std::string cell_key(const lab::RunOptions& o) {
    return o.scenario + "|" + std::string(trace::name(o.receiver)) + "|" +
           (lab::effective_close(o) ? "close" : "no-close");
}

void Matrix::start(const lab::ServerInfo& server, int jobs, std::function<void()> on_change) {
    stop();
    cells_.clear();
    for (lab::RunOptions& o : lab::matrix_cells()) cells_.push_back({.options = std::move(o)});
    server_ = server;
    on_change_ = std::move(on_change);
    jobs_ = std::max(1, jobs);
    next_ = 0;
    t0_ = lab::monotonic_ns();
    t1_ = -1;
    poll();
}

void Matrix::poll() {
    for (MatrixCell& c : cells_)
        if (c.run && c.run->snapshot().finished()) {
            c.result = c.run->snapshot();
            c.run.reset();
        }
    while (next_ < cells_.size() && running() < std::size_t(jobs_)) {
        MatrixCell& c = cells_[next_++];
        c.run = std::make_unique<lab::Run>(c.options, server_, on_change_);
    }
    if (done() && t1_ < 0) t1_ = lab::monotonic_ns();
}

void Matrix::stop() {
    for (MatrixCell& c : cells_) c.run.reset(); // kills a live demo and waits for it
    next_ = cells_.size();
}

std::size_t Matrix::finished() const {
    return std::size_t(
        std::count_if(cells_.begin(), cells_.end(), [](const MatrixCell& c) { return c.result; }));
}

std::size_t Matrix::running() const {
    return std::size_t(std::count_if(cells_.begin(), cells_.end(),
                                     [](const MatrixCell& c) { return bool(c.run); }));
}

double Matrix::wall_ms() const {
    if (!started()) return 0;
    return double((t1_ >= 0 ? t1_ : lab::monotonic_ns()) - t0_) / 1e6;
}

namespace {

ImU32 outcome_color(lab::Outcome o) {
    const Palette& p = palette();
    switch (o) {
    case lab::Outcome::exited:
        return p.banner_exited;
    case lab::Outcome::hung:
        return p.banner_hung;
    case lab::Outcome::running:
        return p.cell_running;
    default:
        return p.banner_other;
    }
}

std::string outcome_word(std::optional<lab::Outcome> o, const MatrixText& text) {
    if (!o) return text.get("ui.outcome.pending");
    return text.get("ui.outcome." + std::string(lab::to_string(*o)));
}

} // namespace

int draw_matrix(const Matrix& m, const MatrixText& text) {
    const Palette& pal = palette();
    int clicked = -1;
    const auto& cells = m.cells();
    const float line = ImGui::GetTextLineHeight();
    if (!ImGui::BeginTable("matrix", 4,
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
    for (trace::Receiver r : lab::kMatrixReceivers) {
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(text.get("ui.receiver." + std::string(trace::name(r))).c_str());
        const float w = ImGui::GetContentRegionAvail().x, half = (w - 6) / 2;
        const ImVec2 p = ImGui::GetCursorScreenPos();
        for (int c = 0; c < 2; ++c) {
            std::string label = text.get(c ? "ui.closed_yes" : "ui.closed_no");
            ImGui::SetCursorScreenPos(ImVec2(p.x + float(c) * (half + 6), p.y));
            ImGui::TextDisabled("%s", label.c_str());
        }
    }
    const std::size_t rows = cells.size() / 6;
    for (std::size_t row = 0; row < rows; ++row) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        const lab::RunOptions& first = cells[row * 6].options;
        const lab::Lesson* lesson = text.content->lesson(first.scenario);
        ImGui::TextWrapped(
            "%zu  %s", row + 1,
            text.content->strings.get("scenario." + first.scenario + ".title", text.lang).c_str());
        for (int r = 0; r < 3; ++r) {
            ImGui::TableNextColumn();
            const float w = ImGui::GetContentRegionAvail().x, half = (w - 6) / 2;
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const float h = line * 2.5f;
            for (int c = 0; c < 2; ++c) {
                const std::size_t i = row * 6 + std::size_t(r) * 2 + std::size_t(c);
                const MatrixCell& cell = cells[i];
                const ImVec2 a(p.x + float(c) * (half + 6), p.y), b(a.x + half, a.y + h);
                ImGui::SetCursorScreenPos(a);
                ImGui::PushID(int(i));
                const bool pressed = ImGui::InvisibleButton("cell", ImVec2(half, h));
                const bool hovered = ImGui::IsItemHovered();
                ImGui::PopID();
                std::optional<lab::Outcome> observed;
                if (cell.result)
                    observed = cell.result->verdict.outcome;
                else if (cell.run)
                    observed = lab::Outcome::running;
                ImDrawList* dl = ImGui::GetWindowDrawList();
                dl->AddRectFilled(a, b, observed ? outcome_color(*observed) : pal.cell_pending, 4);
                if (hovered) dl->AddRect(a, b, pal.cell_text, 4, 0, 2);
                // What was seen, big; what was predicted, small, with ✓ or ✗.
                std::string seen = outcome_word(observed, text);
                dl->AddText(ImVec2(a.x + 6, a.y + 3), pal.cell_text, seen.c_str());
                std::optional<lab::Outcome> lesson_says;
                if (lesson) lesson_says = lesson_expects(*lesson, cell.options);
                std::optional<bool> you;
                if (auto it = text.learner->find(cell_key(cell.options)); it != text.learner->end())
                    you = it->second;
                std::string small;
                auto mark = [&](lab::Outcome predicted) {
                    if (!cell.result) return std::string();
                    return std::string(predicted == cell.result->verdict.outcome ? " ✓" : " ×");
                };
                if (lesson_says)
                    small = text.content->strings.format(
                                "ui.matrix.lesson_says", text.lang,
                                {{"outcome", outcome_word(*lesson_says, text)}}) +
                            mark(*lesson_says);
                if (you) {
                    lab::Outcome o = *you ? lab::Outcome::exited : lab::Outcome::hung;
                    if (!small.empty()) small += "  ";
                    small += text.content->strings.format("ui.matrix.you_said", text.lang,
                                                          {{"outcome", outcome_word(o, text)}}) +
                             mark(o);
                }
                if (!small.empty()) {
                    dl->PushClipRect(a, b, true);
                    ImFont* f = ImGui::GetFont();
                    dl->AddText(f, ImGui::GetFontSize() * 0.85f, ImVec2(a.x + 6, a.y + line * 1.3f),
                                pal.cell_text, small.c_str());
                    dl->PopClipRect();
                }
                if (hovered) {
                    std::string tip = text.content->strings.format(
                        "ui.matrix.tip", text.lang,
                        {{"scenario", cell.options.scenario},
                         {"receiver", text.get("ui.receiver." +
                                               std::string(trace::name(cell.options.receiver)))},
                         {"close", text.get(lab::effective_close(cell.options) ? "ui.closed_yes"
                                                                               : "ui.closed_no")},
                         {"outcome", seen}});
                    auto add_line = [&](const std::string& more) {
                        tip += '\n';
                        tip += more;
                    };
                    if (cell.result)
                        add_line(lab::headline(cell.result->verdict, cell.result->timeline,
                                               text.content->strings, text.lang));
                    if (lesson && lesson_says && lesson_default(cell.options))
                        add_line(text.content->strings.format(
                            "ui.matrix.tip_lesson", text.lang,
                            {{"reason", lesson->predict.in(text.lang)}}));
                    if (cell.result) add_line(text.get("ui.matrix.tip_open"));
                    ImGui::SetTooltip("%s", tip.c_str());
                }
                if (pressed && cell.result) clicked = int(i);
            }
            ImGui::SetCursorScreenPos(ImVec2(p.x, p.y + h + 4));
            ImGui::Dummy(ImVec2(1, 1));
        }
    }
    ImGui::EndTable();
    return clicked;
}

} // namespace gui
