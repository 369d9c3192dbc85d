// The desktop app. It owns the echo server and at most two runs (the live or latest one,
// and the one before it, kept for comparison); every frame it takes a snapshot of the run
// and draws it. It sleeps in glfwWaitEvents() until input arrives or the run's watcher
// thread posts an empty event (new trace events, the verdict).
//
// Workshop mode: in step mode the demo waits at each pause point of the lesson until Next
// (Run::go()); the lesson, the code and the timeline show that step. Before a run the
// learner may answer "Will it exit?"; the verdict scores it. The matrix view runs every
// scenario × receiver policy × close at once. The timeline exports as PNG and Chrome trace.
#include "app.hpp"

#include "catalog.hpp"
#include "echo_server.hpp"
#include "export.hpp"
#include "export_files.hpp"
#include "fonts.hpp"
#include "lessons.hpp"
#include "markdown.hpp"
#include "matrix_view.hpp"
#include "room_view.hpp" // room:
#include "runner.hpp"
#include "screenshot.hpp"
#include "settings.hpp"
#include "stepper.hpp"
#include "theme.hpp"
#include "timeline_view.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <imgui.h>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stb_image.h>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace gui {
namespace {

using lab::Lang;
using nlohmann::json;

struct Flags {
    std::optional<std::string> scenario, lang, receiver, then_receiver, theme, predict, open_cell,
        export_dir;
    bool close = false, run = false, step = false, walk = false, matrix = false, fullscreen = false,
         export_png = false, export_trace = false;
    std::string screenshot;
    int after_ms = 1500;
    int width = 0, height = 0;
    float font_scale = 0; // 0: the saved one
    // room: --room [--room-listen lan|loopback|ADDRESS]
    std::optional<std::string> room;
};

// Parses `daemonlab [gui] [flags]`. Returns an error message, or "".
std::string parse_flags(int argc, char** argv, Flags& f) {
    int i = 1;
    if (i < argc && std::string(argv[i]) == "gui") ++i;
    auto receiver_ok = [](const std::string& v) {
        return v == "inherit" || v == "daemon" || v == "non-daemon";
    };
    for (; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&](std::string& out) -> bool {
            if (i + 1 >= argc) return false;
            out = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--scenario") {
            if (!value(v)) return a + " needs a scenario id";
            if (!lab::find_scenario(v)) return "unknown scenario '" + v + "' (see: daemonlab list)";
            f.scenario = v;
        } else if (a == "--lang") {
            if (!value(v) || (v != "zh" && v != "en" && v != "both"))
                return "--lang must be zh, en or both";
            f.lang = v;
        } else if (a == "--receiver") {
            if (!value(v) || !receiver_ok(v))
                return "--receiver must be inherit, daemon or non-daemon";
            f.receiver = v;
        } else if (a == "--then-receiver") { // screenshot: a second run to compare with the first
            if (!value(v) || !receiver_ok(v))
                return "--then-receiver must be inherit, daemon or non-daemon";
            f.then_receiver = v;
        } else if (a == "--close")
            f.close = true;
        else if (a == "--run")
            f.run = true;
        else if (a == "--step")
            f.step = true;
        else if (a == "--walk") // screenshot: press Next through every step, record each
            f.walk = f.step = f.run = true;
        else if (a == "--matrix")
            f.matrix = true;
        else if (a == "--fullscreen")
            f.fullscreen = true;
        else if (a == "--theme") {
            if (!value(v) || (v != "normal" && v != "high-contrast"))
                return "--theme must be normal or high-contrast";
            f.theme = v;
        } else if (a == "--predict") {
            if (!value(v) || (v != "yes" && v != "no")) return "--predict must be yes or no";
            f.predict = v;
        } else if (a == "--open") { // with --matrix: SCENARIO,RECEIVER,close|no-close
            if (!value(v)) return "--open needs SCENARIO,RECEIVER,close|no-close";
            f.open_cell = v;
        } else if (a == "--export") { // screenshot: png, trace or png,trace
            if (!value(v)) return "--export needs png, trace or png,trace";
            for (std::size_t pos = 0; pos <= v.size();) {
                std::size_t end = v.find(',', pos);
                std::string what = v.substr(pos, end == std::string::npos ? end : end - pos);
                if (what == "png")
                    f.export_png = true;
                else if (what == "trace")
                    f.export_trace = true;
                else
                    return "--export takes png and/or trace, not '" + what + "'";
                if (end == std::string::npos) break;
                pos = end + 1;
            }
        } else if (a == "--export-dir") {
            if (!value(v)) return "--export-dir needs a directory";
            f.export_dir = v;
        } else if (a == "--size") {
            if (!value(v) || std::sscanf(v.c_str(), "%dx%d", &f.width, &f.height) != 2 ||
                f.width < 320 || f.height < 240 || f.width > 8000 || f.height > 8000)
                return "--size must be WIDTHxHEIGHT, e.g. 1280x720";
        } else if (a == "--font-scale") {
            if (!value(v) || std::sscanf(v.c_str(), "%f", &f.font_scale) != 1 ||
                f.font_scale < 0.6f || f.font_scale > 3.0f)
                return "--font-scale must be a number from 0.6 to 3";
        } else if (a == "--room") { // room: open the workshop room at start
            f.room = f.room.value_or("lan");
        } else if (a == "--room-listen") { // room: where it listens
            if (!value(v)) return "--room-listen needs lan, loopback or an IP address";
            f.room = v;
        } else if (a == "--screenshot") {
            if (!value(f.screenshot)) return "--screenshot needs a file name";
        } else if (a == "--after") {
            if (!value(v)) return "--after needs milliseconds";
            try {
                f.after_ms = std::stoi(v);
            } catch (...) {
                return "--after needs milliseconds, not '" + v + "'";
            }
        } else
            return "unknown option '" + a + "'";
    }
    if (f.open_cell && !f.matrix) return "--open goes with --matrix";
    return {};
}

// A heading over a part of the lesson (Dear ImGui 1.86 has no SeparatorText).
// A box behind content whose height is known only once it is laid out: begin_card() lays
// the content out on the draw list's front channel, end_card() fills the box behind it
// (the full width, rounded; an accent bar on the left if asked) and moves below it.
struct Card {
    ImDrawList* dl;
    ImVec2 p;
};

Card begin_card(ImVec2 inset) {
    Card c{ImGui::GetWindowDrawList(), ImGui::GetCursorScreenPos()};
    c.dl->ChannelsSplit(2);
    c.dl->ChannelsSetCurrent(1);
    ImGui::SetCursorScreenPos(ImVec2(c.p.x + inset.x, c.p.y + inset.y));
    ImGui::BeginGroup();
    return c;
}

void end_card(const Card& c, ImU32 bg, ImU32 accent = 0) {
    ImGui::EndGroup();
    const ImVec2 end = ImGui::GetItemRectMax();
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    c.dl->ChannelsSetCurrent(0);
    c.dl->AddRectFilled(c.p, ImVec2(right, end.y + 6), bg, 6);
    if (accent) c.dl->AddRectFilled(c.p, ImVec2(c.p.x + 4, end.y + 6), accent, 2);
    c.dl->ChannelsMerge();
    ImGui::SetCursorScreenPos(ImVec2(c.p.x, end.y + 12));
}

void section(const char* label) {
    ImGui::Spacing();
    ImGui::TextColored(palette().section, "%s", label);
    ImGui::Separator();
}

// Continues on the same line when an item `w` wide still fits, else starts a new one.
void same_line_if_fits(float w) {
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x < w) ImGui::NewLine();
}

float button_width(const std::string& label) {
    return ImGui::CalcTextSize(label.c_str(), nullptr, true).x +
           ImGui::GetStyle().FramePadding.x * 2;
}

// A button drawn "on" (pressed look) when `on`.
bool toggle_button(const std::string& label, bool on) {
    if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    bool pressed = ImGui::Button(label.c_str());
    if (on) ImGui::PopStyleColor();
    return pressed;
}

// What one step of the scripted walk (--walk) saw.
struct WalkRecord {
    int step = 0, of = 0;       // the number shown, and the lesson's count
    std::string label;          // the step's caption as drawn
    std::string pause;          // the lesson step's pause point
    std::string paused_at;      // the pause point the demo waits at (RunState::paused_at)
    bool thread_paused = false; // the pausing thread's lane was in the paused state there
    std::int64_t t_ns = 0;
    int tid = 0;
    std::vector<int> py, cpp, pause_lines; // highlighted as drawn
    std::string shot;                      // the PNG of that moment
};

