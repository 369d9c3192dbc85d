#include "gui/text/widgets.hpp"

#include "gui/text/line_break.hpp"
#include "gui/text/theme.hpp"
#include "lab/model/lines.hpp"

#include <algorithm>
#include <vector>

namespace gui {

Card begin_card(ImVec2 inset) {
    Card c{ImGui::GetWindowDrawList(), ImGui::GetCursorScreenPos()};
    c.dl->ChannelsSplit(2);
    c.dl->ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos(ImVec2(c.p.x + inset.x, c.p.y + inset.y));
    ImGui::BeginGroup();
    return c;
}

void end_card(const Card& c, ImU32 bg, ImU32 accent) {
    ImGui::EndGroup();
    const ImVec2 end = ImGui::GetItemRectMax();
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    c.dl->ChannelsSetCurrent(0);
    c.dl->AddRectFilled(c.p, ImVec2(right, end.y + 6), bg, 6);
    if (accent) c.dl->AddRectFilled(c.p, ImVec2(c.p.x + 4, end.y + 6), accent, 2);
    c.dl->ChannelsMerge();
    ImGui::SetCursorScreenPos(ImVec2(c.p.x, end.y + 12));
}

void section(const std::string& label) {
    ImGui::Spacing();
    ImGui::TextColored(palette().section, "%s", label.c_str());
    ImGui::Separator();
}

void same_line_if_fits(float w) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
}

float text_width(std::string_view t) {
    return ImGui::CalcTextSize(t.data(), t.data() + t.size()).x;
}

void text_wrapped(const std::string& text) {
    for (const std::string& line : wrap_lines(text, ImGui::GetContentRegionAvail().x, text_width))
        ImGui::TextUnformatted(line.c_str());
}

bool wrapped_selectable(const std::string& label, const char* id, bool selected) {
    const std::vector<std::string> lines =
        wrap_lines(label, ImGui::GetContentRegionAvail().x, text_width);
    const float h = ImGui::GetTextLineHeight() * float(std::max<std::size_t>(lines.size(), 1));
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const bool clicked = ImGui::Selectable(id, selected, 0, ImVec2(0, h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    for (std::size_t i = 0; i < lines.size(); ++i)
        dl->AddText(ImVec2(p.x, p.y + ImGui::GetTextLineHeight() * float(i)),
                    ImGui::GetColorU32(ImGuiCol_Text), lines[i].c_str());
    return clicked;
}

float button_width(const std::string& label) {
    return ImGui::CalcTextSize(label.c_str(), nullptr, true).x +
           ImGui::GetStyle().FramePadding.x * 2;
}

bool toggle_button(const std::string& label, bool on) {
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    const bool pressed = ImGui::Button(label.c_str());
    if (on) ImGui::PopStyleColor();
    return pressed;
}

void tooltip(const std::string& text) {
    const float wrap = std::min(ImGui::GetFontSize() * 30, ImGui::GetIO().DisplaySize.x * 0.6f);
    ImGui::BeginTooltip();
    lab::for_each_line(text, [wrap](std::string_view para, int) {
        if (para.empty()) ImGui::NewLine();
        for (const std::string& line : wrap_lines(para, wrap, text_width))
            ImGui::TextUnformatted(line.c_str());
    });
    ImGui::EndTooltip();
}

void tip(const std::string& text, bool when_disabled) {
    if (ImGui::IsItemHovered(when_disabled ? ImGuiHoveredFlags_AllowWhenDisabled : 0))
        tooltip(text);
}

void pause_text(const std::string& text) {
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette().pause_arrow), "%s", text.c_str());
}

} // namespace gui
