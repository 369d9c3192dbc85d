// The code pane: the Python the scenario mirrors and the C++ that really runs, one tab each.
// The step on show lights its lines (scrolled into view when the step changes); in C++ the
// pause point where the demo waits gets an arrow.
#include "gui/app/app.hpp"

#include "lab/model/lines.hpp"

#include "gui/text/line_break.hpp"
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/model/branches.hpp"
#include "lab/model/catalog.hpp"

#include <algorithm>
#include <cstdio>
#include <imgui.h>
#include <utility>

namespace gui {
namespace {

bool contains(const std::vector<int>& lines, int n) {
    return std::find(lines.begin(), lines.end(), n) != lines.end();
}

ImVec4 rect_of_window() {
    const ImVec2 a = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    return ImVec4(a.x, a.y, a.x + size.x, a.y + size.y);
}

// A line of code (its indent taken off) in the parts it wraps to, `width` wide: at least one,
// the spaces hanging past each part's end not drawn.
std::vector<std::string> code_parts(std::string_view code, float width) {
    std::vector<std::string> parts = wrap_lines(code, width, text_width);
    if (parts.empty()) parts.emplace_back();
    for (std::string& part : parts) part.erase(part.find_last_not_of(' ') + 1);
    return parts;
}

// The note on the header of a block these switches do not run: after the line when it fits
// there, else under it (from the code's column), wrapped if it must be.
void off_mark(const std::string& mark, ImFont* ui, float code_x, float right, float& text_right) {
    ImGui::PushFont(ui);
    same_line_if_fits(text_width(mark));
    if (ImGui::GetCursorPosX() < code_x) ImGui::SetCursorPosX(code_x);
    const float x = ImGui::GetCursorPosX();
    for (const std::string& part : wrap_lines(mark, right - x, text_width)) {
        ImGui::SetCursorPosX(x);
        ImGui::TextDisabled("%s", part.c_str());
        text_right = std::max(text_right, ImGui::GetItemRectMax().x);
    }
    ImGui::PopFont();
}

} // namespace

void App::code_pane() {
    if (own_program()) {
        own_program_pane();
        return;
    }
    const lab::Lesson* lesson = content_.lesson(next_.scenario);
    const lab::Scenario* sc = lab::find_scenario(next_.scenario);
    if (ImGui::BeginTabBar("code")) {
        const std::optional<CodeTab> want = std::exchange(want_tab_, std::nullopt);
        // The C++ tab's full name when both fit the pane, else its short one (双语 at a
        // projector's size), the full name on hover: never a label cut to "…".
        const std::string python_label = this->label("ui.code.python");
        const std::string cpp_full = this->label("ui.code.cpp");
        const bool cpp_fits = button_width(python_label) + button_width(cpp_full) +
                                  ImGui::GetStyle().ItemInnerSpacing.x * 4 <=
                              ImGui::GetContentRegionAvail().x;
        for (const CodeTab tab : {CodeTab::python, CodeTab::cpp}) {
            if (tab == CodeTab::cpp && sc && sc->cpython_only) continue; // chapter 2: no C++ demo
            const std::string label = tab == CodeTab::python ? python_label
                                      : cpp_fits             ? cpp_full
                                                             : this->label("ui.code.cpp.short");
            // The same id whichever name is shown, so the tab keeps its selection.
            const std::string id = label + (tab == CodeTab::python ? "###python" : "###cpp");
            const bool open = ImGui::BeginTabItem(id.c_str(), nullptr,
                                                  want == tab ? ImGuiTabItemFlags_SetSelected : 0);
            if (tab == CodeTab::cpp && !cpp_fits) tip(cpp_full);
            if (open) {
                if (code_tab_ != tab) scroll_code_ = kScrollFrames;
                code_tab_ = tab;
                ImGui::EndTabItem();
            }
        }
        ImGui::EndTabBar();
    }
    if (sc && sc->cpython_only) code_tab_ = CodeTab::python;
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
    // A step's lines in a block these switches do not run are not lit, unless all of them are
    // (the step is then passed over, and its place is shown dimmed).
    if (std::any_of(hot.begin(), hot.end(), [&](int n) { return !lab::off_at(off, n); }))
        std::erase_if(hot, [&](int n) { return lab::off_at(off, n) != nullptr; });
    drawn_ = {.tab = code_tab_, .step = shown, .hot = hot, .pause_lines = pause_lines};
    for (const lab::OffBlock& b : off)
        for (int i = b.first; i <= b.last; ++i) drawn_.off.push_back(i);
    const Palette& pal = palette();
    ImGui::BeginChild("code_text", ImVec2(0, 0), false);
    ImGui::PushFont(fonts_.mono);
    // The code keeps the text size the user chose: a font drawn scaled down loses its thin
    // strokes (an underscore is less than a pixel high and vanishes), and on a projector the
    // code must be read from the back of the room. A line too long for the pane wraps (below).
    code_box_ = {.pane = rect_of_window(), .line_step = ImGui::GetTextLineHeightWithSpacing()};
    bool scrolled = false;
    const float cont = text_width("  "); // a wrapped line's part goes on two columns further in
    lab::for_each_line(text, [&](std::string_view line, int n) {
        const bool is_hot = contains(hot, n);
        // The gutter, then the line: its indent kept, and when it is too long for the pane it
        // wraps between words, the rest under its own text and two columns further in.
        char gutter[16];
        const bool pause = contains(pause_lines, n);
        std::snprintf(gutter, sizeof gutter, pause ? "▶%2d" : "%3d", n);
        const std::size_t indent_n = std::min(line.find_first_not_of(' '), line.size());
        const float right = ImGui::GetCursorPosX() + ImGui::GetContentRegionAvail().x;
        const float code_x =
            ImGui::GetCursorPosX() + text_width(gutter) + ImGui::GetStyle().ItemSpacing.x;
        // The indent, as long as twelve characters still fit after it (deep code in a narrow
        // pane at a projector's size keeps a readable width).
        const float text_x =
            std::max(code_x, std::min(code_x + text_width(line.substr(0, indent_n)),
                                      right - cont - text_width("abcdefghijkl")));
        const float wrap_w = std::max(right - text_x - cont, text_width("abcd"));
        const std::vector<std::string> parts = code_parts(line.substr(indent_n), wrap_w);
        const ImVec2 p = ImGui::GetCursorScreenPos();
        if (is_hot) {
            const float h = ImGui::GetTextLineHeightWithSpacing() * float(parts.size()) -
                            ImGui::GetStyle().ItemSpacing.y;
            ImGui::GetWindowDrawList()->AddRectFilled(
                p, ImVec2(p.x + ImGui::GetContentRegionAvail().x, p.y + h), pal.code_hot);
            if (scroll_code_ > 0 && !scrolled) {
                ImGui::SetScrollHereY(0.3f);
                scrolled = true;
            }
        }
        if (pause)
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.pause_arrow), "%s", gutter);
        else
            ImGui::TextDisabled("%s", gutter);
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
        bool hovered = false;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i == 0) ImGui::SameLine();
            ImGui::SetCursorPosX(text_x + (i ? cont : 0));
            ImGui::TextUnformatted(parts[i].c_str());
            hovered |= ImGui::IsItemHovered();
            code_box_.text_right = std::max(code_box_.text_right, ImGui::GetItemRectMax().x);
        }
        if (off_here) {
            ImGui::PopStyleVar();
            if (hovered) tooltip(f("ui.code.off", {{"cond", off_here->condition}}));
        }
        if (color) ImGui::PopStyleColor();
        if (std::any_of(off.begin(), off.end(),
                        [n](const lab::OffBlock& b) { return b.header == n; })) {
            off_mark(label("ui.code.off_mark"), fonts_.ui, code_x, right, code_box_.text_right);
        }
    });
    if (scroll_code_ > 0) --scroll_code_;
    ImGui::PopFont();
    ImGui::EndChild();
}

} // namespace gui
