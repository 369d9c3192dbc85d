// The toolbar: the title, the two views and the tally; at the right the languages, text
// size, contrast and full screen, measured so that nothing overlaps. Then any notice.
#include "gui/app/app.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>

namespace gui {

using lab::Lang;

void App::toolbar() {
    const ImGuiStyle& st = ImGui::GetStyle();
    const TimelineText words = timeline_text(); // every language on show (双语: both)
    auto right_edge = [] { return ImGui::GetWindowContentRegionMax().x; };
    auto w = [&](const char* key) { return words.get(key); };
    toolbar_items_.clear();
    auto note = [&](const std::string& what) {
        toolbar_items_.push_back({what, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    };
    // Right first, on the first line: languages, contrast, full screen, then text size last.
    // A+ keeps its place at the window's top right whatever the text size (repeated clicks
    // land on it); what does not fit on the left wraps to the next line instead.
    const std::string smaller = t("ui.font.smaller"), bigger = t("ui.font.bigger");
    const std::string contrast = w("ui.theme.high_contrast"), full = w("ui.fullscreen");
    const std::string display = w("ui.display");
    float langs_w = 0;
    for (const char* code : {"zh", "en", "both"})
        langs_w += button_width(content_.strings.get(std::string("lang.") + code, Lang::zh));
    const float sizes_w = button_width(smaller) + button_width(bigger);
    // 双语 at a large size: contrast and full screen go into one "显示 / Display" menu, where
    // their labels keep both languages.
    const bool menu =
        langs_w + sizes_w + button_width(contrast) + button_width(full) + st.ItemSpacing.x * 6 >
        right_edge() * 0.6f;
    const float right_w =
        langs_w + sizes_w + st.ItemSpacing.x * (menu ? 5 : 6) +
        (menu ? button_width(display) : button_width(contrast) + button_width(full));
    const float right = ImGui::GetWindowContentRegionMax().x;
    const ImVec2 start = ImGui::GetCursorPos();
    const float right_x = std::max(start.x, right - right_w);
    ImGui::SetCursorPos(ImVec2(right_x, start.y));
    // Chinese and both need a CJK font; English always works.
    for (const char* code : {"zh", "en", "both"}) {
        const bool needs_cjk = std::string(code) != "en";
        ImGui::BeginDisabled(needs_cjk && !fonts_.has_cjk);
        if (toggle_button(content_.strings.get(std::string("lang.") + code, Lang::zh),
                          settings_.lang == code))
            settings_.lang = code;
        ImGui::EndDisabled();
        note(std::string("lang.") + code);
        ImGui::SameLine();
    }
    const bool high = settings_.theme == "high-contrast";
    auto flip_contrast = [&] {
        settings_.theme = high ? "normal" : "high-contrast";
        fonts_dirty_ = true; // the style is rebuilt with the fonts
    };
    if (menu) {
        if (toggle_button(display, high || fullscreen_)) ImGui::OpenPopup("##display");
        note("display");
        tip(w("ui.display.tip"));
        if (ImGui::BeginPopup("##display")) {
            if (ImGui::MenuItem(contrast.c_str(), nullptr, high)) flip_contrast();
            note("contrast");
            tip(w("ui.theme.tip"));
            if (ImGui::MenuItem(full.c_str(), "F11", fullscreen_)) toggle_fullscreen();
            note("fullscreen");
            tip(w("ui.fullscreen.tip"));
            ImGui::EndPopup();
        }
    } else {
        if (toggle_button(contrast, high)) flip_contrast();
        note("contrast");
        tip(w("ui.theme.tip"));
        ImGui::SameLine();
        if (toggle_button(full, fullscreen_)) toggle_fullscreen();
        note("fullscreen");
        tip(w("ui.fullscreen.tip"));
    }
    ImGui::SameLine();
    if (ImGui::Button(smaller.c_str())) change_text_size(-0.1f);
    note("font.smaller");
    tip(w("ui.font.tip"));
    ImGui::SameLine();
    if (ImGui::Button(bigger.c_str())) change_text_size(+0.1f);
    note("font.bigger");
    tip(w("ui.font.tip"));
    const float right_bottom = ImGui::GetItemRectMax().y - ImGui::GetWindowPos().y;

    // Left: the title, the subtitle when there is room, the two views, the tally, the room.
    const std::string lab_label = w("ui.view.lab"), matrix_label = w("ui.view.matrix");
    const std::string tally =
        words.format("ui.tally", {{"right", std::to_string(quiz_.right_count())},
                                  {"total", std::to_string(quiz_.total())}});
    // The room's button, in every language on show ("开放课堂 / Open room"): on the views' line
    // when it fits there, else on a line of its own beneath (1280×720 at ×2.2 in 双语).
    const std::string room_label = room_.button_label(content_.strings, words.langs);
    const float room_w = button_width(room_label);
    const float mid_w = button_width(lab_label) + button_width(matrix_label) +
                        ImGui::CalcTextSize(tally.c_str()).x + st.ItemSpacing.x * 6 +
                        tally_extra_w_;
    const std::string subtitle = w("app.subtitle");
    const float room_left = right_x - st.ItemSpacing.x * 2; // the left part ends here
    ImGui::SetCursorPos(start);
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(w("app.title").c_str());
    ImGui::PopFont();
    note("title");
    ImGui::SameLine();
    const float after_title = ImGui::GetCursorPosX();
    if (after_title + ImGui::CalcTextSize(subtitle.c_str()).x + mid_w + room_w +
            st.ItemSpacing.x * 6 <
        room_left) {
        ImGui::TextDisabled("%s", subtitle.c_str());
        note("subtitle");
        ImGui::SameLine(0, st.ItemSpacing.x * 3);
    } else if (after_title + mid_w > room_left) {
        ImGui::NewLine(); // the views on a line of their own, under the right group
        ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), right_bottom + st.ItemSpacing.y));
    }
    if (toggle_button(lab_label, view_ == View::lab)) view_ = View::lab;
    note("view.lab");
    ImGui::SameLine(0, 2);
    if (toggle_button(matrix_label, view_ == View::matrix)) view_ = View::matrix;
    note("view.matrix");
    tip(w("ui.view.matrix.tip"));
    ImGui::SameLine(0, st.ItemSpacing.x * 2);
    const float tally_x = ImGui::GetCursorPosX();
    tally_controls(tally);
    ImGui::SameLine(0, 0); // where the tally's line ends
    tally_extra_w_ = ImGui::GetCursorPosX() - tally_x - ImGui::CalcTextSize(tally.c_str()).x;
    ImGui::SameLine(0, st.ItemSpacing.x * 2);
    // On the first line the left part ends where the right group begins.
    const bool first_line = ImGui::GetCursorPosY() < right_bottom;
    if (ImGui::GetCursorPosX() + room_w > (first_line ? room_left : right_edge())) {
        ImGui::NewLine();
        ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), right_bottom + st.ItemSpacing.y));
    }
    room_.button(content_.strings, words.langs); // Open room / Close room
    note("room");
    // Below both parts.
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), right_bottom + st.ItemSpacing.y));
    if (!notice_.empty()) ImGui::TextColored(palette().notice, "%s", notice_.c_str());
    for (const std::string& e : content_.errors)
        ImGui::TextColored(palette().error, "%s", f("ui.notice.content", {{"error", e}}).c_str());
}

