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

void App::lab_view() {
    const float total = ImGui::GetContentRegionAvail().y;
    // Leave the timeline room for a run's lanes whatever the banner takes (measured last
    // frame): large text on a projector must not squeeze the timeline away.
    const float line = ImGui::GetTextLineHeight();
    const float timeline_min = line * 10.8f;
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
    const TimelineText text{&content_.strings, ui_lang()};
    RunView current, previous;
    if (session_.has_run()) {
        const lab::RunState& run = session_.current();
        current.run = &run;
        current.label = current_label(); // "previous settings" once a switch changed
        current.steps = step_marks(run, true);
    }
    if (const lab::RunState* before = session_.previous()) {
        previous.run = before;
        previous.label = t("ui.previous") + ": " + run_label(*before);
        previous.steps = step_marks(*before, false);
    }
    timeline_.draw(current, previous, text);
    stale_overlay(timeline_.rect_min(), timeline_.rect_max()); // greyed: previous settings
}

} // namespace gui
