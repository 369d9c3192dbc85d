// The code pane: the Python the scenario mirrors and the C++ that really runs, one tab each.
// The step on show lights its lines (scrolled into view when the step changes); in C++ the
// pause point where the demo waits gets an arrow.
#include "app.hpp"

#include "lines.hpp"

#include "branches.hpp"
#include "catalog.hpp"
#include "theme.hpp"

#include <algorithm>
#include <imgui.h>
#include <utility>

namespace gui {
namespace {

bool contains(const std::vector<int>& lines, int n) {
    return std::find(lines.begin(), lines.end(), n) != lines.end();
}

} // namespace

void App::code_pane() {
    if (own_program()) {
        own_program_pane();
        return;
    }
    const lab::Lesson* lesson = content_.lesson(scenario_);
    const lab::Scenario* sc = lab::find_scenario(scenario_);
    if (ImGui::BeginTabBar("code")) {
        const std::optional<CodeTab> want = std::exchange(want_tab_, std::nullopt);
        for (const CodeTab tab : {CodeTab::python, CodeTab::cpp}) {
            const std::string label = t(tab == CodeTab::python ? "ui.code.python" : "ui.code.cpp");
            if (ImGui::BeginTabItem(label.c_str(), nullptr,
                                    want == tab ? ImGuiTabItemFlags_SetSelected : 0)) {
                if (code_tab_ != tab) scroll_code_ = true;
                code_tab_ = tab;
                ImGui::EndTabItem();
            }
        }
        ImGui::EndTabBar();
    }
    const bool python = code_tab_ == CodeTab::python;
    const std::string_view text = python ? std::string_view(python_)
                                  : sc   ? sc->cpp_source
                                         : std::string_view();

    // The step on show: its lines, and (C++) the pause point where the demo waits.
    std::vector<int> hot, pause_lines;
    const int shown = stepper_.shown();
    if (lesson && shown >= 0 && std::size_t(shown) < lesson->steps.size()) {
        const lab::Step& s = lesson->steps[std::size_t(shown)];
        hot = step_lines(text, python ? s.py : s.cpp);
        if (!python) pause_lines = lab::find_lines(text, "demo::step(\"" + s.pause + "\")");
    }
    // The blocks these switches do not run, read from the program's text (branches.hpp):
    // dimmed, their header marked with why.
    std::vector<lab::OffBlock> off;
    if (python) off = lab::blocks_off(text, lab::switch_env(options()));
    drawn_ = {.tab = code_tab_, .step = shown, .hot = hot, .pause_lines = pause_lines};
    for (const lab::OffBlock& b : off)
        for (int i = b.first; i <= b.last; ++i) drawn_.off.push_back(i);
    const Palette& pal = palette();
    ImGui::BeginChild("code_text", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(fonts_.mono);
    // Projector sizes: the code shrinks (down to 70 %) until its longest line fits, so no
    // horizontal scrollbar cuts the comments off and more lines show.
    {
        float longest = 0;
        lab::for_each_line(text, [&](std::string_view line, int) {
            longest =
                std::max(longest, ImGui::CalcTextSize(line.data(), line.data() + line.size()).x);
        });
        const float gutter = ImGui::CalcTextSize("▶99").x + ImGui::GetStyle().ItemSpacing.x;
        const float avail = ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ScrollbarSize;
        // Never below 70 %, nor below 15 px: small text is not made smaller.
        const float floor = std::clamp(15.0f / ImGui::GetFontSize(), 0.7f, 1.0f);
        if (longest > 0)
            ImGui::SetWindowFontScale(std::clamp(avail / (gutter + longest), floor, 1.0f));
    }
    bool scrolled = false;
    lab::for_each_line(text, [&](std::string_view line, int n) {
        const bool is_hot = contains(hot, n);
        const ImVec2 p = ImGui::GetCursorScreenPos();
        if (is_hot) {
            ImGui::GetWindowDrawList()->AddRectFilled(
                p, ImVec2(p.x + ImGui::GetContentRegionAvail().x, p.y + ImGui::GetTextLineHeight()),
                pal.code_hot);
            if (scroll_code_ && !scrolled) {
                ImGui::SetScrollHereY(0.3f);
                scrolled = true;
            }
        }
        if (contains(pause_lines, n))
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.pause_arrow), "▶%2d", n);
        else
            ImGui::TextDisabled("%3d", n);
        ImGui::SameLine();
        const bool comment = line.find("//") != std::string_view::npos &&
                             line.find_first_not_of(' ') == line.find("//");
        ImU32 color = 0;
        const lab::OffBlock* off_here = lab::off_at(off, n);
        if (is_hot && pal.code_hot_text)
            color = pal.code_hot_text;
        else if (comment || line.starts_with("#"))
            color = pal.code_comment;
        if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
        if (off_here) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.38f);
        ImGui::TextUnformatted(line.data(), line.data() + line.size());
        if (off_here) {
            ImGui::PopStyleVar();
            if (ImGui::IsItemHovered())
                ImGui::SetTooltip("%s", f("ui.code.off", {{"cond", off_here->condition}}).c_str());
        }
        if (color) ImGui::PopStyleColor();
        if (std::any_of(off.begin(), off.end(),
                        [n](const lab::OffBlock& b) { return b.header == n; })) {
            ImGui::SameLine();
            ImGui::PushFont(fonts_.ui);
            ImGui::TextDisabled("%s", t("ui.code.off_mark").c_str());
            ImGui::PopFont();
        }
    });
    scroll_code_ = false;
    ImGui::PopFont();
    ImGui::EndChild();
}

} // namespace gui