float font_px(float scale) {
    return 17.0f * scale;
}

// What the app needs before its first frame and can make without a window: the content,
// the fonts and their atlas, the echo server. Made on a second thread while the window and
// its GL context are created, which is most of the start-up under a software renderer
// (docs/PERFORMANCE.md).
struct Prepared {
    lab::Content content;
    FontChoice font_choice;
    Fonts fonts;
    std::unique_ptr<lab::EchoServer> server;
    std::string server_error;
};

Prepared prepare(ImFontAtlas& atlas, float font_scale) {
    Prepared p;
    p.content = lab::load_content(lab::content_dir());
    if (!p.content.strings.load(lab::content_dir() + "/ui.toml"))
        p.content.errors.push_back(p.content.strings.error());
    if (!p.content.strings.load(lab::content_dir() + "/room.toml")) // room: its words
        p.content.errors.push_back(p.content.strings.error());
    p.font_choice = find_fonts();
    p.fonts = build_fonts(atlas, p.font_choice, font_px(font_scale), content_texts(p.content));
    try {
        p.server = std::make_unique<lab::EchoServer>(lab::EchoServerOptions{.tls = true});
    } catch (const std::exception& e) {
        p.server_error = e.what();
    }
    return p;
}

class App {
  public:
    App(GLFWwindow* window, Settings settings, const Flags& flags, Prepared prepared);
    ~App() { matrix_.stop(); }
    void before_frame(); // before ImGui's NewFrame: font rebuilds, freeing the atlas pixels
    void frame();
    void after_render(int fb_w, int fb_h); // reads the back buffer: exports, the walk
    // Seconds between frames when nothing happens: 1/30 while a run or the matrix is live
    // (the "alive for" clock), 0.5 while the demo waits at a step, 0 (sleep) otherwise.
    double frame_interval() const {
        if (have_run_ && run_ && !snapshot_.finished()) return stepper_.waiting() ? 0.5 : 1.0 / 30;
        return matrix_.started() && !matrix_.done() ? 1.0 / 30 : 0;
    }
    void save_settings();
    json describe() const; // what is on screen, for --screenshot
    bool screenshot_ready(double waited_ms);
    void start_run();

  private:
    std::string t(std::string_view key) const { return content_.strings.get(key, ui_lang()); }
    std::string f(std::string_view key, const std::vector<lab::Arg>& args) const {
        return content_.strings.format(key, ui_lang(), args);
    }
    Lang ui_lang() const { return settings_.lang == "en" || !fonts_.has_cjk ? Lang::en : Lang::zh; }
    std::vector<Lang> content_langs() const {
        if (!fonts_.has_cjk || settings_.lang == "en") return {Lang::en};
        if (settings_.lang == "zh") return {Lang::zh};
        return {Lang::zh, Lang::en};
    }
    void rebuild_fonts();
    void toolbar();
    void scenario_list();
    void lesson_pane();
    void code_pane();
    void controls();
    void step_controls();
    void predict_controls();
    void banner();
    void export_row();
    void matrix_pane();
    void lab_view();
    std::vector<std::string> banner_lines() const; // every language shown
    std::vector<std::string> banner_lines(Lang l) const;
    std::string prediction_line(Lang l) const;
    std::string run_label(const lab::RunState& s) const;
    lab::RunOptions options() const;
    void select(const std::string& id);
    void text_block(const lab::Text& text);

    // Workshop.
    const lab::Lesson* step_lesson() const; // the lesson the steps come from
    const lab::RunState* step_run() const;  // the run the steps are matched against
    std::string step_caption() const;       // "Step 2/4" or ""
    std::string step_status() const;        // what the demo does now, in step mode
    std::vector<StepMark> step_marks(const lab::RunState& run, bool current) const;
    void next_step();
    void prev_step();
    void run_to_end();
    void predict(bool exits);
    void score();
    void toggle_fullscreen();
    void export_png();
    void export_trace();
    void open_cell(std::size_t i);
    void walk_tick();
    std::optional<lab::Outcome> expected_outcome(const lab::RunOptions& o) const;

    GLFWwindow* window_;
    Settings settings_;
    lab::Content content_;
    std::string notice_;
    FontChoice font_choice_;
    Fonts fonts_;
    bool fonts_dirty_ = false;

    std::unique_ptr<lab::EchoServer> server_;
    std::string server_error_;
    std::unique_ptr<lab::Run> run_; // live (or latest) run; none for a run opened from the matrix
    bool have_run_ = false;         // snapshot_ holds a run to show
    lab::RunState snapshot_;
    std::optional<lab::RunState> previous_;

    std::string scenario_;
    trace::Receiver receiver_ = trace::Receiver::inherit;
    bool close_ = false;
    trace::ConnectIn connect_in_ = trace::ConnectIn::main;
    trace::Worker worker_ = trace::Worker::daemon;
    bool with_block_ = false;
    int code_tab_ = 0;   // 0 Python, 1 C++
    int want_tab_ = -1;  // select this tab next frame
    std::string python_; // the Python on show (lesson or the demo's header comment)
    TimelineView timeline_;
    float bottom_fixed_h_ = 0; // controls + banner + legend, as last drawn

    // Step by step.
    bool step_mode_ = false;
    bool user_moved_ = false; // Prev/Next pressed since the run began
    Stepper stepper_;
    int last_shown_ = -2;
    bool scroll_code_ = false, scroll_lesson_ = false;
    struct Drawn { // what the code pane drew this frame
        int tab = -1, step = -1;
        std::vector<int> hot, pause_lines;
    } drawn_;

    // Predict first.
    std::optional<bool> prediction_;     // for the next run: "it exits"
    std::optional<bool> run_prediction_; // for the run on show
    bool scored_ = false;
    std::optional<bool> last_right_;
    int tally_right_ = 0, tally_total_ = 0;
    std::map<std::string, bool> learner_; // cell key → what the learner said

    // Presentation.
    bool fullscreen_ = false;
    int windowed_[4] = {100, 100, 1440, 900}; // x, y, w, h to go back to

    // Views.
    int view_ = 0; // 0 lab, 1 matrix
    Matrix matrix_;
    RoomView room_{[] { glfwPostEmptyEvent(); }}; // room: the workshop room

    // Export.
    std::string export_dir_;
    std::string png_request_; // write the timeline here after this frame is drawn
    std::string status_;
    bool status_error_ = false;
    json exports_ = json::array();

    // Scripted (--screenshot).
    Flags flags_;
    bool walking_ = false, walk_done_ = false;
    int walk_phase_ = 0, walk_frames_ = 0;
    WalkRecord walk_rec_;
    std::vector<WalkRecord> walk_;
    int ready_frames_ = 0;
    bool exports_done_ = false, opened_ = false;
};

App::App(GLFWwindow* window, Settings settings, const Flags& flags, Prepared prepared)
    : window_(window), settings_(std::move(settings)), flags_(flags) {
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
    if (!fonts_.has_cjk) notice_ = content_.strings.get("ui.notice.nocjk", Lang::en);
    if (!settings_.error.empty()) content_.errors.push_back(settings_.error);
    select(flags.scenario.value_or(lab::find_scenario(settings_.scenario) ? settings_.scenario
                                                                          : "threaded-client"));
    if (flags.receiver) receiver_ = *trace::parse<trace::Receiver>(*flags.receiver);
    if (flags.close) close_ = true;
    step_mode_ = flags.step;
    walking_ = flags.walk;
    if (flags.predict) prediction_ = *flags.predict == "yes";
    export_dir_ = flags.export_dir.value_or(default_export_dir());
    glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
    glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
    if (flags.fullscreen) toggle_fullscreen();
    if (flags.room) room_.open(*flags.room); // room: (an error shows in its window)
    if (flags.matrix) {
        view_ = 1;
        if (server_)
            matrix_.start({server_->uri(), server_->ca_pem()}, lab::default_matrix_jobs(),
                          [] { glfwPostEmptyEvent(); });
    }
}

void App::rebuild_fonts() {
    fonts_ = build_fonts(*ImGui::GetIO().Fonts, font_choice_, font_px(settings_.font_scale),
                         content_texts(content_));
    apply_theme(settings_.theme);
    ImGui::GetStyle().ScaleAllSizes(settings_.font_scale);
}

void App::select(const std::string& id) {
    if (id != scenario_) stepper_.reset(), last_shown_ = -2;
    scenario_ = id;
    settings_.scenario = id;
    close_ = lab::effective_close({.scenario = id});
    python_.clear();
    if (const lab::Lesson* lesson = content_.lesson(id))
        python_ = lesson->python;
    else if (const lab::Scenario* sc = lab::find_scenario(id))
        python_ = python_from_header(sc->cpp_source);
}

