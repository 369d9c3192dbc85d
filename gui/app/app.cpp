// The App's core: start-up from the flags and settings, the scenario and the switches of
// the next run, starting runs, the glue between the Stepper and the run, and the frame:
// snapshot, keys, then the toolbar over the lab or the matrix view.
//
// Workshop mode: in step mode the demo waits at each pause point of the lesson until Next
// (Session::go()); the lesson, the code and the timeline show that step. Before a run the
// learner may answer "Will it exit?" (Quiz); the verdict scores it.
#include "gui/app/app.hpp"

#include "gui/picture/export_files.hpp"
#include "gui/text/markdown.hpp"
#include "gui/text/theme.hpp"
#include "lab/model/branches.hpp"
#include "lab/model/catalog.hpp"
#include "lab/term/terminal.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>
#include <utility>

namespace gui {

using lab::Lang;

App::App(GLFWwindow* window, Settings settings, const Flags& flags, Prepared prepared)
    : window_(window), settings_(std::move(settings)), room_([] { glfwPostEmptyEvent(); }),
      attach_([] { glfwPostEmptyEvent(); }) {
    content_ = std::move(prepared.content);
    font_choice_ = std::move(prepared.font_choice);
    fonts_ = prepared.fonts;
    server_ = std::move(prepared.server);
    server_error_ = std::move(prepared.server_error);
    if (flags.lang) settings_.lang = *flags.lang;
    if (flags.theme) settings_.theme = *flags.theme;
    if (flags.font_scale > 0) settings_.font_scale = flags.font_scale;
    apply_theme(settings_.theme);
    ImGui::GetStyle().ScaleAllSizes(settings_.font_scale);
    glossary_hook();
    if (!fonts_.has_cjk) notice_ = content_.strings.get("ui.notice.nocjk", Lang::en);
    if (Settings::in_memory()) { // said once, where notices are shown
        const std::string m = t("ui.notice.settings_in_memory");
        notice_ = notice_.empty() ? m : notice_ + "\n" + m;
    }
    if (!settings_.error.empty()) content_.errors.push_back(settings_.error);
    select(flags.run_flags.scenario.value_or(
        lab::find_scenario(settings_.scenario) ? settings_.scenario : "threaded-client"));
    if (flags.run_flags.engine) next_.engine = *flags.run_flags.engine;
    if (flags.run_flags.python) next_.python = *flags.run_flags.python;
    if (flags.program) {
        own_.path = *flags.program;
        select(kOwnProgram);
        own_.open();
    }
    if (flags.attach) attach_.open(*flags.attach);
    if (flags.run_flags.receiver) next_.receiver = *flags.run_flags.receiver;
    if (flags.run_flags.close) next_.close = *flags.run_flags.close;
    next_.step = flags.step;
    if (flags.predict) quiz_.predict(*flags.predict == "yes", false);
    export_dir_ = flags.export_dir.value_or(settings_.export_dir.empty() ? default_export_dir()
                                                                         : settings_.export_dir);
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    if (flags.fullscreen) toggle_fullscreen();
    room_.set_fixed({flags.room_port.value_or(settings_.room_port),
                     flags.room_code.value_or(settings_.room_code)});
    if (flags.room) room_.open(*flags.room); // an error shows in the room's window
    if (flags.matrix) {
        view_ = View::matrix;
        if (server_)
            matrix_.start({server_->uri(), server_->ca_pem()}, lab::default_matrix_jobs(),
                          next_.engine, next_.python, [] { glfwPostEmptyEvent(); });
    }
}

Lang App::ui_lang() const {
    return settings_.lang == "en" || !fonts_.has_cjk ? Lang::en : Lang::zh;
}

std::vector<Lang> App::content_langs() const {
    if (!fonts_.has_cjk || settings_.lang == "en") return {Lang::en};
    if (settings_.lang == "zh") return {Lang::zh};
    return {Lang::zh, Lang::en};
}

void App::text_block(const lab::Text& text) {
    const std::vector<Lang> langs = content_langs();
    MarkdownFonts mf{fonts_.ui, fonts_.mono, fonts_.big, fonts_.bold};
    if (langs.size() == 1) {
        markdown(text.in(langs[0]), mf);
        return;
    }
    if (ImGui::BeginTable("##both", 2,
                          ImGuiTableFlags_SizingStretchSame | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        markdown(text.zh, mf);
        ImGui::TableNextColumn();
        markdown(text.en, mf);
        ImGui::EndTable();
    }
}

// ---- the scenario and the next run --------------------------------------------------------

// The rule for the switches (said in the scenario list's tooltip): choosing a scenario sets
// explicit close to that scenario's default and keeps the receiver, the engine and the sandbox's
// switches; choosing "Your program" sets the receiver to "as installed" (a program of the
// user's runs with the websockets they have); opening a matrix cell (app_matrix.cpp) sets
// every switch to the cell's.
void App::select(const std::string& id) {
    if (id != next_.scenario) restart_steps();
    page_ = -1;
    next_.scenario = id;
    python_.clear();
    if (id == kOwnProgram) {
        next_.receiver = lab::default_receiver(trace::Engine::cpython); // as installed
        return;
    }
    settings_.scenario = id;
    next_.close = lab::effective_close({.scenario = id});
    if (const lab::Lesson* lesson = content_.lesson(id))
        python_ = lesson->python;
    else if (const lab::Scenario* sc = lab::find_scenario(id))
        python_ = lab::read_file(lab::program_path(sc->id));
}

lab::RunOptions App::options() const {
    if (own_program()) // what own_options() will run; the file is written only on Run
        return {.engine = trace::Engine::cpython,
                .receiver = next_.receiver,
                .keep_hung_ms = settings_.keep_hung_s * 1000, // a hang looks like one here too
                .python = next_.python,
                .program =
                    own_.edited || own_.opened().empty() ? std::string("(edited)") : own_.opened()};
    lab::RunOptions o = next_;
    const lab::Scenario* s = lab::find_scenario(o.scenario);
    if (s && s->cpython_only) o.engine = trace::Engine::cpython; // chapter 2: no C++ model
    o.receiver = lab::effective_receiver(o); // "as installed" exists only on CPython
    if (!s || !s->sandbox) { // the sandbox's switches are kept, but apply only there
        const lab::RunOptions plain;
        o.connect_in = plain.connect_in;
        o.worker = plain.worker;
        o.with_block = plain.with_block;
    } else if (o.worker == trace::Worker::none)
        o.connect_in = trace::ConnectIn::main;
    o.keep_hung_ms = settings_.keep_hung_s * 1000; // a hang stays alive to be seen (§2)
    return o;
}

void App::restart_steps() {
    stepper_.reset();
    last_shown_ = -2;
}

void App::on_new_run() {
    timeline_.fit();
    restart_steps();
}

void App::start_run() {
    if (!server_) return;
    lab::RunOptions o = options();
    if (own_program()) {
        o = own_options();
        if (o.program.empty()) return; // own_.error() says why, in the banner
    }
    session_.start(o, lab::ServerInfo{server_->uri(), server_->ca_pem()},
                   [] { glfwPostEmptyEvent(); });
    on_new_run();
    user_moved_ = false;
    quiz_.run_started();
}

bool App::receiver_meant(const lab::RunOptions& o) const {
    if (!o.program.empty()) return own_.uses_websockets();
    const lab::Scenario* sc = lab::find_scenario(o.scenario);
    return !(sc && sc->cpython_only);
}

std::string App::run_label(const lab::RunState& s) const {
    const Lang l = ui_lang();
    const std::string receiver =
        content_.strings.get("ui.receiver." + std::string(trace::name(s.options.receiver)), l);
    const std::string title =
        !s.options.program.empty()
            ? content_.strings.format("ui.own.label", l, {{"file", s.options.program}})
            : content_.strings.get("scenario." + s.options.scenario + ".title", l);
    std::string engine =
        content_.strings.get("ui.engine." + std::string(trace::name(s.options.engine)), l);
    if (s.options.engine == trace::Engine::cpython && !s.python.version.empty())
        engine += " " + s.python.version +
                  (s.python.websockets.empty() ? "" : " · websockets " + s.python.websockets);
    const bool fix = s.options.program.empty() && !receiver_meant(s.options); // chapter 2
    if (fix) engine += " · " + t(lab::effective_close(s.options) ? "ui.fix_yes" : "ui.fix_no");
    return content_.strings.format(
        receiver_meant(s.options) ? "ui.run_label" : "ui.run_label.program", l,
        {{"scenario", title + " · " + engine},
         {"receiver", receiver},
         {"close", t(lab::effective_close(s.options) ? "ui.closed_yes" : "ui.closed_no")},
         {"verdict", t("ui.outcome." + std::string(lab::to_string(s.verdict.outcome)))}});
}

bool App::shown_is_stale() const {
    if (!session_.has_run()) return false;
    const lab::RunOptions& shown = session_.current().options;
    if (own_program()) {
        return !own_.runs(shown.program); // a lesson's run, or another file
    }
    return !lab::same_settings(shown, options());
}

std::string App::current_label() const {
    const lab::RunState& run = session_.current();
    return t(shown_is_stale() ? "ui.stale.label" : "ui.current") + ": " + run_label(run);
}

void App::stale_overlay(ImVec2 a, ImVec2 b) const {
    if (!shown_is_stale()) return;
    // Over the timeline's own child window: the foreground list, clipped to its rectangle.
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    dl->PushClipRect(a, b, true);
    dl->AddRectFilled(a, b, IM_COL32(30, 30, 30, 130));
    dl->PopClipRect();
}

std::optional<lab::Outcome> App::expected_outcome(const lab::RunOptions& o) const {
    const lab::Lesson* lesson = content_.lesson(o.scenario);
    if (!lesson) return std::nullopt;
    return lesson_expects(*lesson, o);
}

// ---- step by step -------------------------------------------------------------------------

const lab::Lesson* App::step_lesson() const {
    return content_.lesson(next_.scenario);
}

const lab::RunState* App::step_run() const {
    return session_.has_run() && session_.current().options.scenario == next_.scenario
               ? &session_.current()
               : nullptr;
}

std::string App::in_langs(const std::function<std::string(Lang)>& one) const {
    std::string out;
    for (Lang l : content_langs()) {
        const std::string s = one(l);
        if (!out.empty() && !s.empty()) out += " / ";
        out += s;
    }
    return out;
}

std::string App::step_caption() const {
    const lab::Lesson* lesson = step_lesson();
    if (!lesson || stepper_.shown() < 0) return {};
    return in_langs([&](Lang l) {
        return content_.strings.format("ui.step.of", l,
                                       {{"n", std::to_string(stepper_.shown() + 1)},
                                        {"total", std::to_string(lesson->steps.size())}});
    });
}

std::string App::step_status() const {
    return in_langs([&](Lang l) { return step_status(l); });
}

std::string App::step_status(Lang l) const {
    // "3/4 the close — not reached: ..." for each step the run passed over, then the state.
    std::string skips;
    if (const lab::Lesson* lesson = step_lesson())
        for (const lab::Skipped& k : skipped())
            skips += std::to_string(k.index + 1) + "/" + std::to_string(lesson->steps.size()) +
                     " " + lab::pause_name(content_.strings, lesson->steps[k.index].pause, l) +
                     " " + skip_note(k.index, l) + " · ";
    return skips + step_state(l);
}

std::string App::step_state(Lang l) const {
    const lab::Strings& s = content_.strings;
    const lab::RunState* run = step_run();
    if (!run) return s.get("ui.step.no_run", l);
    if (run->finished()) return s.get("ui.step.finished", l);
    if (stepper_.waiting()) {
        const int pos = stepper_.shown_pos();
        if (pos >= 0 && pos + 1 < int(stepper_.stops().size())) return s.get("ui.step.behind", l);
        return s.format("ui.step.waiting", l, {{"pause", lab::pause_name(s, run->paused_at, l)}});
    }
    if (!run->options.step) return s.get("ui.step.not_stepping", l);
    return s.get("ui.step.running", l);
}

std::vector<lab::Skipped> App::skipped() const {
    const lab::Lesson* lesson = step_lesson();
    const lab::RunState* run = step_run();
    if (!lesson || !run || shown_is_stale()) return {};
    // A run that reports no pause points (CPython outside step mode) says nothing of steps.
    if (!run->options.step && lab::step_markers(run->timeline) == 0) return {};
    return lab::skipped_steps(*lesson, stepper_.hits(), run->finished(),
                              lab::blocks_off(lesson->python, lab::switch_env(run->options)));
}

std::string App::skip_note(std::size_t step, Lang l) const {
    // Plain words: the notes' Markdown (`if CLOSE:`) is drawn as text in one line.
    const lab::Strings& s = content_.strings;
    const lab::Lesson* lesson = step_lesson();
    if (!lesson || step >= lesson->steps.size()) return {};
    const lab::RunState* run = step_run();
    if (run && !shown_is_stale()) {
        for (const lab::Skipped& k : skipped())
            if (k.index == step)
                return lab::render_inline(
                    k.why == lab::SkipWhy::switched_off
                        ? s.format("ui.step.skipped.off", l, {{"cond", k.condition}})
                        : s.get("ui.step.skipped.ended", l),
                    false);
        return {};
    }
    // No run with these switches yet: say ahead which steps they leave out.
    const auto off = lab::blocks_off(lesson->python, lab::switch_env(options()));
    if (const lab::OffBlock* b = lab::step_switched_off(*lesson, step, off))
        return lab::render_inline(s.format("ui.step.skipped.ahead", l, {{"cond", b->condition}}),
                                  false);
    return {};
}

std::vector<StepMark> App::step_marks(const lab::RunState& run, bool current) const {
    std::vector<StepMark> marks;
    const lab::Lesson* lesson = content_.lesson(run.options.scenario);
    if (!lesson) return marks;
    for (const StepHit& h : lab::match_steps(*lesson, run.timeline))
        marks.push_back(
            {.t_ns = h.t_ns,
             .tid = h.tid,
             .number = int(h.index) + 1,
             .pause = h.pause,
             .current = current && step_run() == &run && int(h.index) == stepper_.shown()});
    return marks;
}

bool App::step_card_shown() const {
    const lab::Lesson* lesson = step_lesson();
    return lesson && (next_.step || user_moved_) && stepper_.shown() >= 0 &&
           std::size_t(stepper_.shown()) < lesson->steps.size();
}

void App::next_step() {
    user_moved_ = true;
    if (stepper_.next() && session_.go()) stepper_.went_on();
}

void App::prev_step() {
    user_moved_ = true;
    stepper_.prev();
}

void App::run_to_end() {
    if (session_.run_to_end()) stepper_.went_on();
}

// ---- the frame ----------------------------------------------------------------------------

double App::frame_interval() const {
    // Live: 30 frames a second while the run decides; a confirmed hang kept alive to be seen
    // only grows its lanes and its counter (tenths of a second): 10 are enough.
    if (session_.live())
        return stepper_.waiting() ? 0.5 : session_.current().finished() ? 1.0 / 10 : 1.0 / 30;
    if (matrix_.started() && !matrix_.done()) return 1.0 / 30;
    if (room_.counting_down()) return 1.0 / 10; // the room's countdown to the reveal
    return attach_.frame_interval();            // auto-refresh, or a sample on its way
}

void App::change_text_size(float by) {
    settings_.font_scale = std::clamp(settings_.font_scale + by, 0.6f, 3.0f);
    fonts_dirty_ = true;
}

void App::rebuild_fonts() {
    fonts_ = build_fonts(*ImGui::GetIO().Fonts, font_choice_, font_px(settings_.font_scale),
                         content_texts(content_));
    apply_theme(settings_.theme);
    ImGui::GetStyle().ScaleAllSizes(settings_.font_scale);
}

void App::before_frame() {
    // Between frames: the atlas is not locked and no ImFont of the last frame is in use.
    ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
    if (fonts_dirty_) {
        fonts_dirty_ = false;
        rebuild_fonts();
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    // Once the texture is on the GPU the atlas's own copy of its pixels is not needed.
    if (atlas.TexID && (atlas.TexPixelsAlpha8 || atlas.TexPixelsRGBA32)) atlas.ClearTexData();
}

// Ctrl+= / Ctrl+- text size, F11 full screen; in the lab view → Next, ← Prev, Space Next
// while the demo waits at a step and Run otherwise. They work whatever has the focus, unless
// a text field is being edited; ImGui's own keyboard navigation is off (app_main.cpp), so
// Space never "presses" the widget clicked last.
void App::keys() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)))
        change_text_size(+0.1f);
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)))
        change_text_size(-0.1f);
    if (ImGui::IsKeyPressed(GLFW_KEY_F11, false)) toggle_fullscreen();
    if (view_ == View::lab && !io.WantTextInput && !io.KeyCtrl && !io.KeyAlt) {
        if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT, false)) next_step();
        if (ImGui::IsKeyPressed(GLFW_KEY_SPACE, false)) {
            if (stepper_.waiting() || (session_.stepping() && stepper_.can_next()))
                next_step();
            else if (!session_.live() || !session_.stepping())
                request_run();
        }
        if (ImGui::IsKeyPressed(GLFW_KEY_LEFT, false)) prev_step();
    }
}

