// The lab view's layout: scenarios | lesson | code on top (resizable columns), a splitter,
// then the controls, the banner, the legend row and the timeline, which hosts the run on
// show and the previous one beneath it.
#include "app.hpp"

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
        verdict += content_.strings.format(
            "timeline.verdict", l,
            {{"receiver", content_.strings.get(
                              "ui.receiver." + std::string(trace::name(run.options.receiver)), l)},
             {"outcome", outcome}});
    }
    v.verdict = verdict;
    v.steps = step_marks(run, current);
    return v;
}

void App::lab_view() {
    const float total = ImGui::GetContentRegionAvail().y;
    // Leave the timeline room for a run's lanes whatever the banner takes (measured last
    // frame): large text on a projector must not squeeze the timeline away.
    const float line = ImGui::GetTextLineHeight();
    // ... and room for both runs when it can (what they took last frame), up to 55 %.
    const float timeline_min = std::clamp(timeline_.content_height() + 8, line * 10.8f,
                                          std::max(line * 10.8f, total * 0.55f));
    const float top_h =
        std::max(std::max(std::min(120.0f, total * 0.3f), total * 0.2f),
                 std::min(total * settings_.top_fraction, total - bottom_fixed_h_ - timeline_min));
    if (ImGui::BeginTable("top", 3, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV,
                          ImVec2(0, top_h))) {
        ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 0.18f);
        ImGui::TableSetupColumn("l", ImGuiTableColumnFlags_WidthStretch, 0.44f);
        ImGui::TableSetupColumn("c", ImGuiTableColumnFlags_WidthStretch, 0.38f);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::BeginChild("scenarios", ImVec2(0, top_h - 8));
        scenario_list();
        ImGui::EndChild();
        ImGui::TableNextColumn();
        ImGui::BeginChild("lesson", ImVec2(0, top_h - 8));
        lesson_pane();
        ImGui::EndChild();
        ImGui::TableNextColumn();
        ImGui::BeginChild("code", ImVec2(0, top_h - 8));
        code_pane();
        ImGui::EndChild();
        ImGui::EndTable();
    }
    splitter(total);
    const float bottom_start = ImGui::GetCursorPosY();
    controls();
    banner();
    export_row();
    bottom_fixed_h_ = ImGui::GetCursorPosY() - bottom_start;
    const TimelineText text = timeline_text();
    RunView current, previous;
    if (session_.has_run()) current = run_view(session_.current(), true);
    if (const lab::RunState* before = session_.previous()) previous = run_view(*before, false);
    timeline_.draw(current, previous, text);
}

} // namespace gui