lab::RunOptions App::options() const {
    lab::RunOptions o{.scenario = scenario_, .receiver = receiver_, .close = close_};
    if (const lab::Scenario* s = lab::find_scenario(scenario_); s && s->sandbox) {
        o.connect_in = worker_ == trace::Worker::none ? trace::ConnectIn::main : connect_in_;
        o.worker = worker_;
        o.with_block = with_block_;
    }
    o.step = step_mode_;
    return o;
}

void App::start_run() {
    if (!server_) return;
    if (have_run_) {
        run_.reset(); // kills a live demo and waits for it
        previous_ = snapshot_;
    }
    run_ = std::make_unique<lab::Run>(options(), lab::ServerInfo{server_->uri(), server_->ca_pem()},
                                      [] { glfwPostEmptyEvent(); });
    snapshot_ = run_->snapshot();
    have_run_ = true;
    timeline_.fit();
    stepper_.reset();
    last_shown_ = -2;
    user_moved_ = false;
    run_prediction_ = prediction_;
    prediction_.reset();
    scored_ = false;
    last_right_.reset();
}

void App::open_cell(std::size_t i) {
    const MatrixCell& cell = matrix_.cells()[i];
    if (!cell.result) return;
    if (have_run_) {
        run_.reset();
        previous_ = snapshot_;
    }
    select(cell.options.scenario);
    receiver_ = cell.options.receiver;
    close_ = lab::effective_close(cell.options);
    snapshot_ = *cell.result;
    have_run_ = true;
    timeline_.fit();
    stepper_.reset();
    last_shown_ = -2;
    run_prediction_.reset();
    scored_ = true;
    last_right_.reset();
    view_ = 0;
}

std::string App::run_label(const lab::RunState& s) const {
    Lang l = ui_lang();
    std::string receiver =
        content_.strings.get("ui.receiver." + std::string(trace::name(s.options.receiver)), l);
    return content_.strings.format(
        "ui.run_label", l,
        {{"scenario", s.options.scenario},
         {"receiver", receiver},
         {"close", t(lab::effective_close(s.options) ? "ui.closed_yes" : "ui.closed_no")},
         {"verdict", t("ui.outcome." + std::string(lab::to_string(s.verdict.outcome)))}});
}

// ---- predict first ------------------------------------------------------------------------

std::optional<lab::Outcome> App::expected_outcome(const lab::RunOptions& o) const {
    const lab::Lesson* lesson = content_.lesson(o.scenario);
    if (!lesson) return std::nullopt;
    return lesson_expects(*lesson, o);
}

void App::predict(bool exits) {
    if (have_run_ && run_ && !snapshot_.finished() && !run_prediction_)
        run_prediction_ = exits; // a live run nobody has bet on yet
    else
        prediction_ = exits;
}

void App::score() {
    if (!have_run_ || scored_ || !run_prediction_ || !snapshot_.finished()) return;
    scored_ = true;
    const lab::Outcome o = snapshot_.verdict.outcome;
    if (o != lab::Outcome::exited && o != lab::Outcome::hung) return; // nothing to judge
    last_right_ = *run_prediction_ == (o == lab::Outcome::exited);
    ++tally_total_;
    tally_right_ += *last_right_;
    learner_[cell_key(snapshot_.options)] = *run_prediction_;
}

// The learner's answer and, after the verdict, right or wrong and why, in one language.
std::string App::prediction_line(Lang l) const {
    if (!have_run_ || !run_prediction_) return {};
    const std::string said =
        content_.strings.get(*run_prediction_ ? "ui.predict.exits" : "ui.predict.hangs", l);
    if (!snapshot_.finished())
        return content_.strings.format("ui.predict.pending", l, {{"said", said}});
    if (!last_right_) return content_.strings.format("ui.predict.unjudged", l, {{"said", said}});
    std::string reason;
    const lab::Lesson* lesson = content_.lesson(snapshot_.options.scenario);
    if (lesson && lesson_default(snapshot_.options) && !lesson->predict.empty())
        reason = lesson->predict.in(l);
    else if (auto why =
                 lab::explanation(snapshot_.verdict, snapshot_.timeline, content_.strings, l);
             !why.empty())
        reason = why.front();
    std::erase(reason, '`'); // Markdown's code marks; the banner is plain text
    return content_.strings.format(*last_right_ ? "ui.predict.right" : "ui.predict.wrong", l,
                                   {{"said", said}, {"reason", reason}});
}

// ---- step by step -------------------------------------------------------------------------

const lab::Lesson* App::step_lesson() const {
    return content_.lesson(scenario_);
}

const lab::RunState* App::step_run() const {
    return have_run_ && snapshot_.options.scenario == scenario_ ? &snapshot_ : nullptr;
}

std::string App::step_caption() const {
    const lab::Lesson* lesson = step_lesson();
    if (!lesson || stepper_.shown() < 0) return {};
    return f("ui.step.of", {{"n", std::to_string(stepper_.shown() + 1)},
                            {"total", std::to_string(lesson->steps.size())}});
}

std::string App::step_status() const {
    const lab::RunState* run = step_run();
    if (!run) return t("ui.step.no_run");
    if (run->finished()) return t("ui.step.finished");
    if (stepper_.waiting()) {
        const int pos = stepper_.shown_pos();
        if (pos >= 0 && pos + 1 < int(stepper_.stops().size())) return t("ui.step.behind");
        return f("ui.step.waiting", {{"pause", run->paused_at}});
    }
    if (!run->options.step) return t("ui.step.not_stepping");
    return t("ui.step.running");
}

std::vector<StepMark> App::step_marks(const lab::RunState& run, bool current) const {
    std::vector<StepMark> marks;
    const lab::Lesson* lesson = content_.lesson(run.options.scenario);
    if (!lesson) return marks;
    for (const StepHit& h : match_steps(*lesson, run))
        marks.push_back(
            {.t_ns = h.t_ns,
             .tid = h.tid,
             .number = int(h.index) + 1,
             .pause = h.pause,
             .current = current && step_run() == &run && int(h.index) == stepper_.shown()});
    return marks;
}

void App::next_step() {
    user_moved_ = true;
    if (stepper_.next() && run_) {
        run_->go();
        stepper_.went_on();
    }
}

void App::prev_step() {
    user_moved_ = true;
    stepper_.prev();
}

void App::run_to_end() {
    if (!run_ || snapshot_.finished()) return;
    run_->run_to_end();
    stepper_.went_on();
}

// ---- presentation -------------------------------------------------------------------------

void App::toggle_fullscreen() {
    if (!fullscreen_) {
        glfwGetWindowPos(window_, &windowed_[0], &windowed_[1]);
        glfwGetWindowSize(window_, &windowed_[2], &windowed_[3]);
        // The monitor under the window's centre, else the primary one.
        int count = 0;
        GLFWmonitor** monitors = glfwGetMonitors(&count);
        GLFWmonitor* target = glfwGetPrimaryMonitor();
        const int cx = windowed_[0] + windowed_[2] / 2, cy = windowed_[1] + windowed_[3] / 2;
        for (int i = 0; i < count; ++i) {
            int mx, my;
            glfwGetMonitorPos(monitors[i], &mx, &my);
            const GLFWvidmode* m = glfwGetVideoMode(monitors[i]);
            if (m && cx >= mx && cx < mx + m->width && cy >= my && cy < my + m->height)
                target = monitors[i];
        }
        const GLFWvidmode* mode = target ? glfwGetVideoMode(target) : nullptr;
        if (!mode) return;
        glfwSetWindowMonitor(window_, target, 0, 0, mode->width, mode->height, mode->refreshRate);
        fullscreen_ = true;
    } else {
        glfwSetWindowMonitor(window_, nullptr, windowed_[0], windowed_[1], windowed_[2],
                             windowed_[3], 0);
        fullscreen_ = false;
    }
}

// ---- export -------------------------------------------------------------------------------

void App::export_png() {
    if (!have_run_) return;
    png_request_ = timestamped_path(export_dir_, snapshot_.options.scenario, ".png");
}