void App::frame() {
    session_.poll();
    matrix_.poll();
    stepper_.update(step_lesson(), step_run());
    // A pause point the lesson does not talk about: nothing to show there, go on.
    if (stepper_.waiting_unknown() && session_.go()) stepper_.went_on();
    if (stepper_.shown() != last_shown_) {
        last_shown_ = stepper_.shown();
        scroll_code_ = stepper_.shown() >= 0 ? kScrollFrames : 0;
        scroll_lesson_ = scroll_code_ > 0;
    }
    if (session_.has_run()) quiz_.score(session_.current(), cell_key(session_.current().options));
    quiz_.next_settings(cell_key(next_) + "|" + std::string(trace::name(next_.engine)));
    if (own_.has_temp() && !session_.live()) own_.remove_temp(); // its run has ended
    sweep_tick(); // "Run on every Python": the next interpreter once this run has its verdict
    if (compare_next_ && session_.has_run() && session_.current().finished()) {
        compare_next_ = false; // "Compare with the other engine": the second run
        next_.engine =
            next_.engine == trace::Engine::model ? trace::Engine::cpython : trace::Engine::model;
        next_.receiver = lab::effective_receiver(next_.engine, next_.receiver);
        start_run();
    }
    keys();
    room_.follow(options(), session_.has_run() ? &session_.current() : nullptr, step_lesson(),
                 stepper_.shown(), content_.strings); // the question, the run, the verdict

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImGui::GetIO().DisplaySize);
    ImGui::Begin("DaemonLab", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
    toolbar();
    ImGui::Separator();
    if (view_ == View::matrix)
        matrix_pane();
    else
        lab_view();
    ImGui::End();
    room_.window(content_.strings, timeline_text().langs, export_dir_, fonts_.big);
    attach_.window(timeline_text());
}

