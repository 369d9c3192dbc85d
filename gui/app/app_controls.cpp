// Under the panes: the switches of the next run (receiver policy, close; the sandbox's
// worker), Run and Kill, the step controls, "Will it exit?"; then the banner, which says
// live what the process does and why it exits or not, in every language shown.
#include "gui/app/app.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/model/catalog.hpp"
#include "lab/model/verdict.hpp"

#include <GLFW/glfw3.h>
#include <cstdio>
#include <imgui.h>
#include <span>
#include <utility>

namespace gui {

using lab::Lang;

// The engine: the C++ model (fast, the same on every machine) or the real CPython with the
// websockets it has. A program of the user's runs on CPython only.
// A chapter-2 lesson is a real Python program with no C++ model: CPython only, and the switch
// shows only CPython, with a note that says so (the matrix view keeps both engines: its cells
// are chapter 1's).
void App::engine_controls() {
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(label("ui.engine").c_str());
    tip(t("ui.engine.tip"));
    const bool cpython_only = view_ == View::lab && !own_program() && cpython_only_lesson();
    ImGui::BeginDisabled(own_program() || cpython_only);
    for (const auto& [e, name] : trace::Names<trace::Engine>::table) {
        if (cpython_only && e != trace::Engine::cpython) continue;
        const std::string engine_label = label("ui.engine." + std::string(name));
        ImGui::SameLine();
        if (ImGui::RadioButton((engine_label + "##engine").c_str(),
                               own_program() || cpython_only ? e == trace::Engine::cpython
                                                             : next_.engine == e))
            next_.engine = e;
    }
    ImGui::EndDisabled();
    if (cpython_only) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", label("ui.engine.cpython_only").c_str());
        tip(t("ui.engine.cpython_only.tip"));
    }
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    python_controls(); // CPython: which interpreter, and "Run on every Python"
}

bool App::cpython_only_lesson() const {
    const lab::Scenario* sc = lab::find_scenario(next_.scenario);
    return sc && sc->cpython_only;
}

void App::controls() {
    const lab::Scenario* sc = lab::find_scenario(next_.scenario);
    engine_controls();
    const bool cpython =
        own_program() || next_.engine == trace::Engine::cpython || cpython_only_lesson();
    const trace::Engine engine = cpython ? trace::Engine::cpython : trace::Engine::model;
    next_.receiver = lab::effective_receiver(engine, next_.receiver);
    // A program of the user's that does not use websockets has no receiver to switch; nor has
    // a chapter-2 lesson (its switch is the fix).
    const bool receiver_shown = own_program() ? own_.uses_websockets() : !cpython_only_lesson();
    if (receiver_shown) {
        same_line_if_fits(ImGui::CalcTextSize(t("ui.receiver").c_str()).x);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(label("ui.receiver").c_str());
        tip(t("ui.receiver.tip"));
    }
    for (trace::Receiver r :
         receiver_shown ? lab::receivers_for(engine) : std::span<const trace::Receiver>()) {
        const std::string receiver_label = label("ui.receiver." + std::string(trace::name(r)));
        same_line_if_fits(ImGui::CalcTextSize(receiver_label.c_str()).x +
                          ImGui::GetFrameHeight() * 1.5f);
        if (ImGui::RadioButton(receiver_label.c_str(), next_.receiver == r)) next_.receiver = r;
        if (r == trace::Receiver::library) tip(t("ui.receiver.library.tip"));
    }
    if (!own_program()) {
        const std::string close_label = label(cpython_only_lesson() ? "ui.fix_switch" : "ui.close");
        ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
        if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(close_label.c_str()).x + 40)
            ImGui::NewLine();
        bool close = lab::effective_close(next_);
        if (ImGui::Checkbox(close_label.c_str(), &close)) next_.close = close;
        if (cpython_only_lesson()) tip(t("ui.fix_switch.tip"));
    }
    if (sc && sc->sandbox) sandbox_controls();
    ImGui::BeginDisabled(!server_);
    // "Run" until this scenario (or program) has run; then "Run again".
    const bool ran_here = session_.has_run() &&
                          (own_program() ? !session_.current().options.program.empty()
                                         : session_.current().options.scenario == next_.scenario);
    if (ImGui::Button(label(ran_here ? "ui.run_again" : "ui.run").c_str())) request_run();
    note_control("run");
    tip(t(own_program() ? "ui.own.run.tip" : "ui.run.tip"));
    ImGui::EndDisabled();
    rerun_popup();
    if (!own_program() && !cpython_only_lesson()) { // one engine: nothing to compare with
        ImGui::SameLine();
        const lab::Lesson* lesson = content_.lesson(next_.scenario);
        // Once the run on show has its verdict (a confirmed hang is kept alive to be seen, and
        // the next run ends it), not while it is still deciding or paused at a step.
        ImGui::BeginDisabled(!server_ || !lesson ||
                             (session_.live() && !session_.current().finished()));
        if (ImGui::Button(label(next_.engine == trace::Engine::model ? "ui.compare.cpython"
                                                                     : "ui.compare.model")
                              .c_str()))
            compare_engines();
        ImGui::EndDisabled();
        tip(t("ui.compare.tip"), true);
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!session_.live());
    if (ImGui::Button(label("ui.kill").c_str())) session_.kill();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!session_.has_run());
    if (toggle_button(label("ui.output"), show_output_)) show_output_ = !show_output_;
    ImGui::EndDisabled();
    tip(t("ui.output.tip"), true);
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    step_controls();
    predict_controls();
    if (show_output_ && session_.has_run()) output_pane();
}