void App::export_trace() {
    if (!have_run_) return;
    const std::string path =
        timestamped_path(export_dir_, snapshot_.options.scenario, ".trace.json");
    const std::string err = lab::write_chrome_trace(snapshot_, path);
    status_error_ = !err.empty();
    status_ = err.empty() ? f("ui.export.saved_trace", {{"path", path}})
                          : f("ui.export.failed", {{"error", err}});
    exports_.push_back(
        {{"kind", "trace"}, {"path", path}, {"error", err.empty() ? json(nullptr) : json(err)}});
}

void App::after_render(int fb_w, int fb_h) {
    if (!png_request_.empty()) {
        const std::string path = std::exchange(png_request_, std::string());
        const ImGuiIO& io = ImGui::GetIO();
        const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
        const ImVec2 a = timeline_.rect_min(), b = timeline_.rect_max();
        const int x = int(a.x * sx), y = int(a.y * sy);
        const int w = int((b.x - a.x) * sx), h = int((b.y - a.y) * sy);
        const std::string err = write_png_region(path, x, y, w, h, fb_w, fb_h);
        status_error_ = !err.empty();
        status_ = err.empty() ? f("ui.export.saved_png", {{"path", path}})
                              : f("ui.export.failed", {{"error", err}});
        exports_.push_back({{"kind", "png"},
                            {"path", path},
                            {"x", x},
                            {"y", y},
                            {"width", w},
                            {"height", h},
                            {"error", err.empty() ? json(nullptr) : json(err)}});
    }
    if (walking_ && !walk_done_) {
        walk_tick();
        if (walk_phase_ == 3) { // the step was recorded as drawn: picture it, then Next
            if (!flags_.screenshot.empty()) {
                std::string base = flags_.screenshot;
                if (base.ends_with(".png")) base.resize(base.size() - 4);
                walk_rec_.shot = base + "-step" + std::to_string(walk_rec_.step) + ".png";
                write_png(walk_rec_.shot, fb_w, fb_h);
            }
            walk_.push_back(walk_rec_);
            walk_phase_ = 0;
            next_step();
        }
    }
}

// The scripted walk: at each step the demo waits at, show the Python, then the C++, record
// what was highlighted (as drawn), then press Next.
void App::walk_tick() {
    const lab::RunState* run = step_run();
    if (!run) return;
    if (run->finished()) {
        if (walk_phase_ == 0) walk_done_ = true;
        return;
    }
    if (stepper_.waiting_unknown()) return; // frame() lets those go
    const lab::Lesson* lesson = step_lesson();
    if (!lesson || !stepper_.waiting() || stepper_.hits().empty()) return;
    const StepHit& hit = stepper_.hits().back();
    switch (walk_phase_) {
    case 0:
        walk_rec_ = {};
        want_tab_ = 0;
        walk_phase_ = 1;
        walk_frames_ = 0;
        break;
    case 1:
        if (drawn_.tab == 0 && drawn_.step == int(hit.index) && ++walk_frames_ >= 2) {
            walk_rec_.py = drawn_.hot;
            want_tab_ = 1;
            walk_phase_ = 2;
            walk_frames_ = 0;
        }
        break;
    case 2:
        if (drawn_.tab == 1 && drawn_.step == int(hit.index) && ++walk_frames_ >= 2) {
            walk_rec_.cpp = drawn_.hot;
            walk_rec_.pause_lines = drawn_.pause_lines;
            walk_rec_.step = int(hit.index) + 1;
            walk_rec_.of = int(lesson->steps.size());
            walk_rec_.label = step_caption();
            walk_rec_.pause = lesson->steps[hit.index].pause;
            walk_rec_.paused_at = run->paused_at;
            walk_rec_.t_ns = hit.t_ns;
            walk_rec_.tid = hit.tid;
            if (const lab::Lane* lane = run->timeline.lane(hit.tid); lane && lane->current())
                walk_rec_.thread_paused = lane->current()->state == lab::ThreadState::paused &&
                                          lane->current()->step == hit.pause;
            walk_phase_ = 3;
        }
        break;
    default:
        break;
    }
}

// ---- drawing ------------------------------------------------------------------------------

// The banner's sentences in one language: the headline, then why.
std::vector<std::string> App::banner_lines(Lang l) const {
    if (!server_)
        return {content_.strings.format("ui.server_failed", l, {{"error", server_error_}})};
    if (!have_run_) return {content_.strings.get("ui.idle", l)};
    const lab::Timeline& tl = snapshot_.timeline;
    std::vector<std::string> lines{lab::headline(snapshot_.verdict, tl, content_.strings, l)};
    if (!snapshot_.finished()) {
        char s[32];
        std::snprintf(s, sizeof s, "%.1f", double(snapshot_.now_ns - snapshot_.spawned_ns) / 1e9);
        lines[0] += " — " + content_.strings.format("ui.alive_for", l, {{"s", s}});
    }
    lab::Verdict v = snapshot_.verdict;
    if (!snapshot_.finished() && tl.shutdown_waiting_for() >= 0) { // live: explain already
        v.outcome = lab::Outcome::hung;
        v.waiting_on = {tl.shutdown_waiting_for()};
    }
    for (const std::string& line : lab::explanation(v, tl, content_.strings, l))
        lines.push_back(line);
    return lines;
}

std::vector<std::string> App::banner_lines() const {
    std::vector<std::string> all;
    for (Lang l : content_langs())
        for (std::string& line : banner_lines(l)) all.push_back(std::move(line));
    return all;
}

void App::text_block(const lab::Text& text) {
    const std::vector<Lang> langs = content_langs();
    MarkdownFonts mf{fonts_.ui, fonts_.mono, fonts_.big};
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

void App::toolbar() {
    const ImGuiStyle& st = ImGui::GetStyle();
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(t("app.title").c_str());
    ImGui::PopFont();
    // Right: languages, text size, contrast, full screen. Measured, so nothing overlaps.
    const std::string smaller = t("ui.font.smaller"), bigger = t("ui.font.bigger"),
                      contrast = t("ui.theme.high_contrast"), full = t("ui.fullscreen");
    float right_w = button_width(smaller) + button_width(bigger) + button_width(contrast) +
                    button_width(full) + st.ItemSpacing.x * 7;
    for (const char* code : {"zh", "en", "both"})
        right_w += button_width(content_.strings.get(std::string("lang.") + code, Lang::zh));
    // Middle: the two views and the tally.
    const std::string lab_label = t("ui.view.lab"), matrix_label = t("ui.view.matrix");
    const std::string tally = f("ui.tally", {{"right", std::to_string(tally_right_)},
                                             {"total", std::to_string(tally_total_)}});
    const float mid_w = button_width(lab_label) + button_width(matrix_label) +
                        ImGui::CalcTextSize(tally.c_str()).x + st.ItemSpacing.x * 4;
    const std::string subtitle = t("app.subtitle");
    const float right = ImGui::GetWindowContentRegionMax().x;
    ImGui::SameLine();
    if (ImGui::GetContentRegionAvail().x >
        ImGui::CalcTextSize(subtitle.c_str()).x + mid_w + right_w + st.ItemSpacing.x * 4) {
        ImGui::TextDisabled("%s", subtitle.c_str());
        ImGui::SameLine(0, st.ItemSpacing.x * 3);
    }
    if (toggle_button(lab_label, view_ == 0)) view_ = 0;
    ImGui::SameLine(0, 2);
    if (toggle_button(matrix_label, view_ == 1)) view_ = 1;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.view.matrix.tip").c_str());
    ImGui::SameLine(0, st.ItemSpacing.x * 2);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tally.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.tally.tip").c_str());
    ImGui::SameLine(0, st.ItemSpacing.x * 2);
    room_.button(content_.strings, ui_lang()); // room: Open room / Close room
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), right - right_w));
    ImGui::BeginDisabled(!fonts_.has_cjk);
    for (const char* code : {"zh", "en", "both"}) {
        if (std::string(code) == "en") ImGui::EndDisabled();
        if (toggle_button(content_.strings.get(std::string("lang.") + code, Lang::zh),
                          settings_.lang == code))
            settings_.lang = code;
        ImGui::SameLine();
        if (std::string(code) == "en") ImGui::BeginDisabled(!fonts_.has_cjk);
    }
    ImGui::EndDisabled();
    if (ImGui::Button(smaller.c_str()))
        settings_.font_scale = std::max(0.6f, settings_.font_scale - 0.1f), fonts_dirty_ = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.font.tip").c_str());
    ImGui::SameLine();
    if (ImGui::Button(bigger.c_str()))
        settings_.font_scale = std::min(3.0f, settings_.font_scale + 0.1f), fonts_dirty_ = true;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.font.tip").c_str());
    ImGui::SameLine();
    if (toggle_button(contrast, settings_.theme == "high-contrast")) {
        settings_.theme = settings_.theme == "high-contrast" ? "normal" : "high-contrast";
        fonts_dirty_ = true; // the style is rebuilt with the fonts
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.theme.tip").c_str());
    ImGui::SameLine();
    if (toggle_button(full, fullscreen_)) toggle_fullscreen();
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.fullscreen.tip").c_str());
    if (!notice_.empty()) ImGui::TextColored(palette().notice, "%s", notice_.c_str());
    for (const std::string& e : content_.errors)
        ImGui::TextColored(palette().error, "%s", f("ui.notice.content", {{"error", e}}).c_str());
}

