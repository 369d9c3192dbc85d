// The scenario list, and the lesson pane: the step on show on a card, then the lesson (its
// steps, why, the fix, the takeaways), in the languages chosen.
#include "gui/app/app.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/model/catalog.hpp"

#include <imgui.h>

namespace gui {

void App::scenario_list() {
    ImGui::TextDisabled("%s", label("ui.scenarios").c_str());
    tip(t("ui.scenarios.rule")); // what choosing one does to the switches
    int n = 1;
    bool chapter2 = false;
    for (const lab::Scenario& s : lab::catalog()) {
        const std::string id(s.id);
        if (s.cpython_only && !chapter2) { // chapter 2: the same trap elsewhere (CPython only)
            chapter2 = true;
            ImGui::Spacing();
            ImGui::TextDisabled("%s", label("ui.chapter2").c_str());
            tip(t("ui.chapter2.tip"));
        }
        // In 双语 the title in both languages, one under the other.
        const std::string title = std::to_string(n++) + "  " + in_langs([&](lab::Lang l) {
                                      return content_.strings.get("scenario." + id + ".title", l);
                                  });
        if (wrapped_selectable(title, ("##" + id).c_str(), next_.scenario == id && page_ < 0))
            select(id);
        tip(content_.strings.get("scenario." + id + ".summary", ui_lang()) + "\n\n" +
            t("ui.scenarios.rule"));
    }
    if (wrapped_selectable(label("ui.own"), "##own", own_program() && page_ < 0))
        select(kOwnProgram);
    tip(t("ui.own.tip"));
    // A Python process that already runs (and may already be stuck): its own window.
    if (wrapped_selectable(label("ui.attach.button"), "##attach", attach_.is_open()))
        attach_.open();
    tip(t("ui.attach.tip"));
    if (content_.pages.empty()) return;
    ImGui::Spacing();
    ImGui::TextDisabled("%s", label("ui.background").c_str());
    for (std::size_t i = 0; i < content_.pages.size(); ++i) {
        const lab::Page& p = content_.pages[i];
        if (wrapped_selectable(in_langs([&](lab::Lang l) { return p.title.in(l); }),
                               ("##page" + p.id).c_str(), page_ == int(i))) {
            page_ = int(i);
            scroll_lesson_ = true;
        }
    }
}

// What is happening at the pause point on show: "Step 2/4", the pause point, the step's text.
void App::step_card(const lab::Lesson& lesson) {
    const lab::Step& step = lesson.steps[std::size_t(stepper_.shown())];
    const Card card = begin_card(ImVec2(8, 6));
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(step_caption().c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::AlignTextToFramePadding();
    ImGui::TextDisabled("%s",
                        in_langs([&](lab::Lang l) {
                            return content_.strings.format(
                                "ui.step.pause", l,
                                {{"pause", lab::pause_name(content_.strings, step.pause, l)}});
                        }).c_str());
    ImGui::PushID("step-card");
    text_block(step.text);
    ImGui::PopID();
    end_card(card, palette().step_card, palette().pause_arrow);
}

void App::lesson_pane() {
    if (page_ >= 0) {
        page_pane();
        return;
    }
    if (own_program()) {
        ImGui::PushFont(fonts_.big);
        ImGui::TextWrapped("%s", label("ui.own").c_str());
        ImGui::PopFont();
        text_block({content_.strings.get("ui.own.about", lab::Lang::zh),
                    content_.strings.get("ui.own.about", lab::Lang::en)});
        return;
    }
    const lab::Lesson* lesson = content_.lesson(next_.scenario);
    if (scroll_lesson_) {
        ImGui::SetScrollY(0);
        scroll_lesson_ = false;
    }
    if (step_card_shown()) step_card(*lesson);
    ImGui::PushFont(fonts_.big);
    const std::string title = in_langs([&](lab::Lang l) {
        return lesson && !lesson->title.empty()
                   ? lesson->title.in(l)
                   : content_.strings.get("scenario." + next_.scenario + ".title", l);
    });
    ImGui::TextWrapped("%s", title.c_str());
    ImGui::PopFont();
    if (!lesson) {
        text_block(
            {content_.strings.get("scenario." + next_.scenario + ".summary", lab::Lang::zh),
             content_.strings.get("scenario." + next_.scenario + ".summary", lab::Lang::en)});
        ImGui::TextDisabled("%s", label("ui.no_lesson").c_str());
        return;
    }
    text_block(lesson->summary);
    if (!lesson->steps.empty()) {
        section(label("ui.steps"));
        int i = 0;
        for (const lab::Step& s : lesson->steps) {
            ImGui::PushID(i);
            const std::string head =
                std::to_string(i + 1) + "/" + std::to_string(lesson->steps.size());
            if (i == stepper_.shown())
                pause_text("▶ " + head);
            else
                ImGui::TextDisabled("%s", head.c_str());
            if (const std::string why =
                    in_langs([&](lab::Lang l) { return skip_note(std::size_t(i), l); });
                !why.empty()) {
                ImGui::SameLine();
                ImGui::TextDisabled("%s", why.c_str());
            }
            text_block(s.text);
            ImGui::PopID();
            ++i;
        }
    }
    if (!lesson->why.empty()) {
        section(label("ui.why"));
        text_block(lesson->why);
    }
    if (!lesson->fix.empty()) {
        section(label("ui.fix"));
        text_block(lesson->fix);
    }
    if (!lesson->takeaways.empty()) {
        section(label("ui.takeaways"));
        for (const lab::Text& x : lesson->takeaways) text_block(x);
    }
}

} // namespace gui
