// The lab view's layout: scenarios | lesson | code on top (resizable columns), a splitter,
// then the controls, the banner, the legend row and the timeline, which hosts the run on
// show and the previous one beneath it.
#include "gui/app/app.hpp"

#include <algorithm>
#include <imgui.h>

namespace gui {

// The splitter between top and bottom: dragging it moves settings_.top_fraction.
void App::splitter(float total) {
    ImGui::InvisibleButton("##split", ImVec2(-1, 6));
    if (ImGui::IsItemActive())
        settings_.top_fraction =
            std::clamp(settings_.top_fraction + ImGui::GetIO().MouseDelta.y / total, 0.15f, 0.8f);
    if (ImGui::IsItemHovered() || ImGui::IsItemActive())
        ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x, (a.y + b.y) / 2), ImVec2(b.x, (a.y + b.y) / 2),
                                        ImGui::GetColorU32(ImGuiCol_Separator), 2);
}

// The timeline's words in every language shown (双语: both), its big font for verdicts.
TimelineText App::timeline_text() const {
    return {&content_.strings, content_langs(), fonts_.big};
}

// A run as the timeline draws it: "This run: settings" and the verdict in large type,
// "inherit (≤ 12.0) → hangs", so two runs compare at a glance.
RunView App::run_view(const lab::RunState& run, bool current) const {
    RunView v;
    v.run = &run;
    const TimelineText text = timeline_text();
    v.label = text.get(current ? "ui.current" : "ui.previous") + ": " + run_label(run);
    std::string verdict;
    for (lab::Lang l : text.langs) {
        if (!verdict.empty()) verdict += " / ";
        const std::string outcome =
            run.verdict.outcome == lab::Outcome::running
                ? content_.strings.get("ui.outcome.running", l)
                : content_.strings.get(
                      "ui.outcome." + std::string(lab::to_string(run.verdict.outcome)), l);
        if (!receiver_meant(run.options))
            verdict += outcome;
        else
            verdict += content_.strings.format(
                "timeline.verdict", l,
                {{"receiver",
                  content_.strings.get(
                      "ui.receiver." + std::string(trace::name(run.options.receiver)), l)},
                 {"outcome", outcome}});
    }
    v.verdict = verdict;
    v.steps = step_marks(run, current);
    return v;
}

void App::lab_view() {
    // Beneath the toolbar, in a region of its own: when a projector's text size overfills the
    // window, this scrolls and the toolbar (A+ with it) stays where it is.
    ImGui::BeginChild("##lab", ImVec2(0, 0), false, ImGuiWindowFlags_NoBackground);
    lab_content();
    ImGui::EndChild();
}

// The timeline's useful least height: a run's header (its verdict in large type), its axis
// and its first lane, in view without scrolling (timeline_view.cpp: draw_run).
// And never less than a fifth of the window, so that a run's lanes have room at small text
// sizes too.
float App::timeline_floor() const {
    const float line = ImGui::GetTextLineHeight();
    return std::max((fonts_.big ? fonts_.big->FontSize : line) + line * 4.2f + 10,
                    ImGui::GetIO().DisplaySize.y * 0.22f);
}

void App::lab_content() {
    control_items_.clear();
    const float total = ImGui::GetContentRegionAvail().y;
    const float line = ImGui::GetTextLineHeight();
    // The code pane keeps six lines of code in view at any text size (below the code's tabs;
    // the step's lines are scrolled into view): on a projector the code must stay readable.
    // "Your program" has its note, path and file line above the editor: the editor keeps
    // twelve lines of code in view (issue 24: it showed about five).
    const float code_rows = own_program() ? 12.0f + 3.5f : 6.3f;
    const float code_min = ImGui::GetFrameHeightWithSpacing() +
                           code_rows * ImGui::GetTextLineHeightWithSpacing() +
                           ImGui::GetStyle().WindowPadding.y * 2 + 8;
    // Below the panes: the controls' first rows at least, then the timeline's floor.
    const float lower_min = ImGui::GetFrameHeightWithSpacing() * 2.2f + 14 + timeline_floor();
    if (code_min + lower_min > total) {
        // Too low for the panes above the timeline (1280×720 at ×1.6 and more): the code
        // takes the right-hand column, the whole height, and the scenarios and the lesson
        // give up their height to the controls and the timeline beside it.
        if (ImGui::BeginTable("cramped", 2,
                              ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV,
                              ImVec2(0, total))) {
            ImGui::TableSetupColumn("lab", ImGuiTableColumnFlags_WidthStretch, 0.62f);
            ImGui::TableSetupColumn("c", ImGuiTableColumnFlags_WidthStretch, 0.38f);
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const float left_h = total - 8;
            ImGui::BeginChild("##cramped-lab", ImVec2(0, left_h), false,
                              ImGuiWindowFlags_NoBackground);
            const float top_h = std::max(
                line * 3.2f, std::min(left_h * settings_.top_fraction, left_h - lower_min));
            top_panes(top_h, false);
            splitter(left_h);
            lower_part();
            ImGui::EndChild();
            ImGui::TableNextColumn();
            ImGui::BeginChild("code", ImVec2(0, left_h));
            code_pane();
            ImGui::EndChild();
            ImGui::EndTable();
        }
        return;
    }
    // Leave the timeline room for a run's lanes whatever the banner takes (measured last
    // frame): large text on a projector must not squeeze the timeline away.
    // ... and room for both runs when it can (what they took last frame), up to 55 %.
    const float timeline_min = std::clamp(timeline_.content_height() + 8, line * 10.8f,
                                          std::max(line * 10.8f, total * 0.55f));
    // The bottom's height as the tallest banner so far (for this size and text size): a
    // banner that grows with the verdict does not push the panes and controls about.
    const ImVec2 win = ImGui::GetIO().DisplaySize;
    if (layout_key_[0] != win.x || layout_key_[1] != win.y ||
        layout_key_[2] != settings_.font_scale) {
        layout_key_[0] = win.x;
        layout_key_[1] = win.y;
        layout_key_[2] = settings_.font_scale;
        bottom_reserve_ = 0;
    }
    // Room for a verdict's banner (a large line and four of explanation) from the start.
    const float banner_h = banner_rect_.w - banner_rect_.y;
    const float banner_room = (fonts_.big ? fonts_.big->FontSize : line) + line * 4.6f + 16;
    bottom_reserve_ =
        std::max(bottom_reserve_, bottom_fixed_h_ + std::max(0.0f, banner_room - banner_h));
    const float top_min = std::max(total * 0.2f, code_min);
    const float top_h = std::max(
        top_min, std::min(total * settings_.top_fraction, total - bottom_reserve_ - timeline_min));
    top_panes(top_h, true);
    splitter(total);
    lower_part();
}