void App::scenario_list() {
    ImGui::TextDisabled("%s", t("ui.scenarios").c_str());
    int n = 1;
    for (const lab::Scenario& s : lab::catalog()) {
        std::string id(s.id);
        std::string label = std::to_string(n++) + "  " +
                            content_.strings.get("scenario." + id + ".title", ui_lang());
        if (ImGui::Selectable((label + "##" + id).c_str(), scenario_ == id)) select(id);
        if (ImGui::IsItemHovered())
            ImGui::SetTooltip(
                "%s", content_.strings.get("scenario." + id + ".summary", ui_lang()).c_str());
    }
}

void App::lesson_pane() {
    const lab::Lesson* lesson = content_.lesson(scenario_);
    if (scroll_lesson_) ImGui::SetScrollY(0), scroll_lesson_ = false;
    // The step on show first, on a card: what is happening at this pause point.
    if (lesson && (step_mode_ || user_moved_) && stepper_.shown() >= 0 &&
        std::size_t(stepper_.shown()) < lesson->steps.size()) {
        const Card card = begin_card(ImVec2(8, 6));
        ImGui::PushFont(fonts_.big);
        ImGui::TextUnformatted(step_caption().c_str());
        ImGui::PopFont();
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("%s", f("ui.step.pause",
                                    {{"pause", lesson->steps[std::size_t(stepper_.shown())].pause}})
                                      .c_str());
        ImGui::PushID("step-card");
        text_block(lesson->steps[std::size_t(stepper_.shown())].text);
        ImGui::PopID();
        end_card(card, palette().step_card, palette().pause_arrow);
    }
    ImGui::PushFont(fonts_.big);
    std::string title = content_.strings.get("scenario." + scenario_ + ".title", ui_lang());
    ImGui::TextWrapped("%s", lesson && !lesson->title.empty() ? lesson->title.in(ui_lang()).c_str()
                                                              : title.c_str());
    ImGui::PopFont();
    if (!lesson) {
        text_block({content_.strings.get("scenario." + scenario_ + ".summary", Lang::zh),
                    content_.strings.get("scenario." + scenario_ + ".summary", Lang::en)});
        ImGui::TextDisabled("%s", t("ui.no_lesson").c_str());
        return;
    }
    text_block(lesson->summary);
    if (!lesson->steps.empty()) {
        section(t("ui.steps").c_str());
        int i = 0;
        for (const lab::Step& s : lesson->steps) {
            ImGui::PushID(i);
            const bool on = i == stepper_.shown();
            std::string head = std::to_string(i + 1) + "/" + std::to_string(lesson->steps.size());
            if (on)
                ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette().pause_arrow), "▶ %s",
                                   head.c_str());
            else
                ImGui::TextDisabled("%s", head.c_str());
            text_block(s.text);
            ImGui::PopID();
            ++i;
        }
    }
    if (!lesson->why.empty()) section(t("ui.why").c_str()), text_block(lesson->why);
    if (!lesson->fix.empty()) section(t("ui.fix").c_str()), text_block(lesson->fix);
    if (!lesson->takeaways.empty()) {
        section(t("ui.takeaways").c_str());
        for (const lab::Text& x : lesson->takeaways) text_block(x);
    }
}

void App::code_pane() {
    const lab::Lesson* lesson = content_.lesson(scenario_);
    const lab::Scenario* sc = lab::find_scenario(scenario_);
    if (ImGui::BeginTabBar("code")) {
        const int want = std::exchange(want_tab_, -1);
        if (ImGui::BeginTabItem(t("ui.code.python").c_str(), nullptr,
                                want == 0 ? ImGuiTabItemFlags_SetSelected : 0)) {
            if (code_tab_ != 0) scroll_code_ = true;
            code_tab_ = 0;
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem(t("ui.code.cpp").c_str(), nullptr,
                                want == 1 ? ImGuiTabItemFlags_SetSelected : 0)) {
            if (code_tab_ != 1) scroll_code_ = true;
            code_tab_ = 1;
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    std::string_view text = code_tab_ == 0 ? std::string_view(python_)
                            : sc           ? sc->cpp_source
                                           : std::string_view();

    // The step on show: its lines, and (C++) the pause point where the demo waits.
    std::vector<int> hot, pause_lines;
    const int shown = stepper_.shown();
    if (lesson && shown >= 0 && std::size_t(shown) < lesson->steps.size()) {
        const lab::Step& s = lesson->steps[std::size_t(shown)];
        hot = step_lines(text, code_tab_ == 0 ? s.py : s.cpp);
        if (code_tab_ == 1) pause_lines = lab::find_lines(text, "demo::step(\"" + s.pause + "\")");
    }
    drawn_ = {.tab = code_tab_, .step = shown, .hot = hot, .pause_lines = pause_lines};
    const Palette& pal = palette();
    ImGui::BeginChild("code_text", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(fonts_.mono);
    int n = 1;
    bool scrolled = false;
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        const bool is_hot = std::find(hot.begin(), hot.end(), n) != hot.end();
        const bool is_pause =
            std::find(pause_lines.begin(), pause_lines.end(), n) != pause_lines.end();
        ImVec2 p = ImGui::GetCursorScreenPos();
        if (is_hot) {
            ImGui::GetWindowDrawList()->AddRectFilled(
                p, ImVec2(p.x + ImGui::GetContentRegionAvail().x, p.y + ImGui::GetTextLineHeight()),
                pal.code_hot);
            if (scroll_code_ && !scrolled) ImGui::SetScrollHereY(0.3f), scrolled = true;
        }
        if (is_pause)
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(pal.pause_arrow), "▶%2d", n);
        else
            ImGui::TextDisabled("%3d", n);
        ImGui::SameLine();
        bool comment = line.find("//") != std::string_view::npos &&
                       line.find_first_not_of(' ') == line.find("//");
        ImU32 color = 0;
        if (is_hot && pal.code_hot_text)
            color = pal.code_hot_text;
        else if (comment || line.starts_with("#"))
            color = pal.code_comment;
        if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
        ImGui::TextUnformatted(line.data(), line.data() + line.size());
        if (color) ImGui::PopStyleColor();
        if (end == std::string_view::npos) break;
        pos = end + 1;
        ++n;
    }
    scroll_code_ = false;
    ImGui::PopFont();
    ImGui::EndChild();
}

void App::step_controls() {
    const lab::Lesson* lesson = step_lesson();
    const bool live = have_run_ && run_ && !snapshot_.finished();
    const std::string step_label = t("ui.step.mode");
    if (ImGui::Checkbox(step_label.c_str(), &step_mode_) && !step_mode_ && live &&
        snapshot_.options.step)
        run_to_end(); // switched off mid-run: no more pauses
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.step.mode.tip").c_str());
    if (!lesson || lesson->steps.empty()) return;
    const std::string prev = t("ui.step.prev"), next = t("ui.step.next"), end = t("ui.step.to_end");
    same_line_if_fits(button_width(prev));
    ImGui::BeginDisabled(!stepper_.can_prev());
    if (ImGui::Button(prev.c_str())) prev_step();
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", t("ui.step.prev.tip").c_str());
    ImGui::SameLine();
    ImGui::BeginDisabled(!stepper_.can_next());
    if (ImGui::Button(next.c_str())) next_step();
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", t("ui.step.next.tip").c_str());
    same_line_if_fits(button_width(end));
    ImGui::BeginDisabled(!(live && snapshot_.options.step));
    if (ImGui::Button(end.c_str())) run_to_end();
    ImGui::EndDisabled();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", t("ui.step.to_end.tip").c_str());
    std::string caption = step_caption();
    std::string status = (caption.empty() ? "" : caption + " · ") + step_status();
    same_line_if_fits(ImGui::CalcTextSize(status.c_str()).x);
    ImGui::AlignTextToFramePadding();
    if (stepper_.waiting())
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(palette().pause_arrow), "%s",
                           status.c_str());
    else
        ImGui::TextDisabled("%s", status.c_str());
}