void App::after_render(int fb_w, int fb_h) {
    write_requested_png(fb_w, fb_h);
}

// What a user sets by hand (not the window's size: saved on close) is saved as soon as it
// changes, atomically (Settings::save_to), so a SIGTERM or Ctrl+C loses none of it.
void App::save_settings_if_changed() {
    if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) return; // a slider or the splitter moves
    if (room_.fixed_version() != room_fixed_seen_) { // the presenter kept (or let go) the address
        room_fixed_seen_ = room_.fixed_version();
        settings_.room_port = room_.fixed().port;
        settings_.room_code = room_.fixed().code;
    }
    const std::string now = settings_.lang + "\n" + std::to_string(settings_.font_scale) + "\n" +
                            settings_.scenario + "\n" + std::to_string(settings_.top_fraction) +
                            "\n" + settings_.theme + "\n" + settings_.export_dir + "\n" +
                            std::to_string(settings_.keep_hung_s) + "\n" +
                            std::to_string(settings_.room_port) + settings_.room_code;
    if (now == saved_) return;
    if (!saved_.empty()) settings_.save(); // the first frame only takes note
    saved_ = now;
}

void App::save_settings() {
    if (fullscreen_) {
        settings_.width = windowed_[2];
        settings_.height = windowed_[3];
    } else
        glfwGetWindowSize(window_, &settings_.width, &settings_.height);
    settings_.save();
}

} // namespace gui
