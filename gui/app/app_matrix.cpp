// The matrix view: every scenario × receiver policy × close run for real, a few at a time,
// each cell beside what the lesson predicts and what the learner said; a click on a
// finished cell opens that run in the lab view.
#include "gui/app/app.hpp"

#include "gui/text/widgets.hpp"

#include <GLFW/glfw3.h>
#include <cstdio>
#include <imgui.h>

namespace gui {

// A sentence of the page in every language on show (双语: one paragraph each), wrapped.
void App::sentence(std::string_view key, const std::vector<lab::Arg>& args, bool dim) {
    if (dim) ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    for (lab::Lang l : timeline_text().langs) text_wrapped(content_.strings.format(key, l, args));
    if (dim) ImGui::PopStyleColor();
}

void App::matrix_pane() {
    ImGui::PushFont(fonts_.big);
    text_wrapped(label("ui.matrix.title"));
    ImGui::PopFont();
    sentence("ui.matrix.intro");
    const bool busy = matrix_.started() && !matrix_.done();
    // The engine the matrix runs on (the lab's engine switch, shared).
    ImGui::BeginDisabled(busy);
    engine_controls();
    ImGui::EndDisabled();
    // Run, Kill and the progress follow the engine's line while they fit, else wrap (双语 at
    // a projector's size): never a button cut at the window's edge.
    ImGui::BeginDisabled(busy || !server_);
    const bool ran = matrix_.started() && matrix_.engine() == next_.engine;
    const std::string run = label(ran ? "ui.matrix.run_again" : "ui.matrix.run");
    if (ImGui::GetContentRegionAvail().x < button_width(run)) ImGui::NewLine();
    if (ImGui::Button(run.c_str()) && server_)
        matrix_.start({server_->uri(), server_->ca_pem()}, lab::default_matrix_jobs(), next_.engine,
                      next_.python, [] { glfwPostEmptyEvent(); });
    ImGui::EndDisabled();
    const std::string kill = label("ui.kill");
    same_line_if_fits(button_width(kill));
    ImGui::BeginDisabled(!busy);
    if (ImGui::Button(kill.c_str())) matrix_.stop();
    ImGui::EndDisabled();
    if (matrix_.started()) {
        char s[32];
        std::snprintf(s, sizeof s, "%.1f", matrix_.wall_ms() / 1000);
        const std::string progress = timeline_text().format(
            "ui.matrix.progress", {{"done", std::to_string(matrix_.finished())},
                                   {"total", std::to_string(matrix_.size())},
                                   {"running", std::to_string(matrix_.running())},
                                   {"s", s}});
        same_line_if_fits(text_width(progress));
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(progress.c_str());
    }
    sentence("ui.matrix.predicted_note", {}, true);
    if (matrix_.compared())
        sentence("ui.matrix.disagree", {{"n", std::to_string(matrix_.disagreements())}});
    else if (!matrix_.started())
        sentence("ui.matrix.idle", {}, true);
    // The grid at once: before any run it shows what the lessons and the learner predict.
    const MatrixText text{&content_, ui_lang(), &quiz_.answers(), timeline_text().langs};
    ImGui::BeginChild("matrix_scroll");
    const int clicked = draw_matrix(matrix_, text, &matrix_small_);
    // How the predictions that exist fared.
    int checked = 0, agreed = 0;
    for (std::size_t i = 0; i < matrix_.size(); ++i) {
        const std::optional<lab::Outcome> expects = expected_outcome(matrix_.options(i));
        const lab::RunState* r = matrix_.result(i);
        if (!expects || !r) continue;
        ++checked;
        agreed += *expects == r->verdict.outcome;
    }
    if (checked) {
        ImGui::Spacing();
        sentence("ui.matrix.summary",
                 {{"agreed", std::to_string(agreed)}, {"checked", std::to_string(checked)}});
    }
    ImGui::EndChild();
    if (clicked >= 0) open_cell(std::size_t(clicked));
}

// Puts a finished cell's run on show in the lab view, with its switches.
// Opening a cell sets every switch to the cell's: scenario, receiver, close, engine (the
// rule the scenario list's tooltip states).
void App::open_cell(std::size_t i) {
    const lab::RunState* result = matrix_.result(i);
    if (!result) return;
    const lab::RunOptions& o = result->options;
    select(o.scenario);
    const bool step = next_.step; // the learner's step mode stays; every switch is the cell's
    next_ = o;
    next_.close = lab::effective_close(o);
    next_.step = step;
    session_.open(*result);
    on_new_run();
    quiz_.run_opened();
    view_ = View::lab;
}

} // namespace gui