void App::predict_controls() {
    const std::string ask = t("ui.predict.ask"), yes = t("ui.predict.yes"), no = t("ui.predict.no");
    same_line_if_fits(ImGui::CalcTextSize(ask.c_str()).x + button_width(yes) + button_width(no) +
                      ImGui::GetStyle().ItemSpacing.x * 3);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(ask.c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.predict.tip").c_str());
    // The answer that will count: the live run's if it has none yet and no verdict, else the
    // next run's.
    const bool live = have_run_ && run_ && !snapshot_.finished();
    const std::optional<bool> pending = live && run_prediction_ ? run_prediction_ : prediction_;
    ImGui::SameLine();
    if (toggle_button(yes, pending && *pending)) predict(true);
    ImGui::SameLine();
    if (toggle_button(no, pending && !*pending)) predict(false);
}

void App::controls() {
    const lab::Scenario* sc = lab::find_scenario(scenario_);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(t("ui.receiver").c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.receiver.tip").c_str());
    for (trace::Receiver r : lab::kMatrixReceivers) {
        const std::string label = t("ui.receiver." + std::string(trace::name(r)));
        same_line_if_fits(ImGui::CalcTextSize(label.c_str()).x + ImGui::GetFrameHeight() * 1.5f);
        if (ImGui::RadioButton(label.c_str(), receiver_ == r)) receiver_ = r;
    }
    const std::string close_label = t("ui.close");
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    if (ImGui::GetContentRegionAvail().x < ImGui::CalcTextSize(close_label.c_str()).x + 40)
        ImGui::NewLine();
    ImGui::Checkbox(close_label.c_str(), &close_);
    if (sc && sc->sandbox) {
        ImGui::TextUnformatted(t("ui.worker").c_str());
        for (const auto& [w, name] : trace::Names<trace::Worker>::table) {
            ImGui::SameLine();
            if (ImGui::RadioButton((t("ui.worker." + std::string(name)) + "##w").c_str(),
                                   worker_ == w))
                worker_ = w;
        }
        ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
        ImGui::TextUnformatted(t("ui.connect_in").c_str());
        ImGui::BeginDisabled(worker_ == trace::Worker::none);
        for (const auto& [c, name] : trace::Names<trace::ConnectIn>::table) {
            ImGui::SameLine();
            if (ImGui::RadioButton((t("ui.connect_in." + std::string(name)) + "##c").c_str(),
                                   connect_in_ == c))
                connect_in_ = c;
        }
        ImGui::EndDisabled();
        const std::string wb = t("ui.with_block");
        same_line_if_fits(ImGui::CalcTextSize(wb.c_str()).x + 40);
        ImGui::Checkbox(wb.c_str(), &with_block_);
    }
    const bool live = have_run_ && run_ && !snapshot_.finished();
    ImGui::BeginDisabled(!server_);
    if (ImGui::Button(t(have_run_ ? "ui.run_again" : "ui.run").c_str())) start_run();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!live);
    if (ImGui::Button(t("ui.kill").c_str())) run_->kill();
    ImGui::EndDisabled();
    ImGui::SameLine(0, ImGui::GetFontSize() * 1.5f);
    step_controls();
    predict_controls();
}

void App::banner() {
    const Palette& pal = palette();
    ImU32 bg = pal.banner_idle;
    if (have_run_) switch (snapshot_.verdict.outcome) {
        case lab::Outcome::running:
            bg = snapshot_.timeline.shutdown_waiting_for() >= 0 ? pal.banner_waiting
                                                                : pal.banner_idle;
            break;
        case lab::Outcome::exited:
            bg = pal.banner_exited;
            break;
        case lab::Outcome::hung:
            bg = pal.banner_hung;
            break;
        default:
            bg = pal.banner_other;
            break;
        }
    // Text first, then the box behind it, sized to what was drawn.
    const std::vector<Lang> langs = content_langs();
    ImGui::PushStyleColor(ImGuiCol_Text, pal.banner_text);
    const Card card = begin_card(ImVec2(10, 6));
    if (ImGui::BeginTable("##banner", int(langs.size()), ImGuiTableFlags_SizingStretchSame,
                          ImVec2(ImGui::GetContentRegionAvail().x - 10, 0))) {
        ImGui::TableNextRow();
        for (Lang l : langs) {
            ImGui::TableNextColumn();
            std::vector<std::string> lines = banner_lines(l);
            ImGui::PushFont(fonts_.big);
            ImGui::TextWrapped("%s", lines[0].c_str());
            ImGui::PopFont();
            for (std::size_t i = 1; i < lines.size(); ++i)
                ImGui::TextWrapped("%s", lines[i].c_str());
            if (std::string pl = prediction_line(l); !pl.empty()) {
                ImGui::Spacing();
                ImGui::TextWrapped("%s", pl.c_str());
            }
        }
        ImGui::EndTable();
    }
    end_card(card, bg);
    ImGui::PopStyleColor();
}

// The legend, and at the right the export buttons; the status line under them.
void App::export_row() {
    TimelineText text{&content_.strings, ui_lang()};
    const std::string png = t("ui.export.png"), trace = t("ui.export.trace");
    const float buttons = button_width(png) + button_width(trace) + ImGui::GetStyle().ItemSpacing.x;
    const float right = ImGui::GetWindowContentRegionMax().x;
    timeline_.legend(text);
    // legend() ends the line; put the buttons at the right of it when they fit.
    const float legend_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    if (legend_end + buttons + 20 < right) {
        ImGui::SameLine(right - buttons);
        ImGui::SetCursorPosY(ImGui::GetCursorPosY() - ImGui::GetStyle().FramePadding.y);
    }
    ImGui::BeginDisabled(!have_run_);
    if (ImGui::Button(png.c_str())) export_png();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", f("ui.export.tip", {{"dir", export_dir_}}).c_str());
    ImGui::SameLine();
    if (ImGui::Button(trace.c_str())) export_trace();
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled))
        ImGui::SetTooltip("%s", f("ui.export.trace.tip", {{"dir", export_dir_}}).c_str());
    ImGui::EndDisabled();
    if (!status_.empty()) {
        ImGui::TextColored(status_error_ ? palette().error : palette().ok, "%s", status_.c_str());
        if (ImGui::IsItemClicked()) status_.clear();
    }
}

void App::matrix_pane() {
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(t("ui.matrix.title").c_str());
    ImGui::PopFont();
    ImGui::TextWrapped("%s", t("ui.matrix.intro").c_str());
    const bool busy = matrix_.started() && !matrix_.done();
    ImGui::BeginDisabled(busy || !server_);
    if (ImGui::Button(t(matrix_.started() ? "ui.matrix.run_again" : "ui.matrix.run").c_str()) &&
        server_)
        matrix_.start({server_->uri(), server_->ca_pem()}, lab::default_matrix_jobs(),
                      [] { glfwPostEmptyEvent(); });
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!busy);
    if (ImGui::Button(t("ui.kill").c_str())) matrix_.stop();
    ImGui::EndDisabled();
    if (matrix_.started()) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        char s[32];
        std::snprintf(s, sizeof s, "%.1f", matrix_.wall_ms() / 1000);
        ImGui::TextUnformatted(
            f("ui.matrix.progress", {{"done", std::to_string(matrix_.finished())},
                                     {"total", std::to_string(matrix_.cells().size())},
                                     {"running", std::to_string(matrix_.running())},
                                     {"s", s}})
                .c_str());
    }
    ImGui::TextDisabled("%s", t("ui.matrix.predicted_note").c_str());
    if (!matrix_.started()) {
        ImGui::TextDisabled("%s", t("ui.matrix.idle").c_str());
        return;
    }
    MatrixText text{&content_, ui_lang(), &learner_};
    ImGui::BeginChild("matrix_scroll");
    const int clicked = draw_matrix(matrix_, text);
    // How the predictions that exist fared.
    int checked = 0, agreed = 0;
    for (const MatrixCell& c : matrix_.cells()) {
        std::optional<lab::Outcome> expects = expected_outcome(c.options);
        if (!expects || !c.result) continue;
        ++checked;
        agreed += *expects == c.result->verdict.outcome;
    }
    if (checked) {
        ImGui::Spacing();
        ImGui::TextUnformatted(f("ui.matrix.summary", {{"agreed", std::to_string(agreed)},
                                                       {"checked", std::to_string(checked)}})
                                   .c_str());
    }
    ImGui::EndChild();
    if (clicked >= 0) open_cell(std::size_t(clicked));
}

