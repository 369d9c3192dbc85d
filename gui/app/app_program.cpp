// "Your program", the scenario list's last entry: a .py file of the user's, opened from a
// path (no file dialog) or typed and edited in the pane, run on CPython under the tracer
// with the same banner and timeline as the lessons. Nothing runs until the user presses Run.
// Its state (the file, the editor's text, the temp copy edited code runs from) is an
// OwnProgram (own_program.hpp).
#include "gui/app/app.hpp"

#include "gui/text/widgets.hpp"
#include "lab/model/catalog.hpp"

#include <algorithm>
#include <imgui.h>
#include <imgui_stdlib.h>

namespace gui {

lab::RunOptions App::own_options() {
    lab::RunOptions o = options();
    o.program = own_.prepare(t("ui.own.empty"));
    return o;
}

// In the code pane's place: the path field, Open, and the code, editable. The code runs only
// on Run (said above the editor).
void App::own_program_pane() {
    ImGui::TextWrapped("%s", label("ui.own.note").c_str());
    const std::string open = t("ui.own.open");
    ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - button_width(open) -
                                                ImGui::GetStyle().ItemSpacing.x));
    const bool enter = ImGui::InputTextWithHint("##path", t("ui.own.path_hint").c_str(), &own_.path,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if (ImGui::Button(open.c_str()) || enter) own_.open();
    tip(t("ui.own.open.tip"));
    if (!own_.opened().empty())
        ImGui::TextDisabled(
            "%s",
            f(own_.edited ? "ui.own.edited" : "ui.own.opened", {{"file", own_.opened()}}).c_str());
    ImGui::PushFont(fonts_.mono);
    if (ImGui::InputTextMultiline("##code", &own_.code, ImGui::GetContentRegionAvail(),
                                  ImGuiInputTextFlags_AllowTabInput)) {
        own_.edited = true;
    }
    ImGui::PopFont();
}

} // namespace gui
