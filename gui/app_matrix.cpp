// The matrix view: every scenario × receiver policy × close run for real, a few at a time,
// each cell beside what the lesson predicts and what the learner said; a click on a
// finished cell opens that run in the lab view.
#include "app.hpp"

#include <GLFW/glfw3.h>
#include <cstdio>
#include <imgui.h>

namespace gui {

void App::matrix_pane() {
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(t("ui.matrix.title").c_str());
    ImGui::PopFont();
    ImGui::TextWrapped("%s", t("ui.matrix.intro").c_str());
    const bool busy = matrix_.started() && !matrix_.done();
    ImGui::BeginDisabled(busy || !server_);
    if (ImGui::Button(t(matrix_.started() ? "ui.matrix.run_again" : "ui.matrix.run").c_str()) &&
        server_)
        matrix_.start({server_->uri(), server_->ca_pem()}, lab::default_matrix_jobs(),
                      [] { glfwPostEmptyEvent(); });
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!busy);
    if (ImGui::Button(t("ui.kill").c_str())) matrix_.stop();
    ImGui::EndDisabled();
    if (matrix_.started()) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        char s[32];
        std::snprintf(s, sizeof s, "%.1f", matrix_.wall_ms() / 1000);
        ImGui::TextUnformatted(
            f("ui.matrix.progress", {{"done", std::to_string(matrix_.finished())},
                                     {"total", std::to_string(matrix_.cells().size())},
                                     {"running", std::to_string(matrix_.running())},
                                     {"s", s}})
                .c_str());
    }
    ImGui::TextDisabled("%s", t("ui.matrix.predicted_note").c_str());
    if (!matrix_.started()) {
        ImGui::TextDisabled("%s", t("ui.matrix.idle").c_str());
        return;
    }
    const MatrixText text{&content_, ui_lang(), &quiz_.answers()};
    ImGui::BeginChild("matrix_scroll");
    const int clicked = draw_matrix(matrix_, text);
    // How the predictions that exist fared.
    int checked = 0, agreed = 0;
    for (const MatrixCell& c : matrix_.cells()) {
        const std::optional<lab::Outcome> expects = expected_outcome(c.options);
        if (!expects || !c.result) continue;
        ++checked;
        agreed += *expects == c.result->verdict.outcome;
    }
    if (checked) {
        ImGui::Spacing();
        ImGui::TextUnformatted(f("ui.matrix.summary", {{"agreed", std::to_string(agreed)},
                                                       {"checked", std::to_string(checked)}})
                                   .c_str());
    }
    ImGui::EndChild();
    if (clicked >= 0) open_cell(std::size_t(clicked));
}

// Puts a finished cell's run on show in the lab view, with its switches.
void App::open_cell(std::size_t i) {
    const MatrixCell& cell = matrix_.cells()[i];
    if (!cell.result) return;
    select(cell.options.scenario);
    receiver_ = cell.options.receiver;
    close_ = lab::effective_close(cell.options);
    session_.open(*cell.result);
    on_new_run();
    quiz_.run_opened();
    view_ = View::lab;
}

} // namespace gui