void App::lab_view() {
    ImGuiIO& io = ImGui::GetIO();
    // Top: scenarios | lesson | code (resizable columns). Bottom: controls, banner, timeline.
    const float total = ImGui::GetContentRegionAvail().y;
    // Leave the timeline room for a run's lanes whatever the banner takes (measured last
    // frame): large text on a projector must not squeeze the timeline away.
    const float line = ImGui::GetTextLineHeight();
    const float timeline_min = line * 10.8f;
    const float top_h =
        std::max(std::max(std::min(120.0f, total * 0.3f), total * 0.2f),
                 std::min(total * settings_.top_fraction, total - bottom_fixed_h_ - timeline_min));
    if (ImGui::BeginTable("top", 3, ImGuiTableFlags_Resizable | ImGuiTableFlags_BordersInnerV,
                          ImVec2(0, top_h))) {
        ImGui::TableSetupColumn("s", ImGuiTableColumnFlags_WidthStretch, 0.18f);
        ImGui::TableSetupColumn("l", ImGuiTableColumnFlags_WidthStretch, 0.44f);
        ImGui::TableSetupColumn("c", ImGuiTableColumnFlags_WidthStretch, 0.38f);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::BeginChild("scenarios", ImVec2(0, top_h - 8));
        scenario_list();
        ImGui::EndChild();
        ImGui::TableNextColumn();
        ImGui::BeginChild("lesson", ImVec2(0, top_h - 8));
        lesson_pane();
        ImGui::EndChild();
        ImGui::TableNextColumn();
        ImGui::BeginChild("code", ImVec2(0, top_h - 8));
        code_pane();
        ImGui::EndChild();
        ImGui::EndTable();
    }
    // The splitter between top and bottom.
    ImGui::InvisibleButton("##split", ImVec2(-1, 6));
    if (ImGui::IsItemActive())
        settings_.top_fraction =
            std::clamp(settings_.top_fraction + io.MouseDelta.y / total, 0.15f, 0.8f);
    if (ImGui::IsItemHovered() || ImGui::IsItemActive())
        ImGui::SetMouseCursor(ImGuiMouseCursor_ResizeNS);
    {
        ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
        ImGui::GetWindowDrawList()->AddLine(ImVec2(a.x, (a.y + b.y) / 2),
                                            ImVec2(b.x, (a.y + b.y) / 2),
                                            ImGui::GetColorU32(ImGuiCol_Separator), 2);
    }
    const float bottom_start = ImGui::GetCursorPosY();
    controls();
    banner();
    export_row();
    bottom_fixed_h_ = ImGui::GetCursorPosY() - bottom_start;
    TimelineText text{&content_.strings, ui_lang()};
    RunView current, previous;
    if (have_run_) {
        current.run = &snapshot_;
        current.label = t("ui.current") + ": " + run_label(snapshot_);
        current.steps = step_marks(snapshot_, true);
    }
    if (previous_) {
        previous.run = &*previous_;
        previous.label = t("ui.previous") + ": " + run_label(*previous_);
        previous.steps = step_marks(*previous_, false);
    }
    timeline_.draw(current, previous, text);
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

void App::frame() {
    if (run_) snapshot_ = run_->snapshot();
    matrix_.poll();
    stepper_.update(step_lesson(), step_run());
    // A pause point the lesson does not talk about: nothing to show there, go on.
    if (run_ && stepper_.waiting_unknown()) {
        run_->go();
        stepper_.went_on();
    }
    if (stepper_.shown() != last_shown_) {
        last_shown_ = stepper_.shown();
        scroll_code_ = scroll_lesson_ = stepper_.shown() >= 0;
    }
    score();
    room_.follow(options(), have_run_ ? &snapshot_ : nullptr, step_lesson(), stepper_.shown(),
                 content_.strings); // room: the question, the run, the verdict

    ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)))
        settings_.font_scale = std::min(3.0f, settings_.font_scale + 0.1f), fonts_dirty_ = true;
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)))
        settings_.font_scale = std::max(0.6f, settings_.font_scale - 0.1f), fonts_dirty_ = true;
    if (ImGui::IsKeyPressed(GLFW_KEY_F11, false)) toggle_fullscreen();
    if (view_ == 0 && !io.WantTextInput && !io.KeyCtrl && !io.KeyAlt) {
        if (ImGui::IsKeyPressed(GLFW_KEY_RIGHT, false) ||
            ImGui::IsKeyPressed(GLFW_KEY_SPACE, false))
            next_step();
        if (ImGui::IsKeyPressed(GLFW_KEY_LEFT, false)) prev_step();
    }

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("DaemonLab", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
    toolbar();
    ImGui::Separator();
    if (view_ == 1)
        matrix_pane();
    else
        lab_view();
    ImGui::End();
    room_.window(content_.strings, ui_lang(), export_dir_, fonts_.big); // room:
}

// ---- scripted runs (--screenshot) ---------------------------------------------------------

bool App::screenshot_ready(double waited_ms) {
    const Flags& fl = flags_;
    bool ready = false;
    if (fl.matrix) {
        if (matrix_.done() && fl.open_cell && !opened_) {
            for (std::size_t i = 0; i < matrix_.cells().size(); ++i) {
                const lab::RunOptions& o = matrix_.cells()[i].options;
                if (*fl.open_cell == o.scenario + "," + std::string(trace::name(o.receiver)) + "," +
                                         (*o.close ? "close" : "no-close"))
                    open_cell(i);
            }
            opened_ = true;
        }
        ready = matrix_.done() || waited_ms > 120000;
    } else if (fl.walk) {
        ready = walk_done_ || waited_ms > fl.after_ms + 30000;
    } else if (fl.run && fl.step) { // a picture of the first pause (or of the end)
        ready = (stepper_.waiting() && waited_ms >= fl.after_ms) ||
                (have_run_ && snapshot_.finished()) || waited_ms > fl.after_ms + 10000;
    } else if (fl.run) {
        if (have_run_ && snapshot_.finished() && fl.then_receiver) { // the second run
            receiver_ = *trace::parse<trace::Receiver>(*flags_.then_receiver);
            flags_.then_receiver.reset();
            start_run();
            ready_frames_ = 0;
            return false;
        }
        ready = (have_run_ && snapshot_.finished() && waited_ms >= std::min(fl.after_ms, 200)) ||
                waited_ms > fl.after_ms + 10000;
    } else
        ready = waited_ms >= fl.after_ms;
    if (!ready) {
        ready_frames_ = 0;
        return false;
    }
    if (++ready_frames_ < 3) return false; // let the layout settle
    if ((fl.export_png || fl.export_trace) && !exports_done_) {
        if (fl.export_png) export_png();
        if (fl.export_trace) export_trace();
        exports_done_ = true;
        ready_frames_ = 1; // one more frame: the PNG is read after it is drawn
        return false;
    }
    return png_request_.empty();
}

void App::save_settings() {
    if (fullscreen_) {
        settings_.width = windowed_[2];
        settings_.height = windowed_[3];
    } else
        glfwGetWindowSize(window_, &settings_.width, &settings_.height);
    settings_.save();
}