// Run: a demo waiting at a step would be ended by a new run, so ask first.
void App::request_run() {
    if (session_.stepping())
        confirm_rerun_ = true;
    else
        start_run();
}

void App::rerun_popup() {
    if (confirm_rerun_) {
        ImGui::OpenPopup("##rerun");
        confirm_rerun_ = false;
    }
    if (ImGui::BeginPopupModal("##rerun", nullptr,
                               ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoTitleBar)) {
        // Say what the demo is doing: hung (kept alive to be seen), waiting at a step, or
        // running between two steps.
        const char* ask = session_.hung_alive()                   ? "ui.rerun.ask.hung"
                          : !session_.current().paused_at.empty() ? "ui.rerun.ask"
                                                                  : "ui.rerun.ask.running";
        ImGui::TextUnformatted(label(ask).c_str());
        if (ImGui::Button(label("ui.rerun.yes").c_str()) ||
            ImGui::IsKeyPressed(GLFW_KEY_ENTER, false)) {
            ImGui::CloseCurrentPopup();
            start_run();
        }
        ImGui::SameLine();
        if (ImGui::Button(label("ui.rerun.no").c_str()) ||
            ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

// The same settings on the other engine: the run on show moves beneath, the new one above,
// so the model and CPython are one above the other.
void App::compare_engines() {
    const auto other = [](trace::Engine e) {
        return e == trace::Engine::model ? trace::Engine::cpython : trace::Engine::model;
    };
    if (session_.has_run() && lab::same_settings(session_.current().options, options())) {
        next_.engine =
            other(next_.engine); // the run on show is these settings: run the other engine
        next_.receiver = lab::effective_receiver(next_.engine, next_.receiver);
        start_run();
        return;
    }
    start_run(); // these settings on this engine first; the other follows (frame())
    compare_next_ = true;
}

// The sandbox's own switches: a worker thread (none, daemon, non-daemon), who calls
// connect(), and the `with` block.
void App::sandbox_controls() {
    ImGui::TextUnformatted(label("ui.worker").c_str());
    for (const auto& [w, name] : trace::Names<trace::Worker>::table) {
        ImGui::SameLine();
        if (ImGui::RadioButton((label("ui.worker." + std::string(name)) + "##w").c_str(),
                               next_.worker == w))
            next_.worker = w;
    }
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    ImGui::TextUnformatted(label("ui.connect_in").c_str());
    ImGui::BeginDisabled(next_.worker == trace::Worker::none);
    for (const auto& [c, name] : trace::Names<trace::ConnectIn>::table) {
        ImGui::SameLine();
        if (ImGui::RadioButton((label("ui.connect_in." + std::string(name)) + "##c").c_str(),
                               next_.connect_in == c))
            next_.connect_in = c;
    }
    ImGui::EndDisabled();
    const std::string wb = label("ui.with_block");
    same_line_if_fits(ImGui::CalcTextSize(wb.c_str()).x + 40);
    ImGui::Checkbox(wb.c_str(), &next_.with_block);
}

void App::step_controls() {
    const lab::Lesson* lesson = step_lesson();
    if (ImGui::Checkbox(label("ui.step.mode").c_str(), &next_.step) && !next_.step &&
        session_.stepping())
        run_to_end(); // switched off mid-run: no more pauses
    tip(t("ui.step.mode.tip"));
    if (!lesson || lesson->steps.empty()) return;
    const std::string prev = label("ui.step.prev"), next = label("ui.step.next"),
                      end = label("ui.step.to_end");
    same_line_if_fits(button_width(prev));
    ImGui::BeginDisabled(!stepper_.can_prev());
    if (ImGui::Button(prev.c_str())) prev_step();
    ImGui::EndDisabled();
    tip(t("ui.step.prev.tip"), true);
    ImGui::SameLine();
    ImGui::BeginDisabled(!stepper_.can_next());
    if (ImGui::Button(next.c_str())) next_step();
    ImGui::EndDisabled();
    tip(t(session_.stepping() ? "ui.step.next.tip.live" : "ui.step.next.tip.idle"), true);
    same_line_if_fits(button_width(end));
    ImGui::BeginDisabled(!session_.stepping());
    if (ImGui::Button(end.c_str())) run_to_end();
    ImGui::EndDisabled();
    tip(t("ui.step.to_end.tip"), true);
    const std::string caption = step_caption();
    const std::string status = (caption.empty() ? "" : caption + " · ") + step_status();
    same_line_if_fits(ImGui::CalcTextSize(status.c_str()).x);
    ImGui::AlignTextToFramePadding();
    if (stepper_.waiting())
        pause_text(status);
    else
        ImGui::TextDisabled("%s", status.c_str());
}

void App::predict_controls() {
    const std::string ask = label("ui.predict.ask"), yes = label("ui.predict.yes"),
                      no = label("ui.predict.no");
    same_line_if_fits(ImGui::CalcTextSize(ask.c_str()).x + button_width(yes) + button_width(no) +
                      ImGui::GetStyle().ItemSpacing.x * 3);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(ask.c_str());
    tip(t("ui.predict.tip"));
    // A run with its verdict (a hang kept alive too) takes no more answers: they are the next
    // run's, and cleared when its settings change (Quiz::next_settings).
    const bool undecided = session_.live() && !session_.current().finished();
    const std::optional<bool> pending = quiz_.pending(undecided);
    ImGui::SameLine();
    if (toggle_button(yes, pending && *pending)) quiz_.predict(true, undecided);
    note_control("predict.yes");
    ImGui::SameLine();
    if (toggle_button(no, pending && !*pending)) quiz_.predict(false, undecided);
    note_control("predict.no");
}

// ---- the banner ---------------------------------------------------------------------------

// The banner speaks of the run on show: there is one, of the scenario (or program) on show.
bool App::banner_has_run() const {
    if (!session_.has_run()) return false;
    const lab::RunOptions& o = session_.current().options;
    return own_program() ? !o.program.empty() : o.scenario == next_.scenario && o.program.empty();
}

// The banner's sentences in one language: the headline, then why.
std::vector<std::string> App::banner_lines(Lang l) const {
    if (!server_)
        return {content_.strings.format("ui.server_failed", l, {{"error", server_error_}})};
    if (own_program() && !own_.error().empty())
        return {content_.strings.format("ui.own.error", l, {{"error", own_.error()}})};
    if (!banner_has_run()) {
        if (own_program() && !own_.code.empty()) // opened or typed: what Run will do
            return {content_.strings.format("ui.own.ready", l, {{"file", own_.name()}})};
        return {content_.strings.get(own_program() ? "ui.own.idle" : "ui.idle", l)};
    }
    const lab::RunState& run = session_.current();
    const lab::Timeline& tl = run.timeline;
    std::vector<std::string> lines{lab::headline(run.verdict, tl, content_.strings, l)};
    if (!run.finished()) {
        char s[32];
        std::snprintf(s, sizeof s, "%.1f", double(run.now_ns - run.spawned_ns) / 1e9);
        lines[0] += " — " + content_.strings.format("ui.alive_for", l, {{"s", s}});
    }
    // While it runs, the thread the shutdown joins is explained already (lab::awaited).
    for (const std::string& line : lab::explanation(run.verdict, tl, content_.strings, l,
                                                    run.stacks.empty() ? nullptr : &run.stacks))
        lines.push_back(line);
    if (shown_is_stale()) // switches changed since: this is not what Run would do now
        lines.insert(lines.begin(), content_.strings.get("ui.stale", l));
    return lines;
}

std::vector<std::string> App::banner_lines() const {
    std::vector<std::string> all;
    for (Lang l : content_langs())
        for (std::string& line : banner_lines(l)) all.push_back(std::move(line));
    return all;
}

// The learner's answer and, after the verdict, right or wrong and why, in one language.
std::string App::prediction_line(Lang l) const {
    if (!session_.has_run() || !quiz_.said()) return {};
    const lab::RunState& run = session_.current();
    const std::string said =
        content_.strings.get(*quiz_.said() ? "ui.predict.exits" : "ui.predict.hangs", l);
    if (!run.finished()) return content_.strings.format("ui.predict.pending", l, {{"said", said}});
    if (!quiz_.right()) return content_.strings.format("ui.predict.unjudged", l, {{"said", said}});
    std::string reason;
    const lab::Lesson* lesson = content_.lesson(run.options.scenario);
    if (lesson && lesson_default(run.options) && !lesson->predict.empty())
        reason = lesson->predict.in(l);
    else if (auto why = lab::explanation(run.verdict, run.timeline, content_.strings, l);
             !why.empty())
        reason = why.front();
    std::erase(reason, '`'); // Markdown's code marks; the banner is plain text
    return content_.strings.format(*quiz_.right() ? "ui.predict.right" : "ui.predict.wrong", l,
                                   {{"said", said}, {"reason", reason}});
}

namespace {

ImU32 banner_color(const Palette& pal, const lab::RunState* run) {
    if (!run) return pal.banner_idle;
    // Still running while the shutdown waits for a thread: the colour of waiting.
    if (!run->finished() && run->timeline.shutdown_waiting_for() >= 0) return pal.banner_waiting;
    return outcome_color(run->verdict.outcome, OutcomeUse::banner);
}

} // namespace

void App::banner(float max_h) {
    // Taller than max_h when last drawn: drawn in a box max_h high that scrolls.
    const bool fold = banner_full_h_ > max_h;
    if (fold) ImGui::BeginChild("##banner-fold", ImVec2(0, max_h), false);
    const float y0 = ImGui::GetCursorPosY();
    const Palette& pal = palette();
    const bool stale = shown_is_stale();
    const bool shown = server_ && (!own_program() || own_.error().empty()) && banner_has_run();
    ImU32 bg = banner_color(pal, shown ? &session_.current() : nullptr);
    if (stale && shown) bg = pal.banner_idle; // greyed: the previous settings' result
    // Text first, then the box behind it, sized to what was drawn.
    const std::vector<Lang> langs = content_langs();
    ImGui::PushStyleColor(ImGuiCol_Text, pal.banner_text);
    const Card card = begin_card(ImVec2(10, 6));
    if (ImGui::BeginTable("##banner", int(langs.size()), ImGuiTableFlags_SizingStretchSame,
                          ImVec2(ImGui::GetContentRegionAvail().x - 10, 0))) {
        ImGui::TableNextRow();
        for (Lang l : langs) {
            ImGui::TableNextColumn();
            const std::vector<std::string> lines = banner_lines(l);
            ImGui::PushFont(fonts_.big);
            ImGui::TextWrapped("%s", lines[0].c_str());
            ImGui::PopFont();
            for (std::size_t i = 1; i < lines.size(); ++i)
                ImGui::TextWrapped("%s", lines[i].c_str());
            if (const std::string pl = prediction_line(l); !pl.empty()) {
                ImGui::Spacing();
                ImGui::TextWrapped("%s", pl.c_str());
            }
        }
        ImGui::EndTable();
    }
    end_card(card, bg);
    ImGui::PopStyleColor();
    banner_full_h_ = ImGui::GetCursorPosY() - y0;
    if (fold) ImGui::EndChild();
}

} // namespace gui
