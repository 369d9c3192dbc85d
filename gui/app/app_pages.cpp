// What ships beside the lessons: the background pages (content/pages/, the sidebar's
// "Background" section), the glossary's terms as hover definitions in every lesson and page
// (markdown's text hook), and a small pane with the demo's own stdout and stderr.
#include "gui/app/app.hpp"

#include "gui/text/markdown.hpp"
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"

#include <algorithm>
#include <imgui.h>

namespace gui {

void App::page_pane() {
    if (page_ < 0 || std::size_t(page_) >= content_.pages.size()) return;
    const lab::Page& page = content_.pages[std::size_t(page_)];
    if (scroll_lesson_) {
        ImGui::SetScrollY(0);
        scroll_lesson_ = false;
    }
    ImGui::PushFont(fonts_.big);
    ImGui::TextWrapped("%s", page.title.in(ui_lang()).c_str());
    ImGui::PopFont();
    ImGui::PushID("page");
    text_block(page.body);
    ImGui::PopID();
}

// Where byte i of the text falls within a piece of it on screen.
static float piece_x(std::string_view text, const TextPiece& p, std::size_t i) {
    i = std::clamp(i, p.begin, p.end);
    ImFont* f = p.font ? p.font : ImGui::GetFont();
    const char* s = text.data();
    const float full = f->CalcTextSizeA(f->FontSize, 1e9f, 0, s + p.begin, s + p.end).x;
    const float w = f->CalcTextSizeA(f->FontSize, 1e9f, 0, s + p.begin, s + i).x;
    return full > 0 ? p.min.x + w / full * (p.max.x - p.min.x) : p.min.x;
}

// Every glossary term found in a run of prose gets a dotted underline; hovering it shows
// the term's note, in the languages on show.
void App::glossary_hook() {
    set_text_hook([this](std::string_view text, const std::vector<TextPiece>& pieces) {
        if (content_.glossary.empty() || pieces.empty()) return;
        const ImVec2 mouse = ImGui::GetIO().MousePos;
        ImDrawList* dl = ImGui::GetWindowDrawList();
        const ImU32 line = palette().md_link;
        const bool window_hovered = ImGui::IsWindowHovered();
        for (const lab::Term& term : content_.glossary) {
            for (const std::string* name : {&term.zh, &term.en}) {
                // The term's bare name: "继承（守护标志）" is found as "继承".
                std::string_view needle = *name;
                for (std::string_view cut : {"（", " ("})
                    if (std::size_t at = needle.find(cut); at != std::string_view::npos)
                        needle = needle.substr(0, at);
                if (needle.size() < 2) continue;
                for (std::size_t at = text.find(needle); at != std::string_view::npos;
                     at = text.find(needle, at + needle.size())) {
                    const std::size_t end = at + needle.size();
                    // A whole word: "socket" is not underlined inside "websockets".
                    const auto ascii_letter = [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                    };
                    if (at > 0 && ascii_letter(text[at - 1]) && ascii_letter(text[at])) continue;
                    bool hovered = false;
                    for (const TextPiece& p : pieces) {
                        if (p.end <= at || p.begin >= end) continue;
                        // Under the term alone: not the space, comma or quote after it.
                        const float x0 = piece_x(text, p, at), x1 = piece_x(text, p, end);
                        dl->AddLine(ImVec2(x0, p.max.y - 1), ImVec2(x1, p.max.y - 1), line, 1.0f);
                        hovered |= window_hovered && mouse.x >= x0 && mouse.x < x1 &&
                                   mouse.y >= p.min.y && mouse.y < p.max.y;
                    }
                    if (!hovered) continue;
                    std::string tipt;
                    for (lab::Lang l : content_langs()) {
                        if (!tipt.empty()) tipt += "\n\n";
                        tipt += (l == lab::Lang::zh ? term.zh : term.en) + "\n" + term.note.in(l);
                    }
                    std::erase(tipt, '`');
                    tooltip(tipt);
                }
            }
        }
    });
}

// The demo's own output ("main is done"), as it printed it: the last lines, scrollable.
void App::output_pane() {
    const std::string& out = session_.current().output;
    ImGui::PushFont(fonts_.mono);
    const float h = ImGui::GetTextLineHeightWithSpacing() * 5;
    ImGui::BeginChild("##output", ImVec2(0, h), true);
    if (out.empty())
        ImGui::TextDisabled("%s", label("ui.output.none").c_str());
    else
        ImGui::TextUnformatted(out.data(), out.data() + out.size());
    if (session_.live()) ImGui::SetScrollHereY(1.0f);
    ImGui::EndChild();
    ImGui::PopFont();
}

} // namespace gui