// The tally of predictions, its help, and (once there is a score) its reset, asked first.
void App::tally_controls(const std::string& tally) {
    const ImGuiStyle& st = ImGui::GetStyle();
    const TimelineText words = timeline_text();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tally.c_str());
    note_item("tally");
    tip(words.get("ui.tally.tip"));
    ImGui::SameLine(0, 2);
    ImGui::TextDisabled("(?)"); // help: what the tally counts
    note_item("tally.help");
    tip(words.get("ui.tally.tip"));
    if (quiz_.total() > 0 || !quiz_.answers().empty()) { // the score can start again, asked
        ImGui::SameLine(0, st.ItemSpacing.x);
        if (ImGui::SmallButton(words.get("ui.tally.reset").c_str()))
            ImGui::OpenPopup("##reset-score");
        note_item("tally.reset");
        tip(t("ui.tally.reset.tip"));
    }
    if (ImGui::BeginPopupModal("##reset-score", nullptr,
                               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar)) {
        ImGui::TextUnformatted(words.get("ui.tally.reset.ask").c_str());
        if (ImGui::Button(words.get("ui.tally.reset.yes").c_str())) {
            quiz_.reset();
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button(words.get("ui.rerun.no").c_str()) ||
            ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

// F11 and the toolbar's button: the monitor under the window's centre (else the primary
// one) at its own mode, and back to the window's last place and size.
void App::toggle_fullscreen() {
    if (fullscreen_) {
        glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2],
                             windowed_[3], 0);
        fullscreen_ = false;
        return;
    }
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    int count = 0;
    GLFWmonitor** monitors = glfwGetMonitors(&count);
    GLFWmonitor* target = glfwGetPrimaryMonitor();
    const int cx = windowed_[0] + windowed_[2] / 2, cy = windowed_[1] + windowed_[3] / 2;
    for (int i = 0; i < count; ++i) {
        int mx = 0, my = 0;
        glfwGetMonitorPos(monitors[i], &mx, &my);
        const GLFWvidmode* m = glfwGetVideoMode(monitors[i]);
        if (m && cx >= mx && cx < mx + m->width && cy >= my && cy < my + m->height)
            target = monitors[i];
    }
    const GLFWvidmode* mode = target ? glfwGetVideoMode(target) : nullptr;
    if (!mode) return;
    glfwSetWindowMonitor(window_, target, 0, 0, mode->width, mode->height, mode->refreshRate);
    fullscreen_ = true;
}

} // namespace gui