// The panes at the top: scenarios | lesson | code (with_code), resizable columns.
void App::top_panes(float top_h, bool with_code) {
    if (!ImGui::BeginTable("top", with_code ? 3 : 2,
                           ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV,
                           ImVec2(0, top_h)))
        return;
    ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 0.18f);
    ImGui::TableSetupColumn("l", ImGuiTableColumnFlags_WidthStretch, 0.44f);
    if (with_code) ImGui::TableSetupColumn("c", ImGuiTableColumnFlags_WidthStretch, 0.38f);
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::BeginChild("scenarios", ImVec2(0, top_h - 8));
    scenario_list();
    ImGui::EndChild();
    ImGui::TableNextColumn();
    ImGui::BeginChild("lesson", ImVec2(0, top_h - 8));
    lesson_pane();
    ImGui::EndChild();
    if (with_code) {
        ImGui::TableNextColumn();
        ImGui::BeginChild("code", ImVec2(0, top_h - 8));
        code_pane();
        ImGui::EndChild();
    }
    ImGui::EndTable();
}

// Below the splitter: the controls, the banner, the legend row, then the timeline.
void App::lower_part() {
    const float line = ImGui::GetTextLineHeight();
    // The timeline keeps a useful height in view at every size (a run's header, its axis and
    // first lane): when the controls, the banner and the legend would push it below the
    // window, they give way first, in a region of their own that scrolls, and the banner
    // folds within it (banner()).
    const float floor = timeline_floor();
    const float bottom_max =
        ImGui::GetContentRegionAvail().y - floor - ImGui::GetStyle().ItemSpacing.y * 2;
    const ImVec2 win = ImGui::GetIO().DisplaySize;
    if (const std::array<float, 3> key{win.x, win.y, settings_.font_scale}; key != fold_key_) {
        fold_key_ = key;
        bottom_fold_ = false;
    }
    bottom_fold_ = bottom_fold_ || bottom_fixed_h_ > bottom_max + 1;
    const bool fold = bottom_fold_;
    if (fold) // at least a row and a half of controls, however little room is left
        ImGui::BeginChild(
            "##bottom-fold",
            ImVec2(0, std::max(bottom_max, ImGui::GetFrameHeightWithSpacing() * 1.5f)), false);
    const float bottom_start = ImGui::GetCursorPosY();
    controls();
    setup_status(); // "Set up real Python": its bar, then what it made or what went wrong
    const float legend_h = ImGui::GetFrameHeightWithSpacing() * 2.6f;
    const float banner_max =
        std::max((fonts_.big ? fonts_.big->FontSize : line) + line * 2.4f + 12,
                 ImGui::GetContentRegionAvail().y - legend_h - (fold ? 0 : floor));
    const ImVec2 banner_a = ImGui::GetCursorScreenPos();
    banner(banner_max);
    banner_rect_ =
        ImVec4(banner_a.x, banner_a.y, ImGui::GetItemRectMax().x, ImGui::GetCursorScreenPos().y);
    export_row();
    bottom_fixed_h_ = ImGui::GetCursorPosY() - bottom_start;
    if (fold) ImGui::EndChild();
    const TimelineText text = timeline_text();
    RunView current, previous;
    if (session_.has_run()) {
        current = run_view(session_.current(), true);
        current.label = current_label(); // "previous settings" once a switch changed
    }
    if (const lab::RunState* before = session_.previous()) previous = run_view(*before, false);
    // Never squeezed away: when the window is too small for everything at this text size,
    // the timeline keeps its room and the lab view scrolls.
    const float left = ImGui::GetContentRegionAvail().y;
    const float timeline_h = left >= floor ? 0.0f : floor;
    if (!sweep_timeline(text, timeline_h)) timeline_.draw(current, previous, text, timeline_h);
    stale_overlay(timeline_.rect_min(), timeline_.rect_max()); // greyed: previous settings
}

} // namespace gui
