#include "gui/text/theme.hpp"

namespace gui {
namespace {

Palette dark() {
    Palette p;
    p.high_contrast = false;
    p.running = IM_COL32(76, 175, 80, 255);
    p.socket = IM_COL32(230, 110, 60, 255);
    p.message = IM_COL32(74, 144, 217, 255);
    p.join = IM_COL32(155, 89, 182, 255);
    p.paused = IM_COL32(241, 196, 15, 255);
    p.other = IM_COL32(120, 144, 156, 255);
    p.lane_bg = IM_COL32(26, 28, 34, 255);
    p.axis_bg = IM_COL32(30, 33, 40, 255);
    p.header_bg = IM_COL32(40, 44, 54, 255);
    p.header_text = IM_COL32(230, 230, 235, 255);
    p.lane_text = IM_COL32(235, 235, 240, 255);
    p.axis_text = IM_COL32(170, 170, 180, 255);
    p.tick = IM_COL32(150, 150, 160, 255);
    p.hint = IM_COL32(140, 140, 150, 255);
    p.badge_daemon = IM_COL32(120, 200, 140, 255);
    p.badge_non_daemon = IM_COL32(240, 140, 110, 255);
    p.main_end = IM_COL32(250, 250, 250, 255);
    p.exit_ok = IM_COL32(80, 220, 120, 255);
    p.exit_bad = IM_COL32(255, 80, 80, 255);
    p.now_line = IM_COL32(90, 150, 230, 200);
    p.join_arrow = IM_COL32(255, 90, 90, 255);
    p.caption_plate = IM_COL32(20, 22, 28, 220);
    p.break_text = p.paused;
    p.connected = IM_COL32(80, 220, 230, 255);
    p.message_dot = IM_COL32(255, 255, 255, 255);
    p.step_badge = IM_COL32(241, 196, 15, 255);
    p.step_badge_text = IM_COL32(20, 20, 20, 255);
    p.step_badge_current = IM_COL32(255, 255, 255, 255);
    p.accent_hung = IM_COL32(230, 80, 70, 255);
    p.accent_exited = IM_COL32(80, 190, 110, 255);
    p.accent_running = IM_COL32(90, 150, 230, 255);
    p.accent_other = IM_COL32(200, 160, 60, 255);
    p.banner_idle = IM_COL32(40, 60, 90, 255);
    p.banner_waiting = IM_COL32(110, 70, 20, 255);
    p.banner_exited = IM_COL32(30, 90, 50, 255);
    p.banner_hung = IM_COL32(120, 35, 35, 255);
    p.banner_other = IM_COL32(100, 80, 20, 255);
    p.banner_text = IM_COL32(255, 255, 255, 255);
    p.section = ImVec4(0.55f, 0.78f, 1.0f, 1);
    p.code_hot = IM_COL32(241, 196, 15, 60);
    p.code_hot_text = 0;
    p.code_comment = IM_COL32(120, 160, 120, 255);
    p.pause_arrow = IM_COL32(241, 196, 15, 255);
    p.step_card = IM_COL32(241, 196, 15, 28);
    p.md_link = IM_COL32(110, 170, 255, 255);
    p.md_code = IM_COL32(255, 196, 120, 255);
    p.md_strong = IM_COL32(255, 255, 255, 255);
    p.md_em = IM_COL32(190, 220, 255, 255);
    p.md_heading = IM_COL32(140, 200, 255, 255);
    p.md_code_bg = IM_COL32(255, 255, 255, 22);
    p.md_block_bg = IM_COL32(0, 0, 0, 90);
    p.md_block_text = IM_COL32(230, 220, 190, 255);
    p.notice = ImVec4(1, 0.75f, 0.3f, 1);
    p.error = ImVec4(1, 0.5f, 0.4f, 1);
    p.ok = ImVec4(0.45f, 0.85f, 0.5f, 1);
    p.wrong = ImVec4(1, 0.5f, 0.4f, 1);
    p.cell_pending = IM_COL32(50, 54, 64, 255);
    p.cell_running = IM_COL32(40, 60, 90, 255);
    p.cell_text = IM_COL32(255, 255, 255, 255);
    p.clear_color = ImVec4(0.10f, 0.11f, 0.13f, 1);
    return p;
}

// Black on white; every colour dark and saturated enough to survive a projector's glare.
Palette high_contrast() {
    Palette p;
    p.high_contrast = true;
    p.running = IM_COL32(0, 130, 0, 255);
    p.socket = IM_COL32(215, 70, 0, 255);
    p.message = IM_COL32(0, 85, 215, 255);
    p.join = IM_COL32(125, 0, 170, 255);
    p.paused = IM_COL32(235, 175, 0, 255);
    p.other = IM_COL32(85, 85, 85, 255);
    p.lane_bg = IM_COL32(236, 236, 236, 255);
    p.axis_bg = IM_COL32(220, 220, 220, 255);
    p.header_bg = IM_COL32(205, 205, 205, 255);
    p.header_text = IM_COL32(0, 0, 0, 255);
    p.lane_text = IM_COL32(0, 0, 0, 255);
    p.axis_text = IM_COL32(0, 0, 0, 255);
    p.tick = IM_COL32(0, 0, 0, 255);
    p.hint = IM_COL32(40, 40, 40, 255);
    p.badge_daemon = IM_COL32(0, 110, 0, 255);
    p.badge_non_daemon = IM_COL32(190, 0, 0, 255);
    p.main_end = IM_COL32(0, 0, 0, 255);
    p.exit_ok = IM_COL32(0, 140, 0, 255);
    p.exit_bad = IM_COL32(210, 0, 0, 255);
    p.now_line = IM_COL32(0, 60, 200, 255);
    p.join_arrow = IM_COL32(210, 0, 0, 255);
    p.caption_plate = IM_COL32(255, 255, 255, 235);
    p.break_text = IM_COL32(110, 60, 0, 255); // dark amber: the yellow is unreadable on white
    p.connected = IM_COL32(0, 150, 170, 255);
    p.message_dot = IM_COL32(0, 0, 0, 255);
    p.step_badge = IM_COL32(0, 0, 0, 255);
    p.step_badge_text = IM_COL32(255, 255, 255, 255);
    p.step_badge_current = IM_COL32(215, 0, 0, 255);
    p.accent_hung = IM_COL32(210, 0, 0, 255);
    p.accent_exited = IM_COL32(0, 140, 0, 255);
    p.accent_running = IM_COL32(0, 70, 200, 255);
    p.accent_other = IM_COL32(170, 110, 0, 255);
    p.banner_idle = IM_COL32(0, 50, 130, 255);
    p.banner_waiting = IM_COL32(150, 80, 0, 255);
    p.banner_exited = IM_COL32(0, 105, 0, 255);
    p.banner_hung = IM_COL32(175, 0, 0, 255);
    p.banner_other = IM_COL32(120, 90, 0, 255);
    p.banner_text = IM_COL32(255, 255, 255, 255);
    p.section = ImVec4(0, 0.2f, 0.6f, 1);
    p.code_hot = IM_COL32(255, 215, 0, 255);
    p.code_hot_text = IM_COL32(0, 0, 0, 255);
    p.code_comment = IM_COL32(0, 100, 0, 255);
    p.pause_arrow = IM_COL32(215, 0, 0, 255);
    p.step_card = IM_COL32(255, 230, 120, 255);
    p.md_link = IM_COL32(0, 60, 200, 255);
    p.md_code = IM_COL32(150, 40, 0, 255);
    p.md_strong = IM_COL32(0, 0, 0, 255);
    p.md_em = IM_COL32(0, 40, 130, 255);
    p.md_heading = IM_COL32(0, 40, 130, 255);
    p.md_code_bg = IM_COL32(0, 0, 0, 25);
    p.md_block_bg = IM_COL32(0, 0, 0, 30);
    p.md_block_text = IM_COL32(0, 0, 0, 255);
    p.notice = ImVec4(0.6f, 0.3f, 0, 1);
    p.error = ImVec4(0.8f, 0, 0, 1);
    p.ok = ImVec4(0, 0.5f, 0, 1);
    p.wrong = ImVec4(0.8f, 0, 0, 1);
    p.cell_pending = IM_COL32(200, 200, 200, 255);
    p.cell_running = IM_COL32(0, 60, 160, 255);
    p.cell_text = IM_COL32(255, 255, 255, 255);
    p.clear_color = ImVec4(1, 1, 1, 1);
    return p;
}

Palette g_palette = dark();

} // namespace

const Palette& palette() {
    return g_palette;
}

ImU32 outcome_color(lab::Outcome o, OutcomeUse use) {
    const Palette& p = palette();
    const bool accent = use == OutcomeUse::accent;
    switch (o) {
    case lab::Outcome::exited:
        return accent ? p.accent_exited : p.banner_exited;
    case lab::Outcome::hung:
        return accent ? p.accent_hung : p.banner_hung;
    case lab::Outcome::running:
        return accent ? p.accent_running : use == OutcomeUse::cell ? p.cell_running : p.banner_idle;
    default:
        return accent ? p.accent_other : p.banner_other;
    }
}

void apply_theme(const std::string& theme) {
    ImGuiStyle& st = ImGui::GetStyle();
    st = ImGuiStyle();
    if (theme == "high-contrast") {
        g_palette = high_contrast();
        ImGui::StyleColorsLight();
        st.Colors[ImGuiCol_Text] = ImVec4(0, 0, 0, 1);
        st.Colors[ImGuiCol_TextDisabled] = ImVec4(0.25f, 0.25f, 0.25f, 1);
        st.Colors[ImGuiCol_WindowBg] = ImVec4(1, 1, 1, 1);
        st.Colors[ImGuiCol_ChildBg] = ImVec4(0.97f, 0.97f, 0.97f, 1);
        st.Colors[ImGuiCol_PopupBg] = ImVec4(1, 1, 0.92f, 1);
        st.Colors[ImGuiCol_Border] = ImVec4(0, 0, 0, 1);
        st.Colors[ImGuiCol_Separator] = ImVec4(0, 0, 0, 1);
        st.Colors[ImGuiCol_Button] = ImVec4(0.82f, 0.86f, 0.95f, 1);
        st.Colors[ImGuiCol_ButtonHovered] = ImVec4(0.65f, 0.75f, 0.95f, 1);
        st.Colors[ImGuiCol_ButtonActive] = ImVec4(0.35f, 0.5f, 0.9f, 1);
        st.Colors[ImGuiCol_FrameBg] = ImVec4(0.88f, 0.88f, 0.88f, 1);
        st.Colors[ImGuiCol_CheckMark] = ImVec4(0, 0, 0, 1);
        st.Colors[ImGuiCol_Header] = ImVec4(0.75f, 0.82f, 0.98f, 1);
        st.Colors[ImGuiCol_Tab] = ImVec4(0.82f, 0.86f, 0.95f, 1);
        st.Colors[ImGuiCol_TabActive] = ImVec4(0.45f, 0.6f, 0.95f, 1);
        st.FrameBorderSize = 1;
        st.ChildBorderSize = 1;
    } else {
        g_palette = dark();
        ImGui::StyleColorsDark();
        st.Colors[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.11f, 0.13f, 1);
        st.Colors[ImGuiCol_ChildBg] = ImVec4(0.13f, 0.14f, 0.17f, 1);
    }
    st.WindowRounding = 0;
    st.FrameRounding = 4;
    st.ChildRounding = 4;
    st.FramePadding = ImVec2(8, 4);
    st.ItemSpacing = ImVec2(8, 6);
}

} // namespace gui