json App::describe() const {
    auto lanes = [](const lab::RunState& s) {
        json out = json::array();
        for (const lab::Lane& l : s.timeline.lanes())
            out.push_back(
                {{"name", l.name}, {"daemon", l.daemon}, {"daemon_source", trace::name(l.source)}});
        return out;
    };
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    json step = nullptr;
    if (const lab::Lesson* lesson = step_lesson()) {
        json hits = json::array();
        for (const StepHit& hit : stepper_.hits())
            hits.push_back({{"step", hit.index + 1},
                            {"pause", hit.pause},
                            {"t_ms", double(hit.t_ns - snapshot_.spawned_ns) / 1e6},
                            {"tid", hit.tid}});
        step = {{"mode", step_mode_},
                {"shown", stepper_.shown() >= 0 ? json(stepper_.shown() + 1) : json(nullptr)},
                {"of", lesson->steps.size()},
                {"caption", step_caption()},
                {"status", step_status()},
                {"waiting", stepper_.waiting()},
                {"paused_at", have_run_ ? json(snapshot_.paused_at) : json(nullptr)},
                {"code_tab", drawn_.tab == 0 ? "python" : "cpp"},
                {"highlighted", drawn_.hot},
                {"pause_lines", drawn_.pause_lines},
                {"reached", hits}};
    }
    json walk = json::array();
    for (const WalkRecord& r : walk_) {
        // It went on: the thread that paused there did something after the pause.
        bool went_on = false;
        if (const lab::Lane* lane = snapshot_.timeline.lane(r.tid))
            for (const lab::Segment& s : lane->segments)
                if (s.t0 > r.t_ns && s.state != lab::ThreadState::paused) went_on = true;
        walk.push_back({{"step", r.step},
                        {"of", r.of},
                        {"caption", r.label},
                        {"pause", r.pause},
                        {"paused_at", r.paused_at},
                        {"thread_paused", r.thread_paused},
                        {"went_on", went_on},
                        {"t_ms", double(r.t_ns - snapshot_.spawned_ns) / 1e6},
                        {"python_lines", r.py},
                        {"cpp_lines", r.cpp},
                        {"pause_lines", r.pause_lines},
                        {"screenshot", r.shot}});
    }
    json prediction = nullptr;
    if (run_prediction_)
        prediction = {{"said", *run_prediction_ ? "exits" : "hangs"},
                      {"right", last_right_ ? json(*last_right_) : json(nullptr)},
                      {"line", prediction_line(ui_lang())}};
    json matrix = nullptr;
    if (matrix_.started()) {
        json cells = json::array();
        for (const MatrixCell& c : matrix_.cells()) {
            std::optional<lab::Outcome> expects = expected_outcome(c.options);
            cells.push_back(
                {{"scenario", c.options.scenario},
                 {"receiver", trace::name(c.options.receiver)},
                 {"close", lab::effective_close(c.options)},
                 {"verdict",
                  c.result ? json(lab::to_string(c.result->verdict.outcome)) : json(nullptr)},
                 {"predicted", expects ? json(lab::to_string(*expects)) : json(nullptr)}});
        }
        matrix = {{"done", matrix_.done()},
                  {"finished", matrix_.finished()},
                  {"wall_ms", matrix_.wall_ms()},
                  {"cells", cells}};
    }
    return {
        {"lang", settings_.lang},
        {"ui_lang", ui_lang() == Lang::zh ? "zh" : "en"},
        {"view", view_ == 1 ? "matrix" : "lab"},
        {"theme", settings_.theme},
        {"room", room_.describe()}, // room:
        {"fullscreen", fullscreen_},
        {"font_scale", settings_.font_scale},
        {"scenario", scenario_},
        {"receiver", trace::name(receiver_)},
        {"close", close_},
        {"banner", banner_lines()},
        {"verdict", have_run_ ? json(lab::to_string(snapshot_.verdict.outcome)) : json(nullptr)},
        {"lanes", have_run_ ? lanes(snapshot_) : json::array()},
        {"previous_lanes", previous_ ? lanes(*previous_) : json::array()},
        {"step", step},
        {"walk", walk},
        {"prediction", prediction},
        {"tally", {{"right", tally_right_}, {"total", tally_total_}}},
        {"matrix", matrix},
        {"exports", exports_},
        {"status", status_.empty() ? json(nullptr) : json(status_)},
        {"timeline_rect",
         {timeline_.rect_min().x, timeline_.rect_min().y, timeline_.rect_max().x,
          timeline_.rect_max().y}},
        {"fonts",
         {{"cjk", font_choice_.cjk.path.empty() ? json(nullptr) : json(font_choice_.cjk.path)},
          {"ui", font_choice_.sans.path},
          {"atlas_width", ImGui::GetIO().Fonts->TexWidth},
          {"atlas_height", ImGui::GetIO().Fonts->TexHeight}}},
        {"notice", notice_.empty() ? json(nullptr) : json(notice_)},
        {"content_errors", content_.errors},
        {"lessons", content_.lessons.size()},
        {"width", w},
        {"height", h}};
}

void set_icon(GLFWwindow* window) {
    for (const std::string& dir :
         {lab::content_dir() + "/../assets", std::string(DAEMONLAB_ASSETS_DIR)}) {
        int w, h, n;
        unsigned char* px = stbi_load((dir + "/daemonlab.png").c_str(), &w, &h, &n, 4);
        if (!px) continue;
        GLFWimage img{w, h, px};
        glfwSetWindowIcon(window, 1, &img);
        stbi_image_free(px);
        return;
    }
}

} // namespace

int main(int argc, char** argv) {
    Flags flags;
    if (std::string err = parse_flags(argc, argv, flags); !err.empty()) {
        std::fprintf(
            stderr,
            "daemonlab: %s\nusage: daemonlab [gui] [--scenario ID] [--lang zh|en|both] "
            "[--receiver inherit|daemon|non-daemon] [--close] [--run] [--step] "
            "[--then-receiver R] [--theme normal|high-contrast] [--fullscreen] "
            "[--size WxH] [--font-scale X] [--matrix [--open SCENARIO,RECEIVER,close|no-close]] "
            "[--predict yes|no] [--export-dir DIR] "
            "[--screenshot FILE.png [--after MS] [--walk] [--export png,trace]]\n",
            err.c_str());
        return 2;
    }
    glfwSetErrorCallback([](int code, const char* what) {
        std::fprintf(stderr, "daemonlab: GLFW %d: %s\n", code, what);
    });
    if (!glfwInit()) {
        std::fprintf(stderr, "daemonlab: cannot open a window (no display?). The terminal tool "
                             "works: daemonlab list\n");
        return 1;
    }
    const bool scripted = !flags.screenshot.empty();
    Settings settings = scripted ? Settings{} : Settings::load();
    if (scripted) settings.lang = Settings::locale_lang(); // no saved choice: the locale's
    if (scripted) settings.width = 1440, settings.height = 900;
    if (flags.width > 0) settings.width = flags.width, settings.height = flags.height;
    // Content, fonts and the echo server are made while the window is (see Prepared). The
    // atlas outlives the ImGui context that uses it.
    auto atlas = std::make_unique<ImFontAtlas>();
    std::optional<Prepared> prepared;
    std::thread preparing(
        [&, scale = flags.font_scale > 0 ? flags.font_scale : settings.font_scale] {
            prepared = prepare(*atlas, scale);
        });
    // OpenGL 3.3 core where it exists, else 3.0, else 2.1 (old Mesa, remote X).
    GLFWwindow* window = nullptr;
    const char* glsl = "#version 130";
    struct Try {
        int major, minor;
        bool core;
        const char* glsl;
    };
    for (Try t : {Try{3, 3, true, "#version 330 core"}, Try{3, 0, false, "#version 130"},
                  Try{2, 1, false, "#version 120"}}) {
        glfwDefaultWindowHints();
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, t.major);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, t.minor);
        if (t.core) glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
        glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE); // full screen stays up on a focus change
        window = glfwCreateWindow(settings.width, settings.height, "DaemonLab · 守护线程实验室",
                                  nullptr, nullptr);
        if (window) {
            glsl = t.glsl;
            break;
        }
    }
    preparing.join();
    if (!window) {
        glfwTerminate();
        std::fprintf(stderr, "daemonlab: no usable OpenGL context\n");
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    set_icon(window);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext(atlas.get());
    ImGui::GetIO().IniFilename = nullptr; // layout lives in settings.toml
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init(glsl);

    int rc = 0;
    {
        App app(window, settings, flags, std::move(*prepared));
        if (flags.run) app.start_run();
        const double started = glfwGetTime();
        int settle = 3; // frames to draw after an event, so ImGui's layout settles
        while (!glfwWindowShouldClose(window)) {
            if (scripted)
                glfwPollEvents();
            else if (settle > 0)
                glfwPollEvents(), --settle;
            else if (const double dt = app.frame_interval(); dt > 0)
                glfwWaitEventsTimeout(dt), settle = 1;
            else
                glfwWaitEvents(), settle = 2;

            app.before_frame();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            app.frame();
            ImGui::Render();
            int w, h;
            glfwGetFramebufferSize(window, &w, &h);
            glViewport(0, 0, w, h);
            const ImVec4 bg = palette().clear_color;
            glClearColor(bg.x, bg.y, bg.z, bg.w);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            app.after_render(w, h);
            if (scripted && app.screenshot_ready((glfwGetTime() - started) * 1000)) {
                std::string err = write_png(flags.screenshot, w, h);
                std::ofstream(flags.screenshot + ".json") << app.describe().dump(2) << "\n";
                if (!err.empty()) std::fprintf(stderr, "daemonlab: %s\n", err.c_str()), rc = 1;
                break;
            }
            glfwSwapBuffers(window);
        }
        if (!scripted) app.save_settings();
    } // the App's destructor kills a live demo and stops the echo server
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}

} // namespace gui
