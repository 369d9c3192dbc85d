// Scripted runs, the way the GUI tests drive the real app under Xvfb: --screenshot waits
// until the scene asked for is on screen (a run's verdict, the first pause, the end of the
// walk, the matrix), lets the layout settle, does the exports asked for, and then main
// writes the PNG and describe(): what was drawn, as JSON. --walk presses Next at every step
// after drawing its Python and then its C++, and records what was lit each time.
#include "gui/app/script_driver.hpp"

#include "gui/app/app.hpp"

#include "gui/picture/screenshot.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>

namespace gui {

using nlohmann::json;

// The scripted walk: at each step the demo waits at, show the Python, then the C++, record
// what was highlighted (as drawn), then (walk_after_render) picture it and press Next.
void ScriptDriver::walk_tick(App& app) {
    const lab::RunState* run = app.step_run();
    if (!run) return;
    if (run->finished()) {
        if (walk_phase_ == WalkPhase::start) walk_done_ = true;
        return;
    }
    if (app.stepper_.waiting_unknown()) return; // frame() lets those go
    const lab::Lesson* lesson = app.step_lesson();
    if (!lesson || !app.stepper_.waiting() || app.stepper_.hits().empty()) return;
    const StepHit& hit = app.stepper_.hits().back();
    const bool step_drawn = app.drawn_.step == int(hit.index);
    switch (walk_phase_) {
    case WalkPhase::start:
        walk_rec_ = {};
        app.want_tab_ = CodeTab::python;
        walk_phase_ = WalkPhase::python;
        walk_frames_ = 0;
        break;
    case WalkPhase::python:
        if (app.drawn_.tab == CodeTab::python && step_drawn && ++walk_frames_ >= 2) {
            walk_rec_.py = app.drawn_.hot;
            app.want_tab_ = CodeTab::cpp;
            walk_phase_ = WalkPhase::cpp;
            walk_frames_ = 0;
        }
        break;
    case WalkPhase::cpp:
        if (app.drawn_.tab == CodeTab::cpp && step_drawn && ++walk_frames_ >= 2) {
            walk_rec_.cpp = app.drawn_.hot;
            walk_rec_.pause_lines = app.drawn_.pause_lines;
            walk_rec_.step = int(hit.index) + 1;
            walk_rec_.of = int(lesson->steps.size());
            walk_rec_.label = app.step_caption();
            walk_rec_.pause = lesson->steps[hit.index].pause;
            walk_rec_.paused_at = run->paused_at;
            walk_rec_.t_ns = hit.t_ns;
            walk_rec_.tid = hit.tid;
            if (const lab::Lane* lane = run->timeline.lane(hit.tid); lane && lane->current())
                walk_rec_.thread_paused = lane->current()->state == lab::ThreadState::paused &&
                                          lane->current()->step == hit.pause;
            walk_phase_ = WalkPhase::recorded;
        }
        break;
    case WalkPhase::recorded:
        break;
    }
}

void ScriptDriver::after_render(App& app, int fb_w, int fb_h) {
    if (!flags_.walk || walk_done_) return;
    walk_tick(app);
    if (walk_phase_ != WalkPhase::recorded) return;
    // The step was recorded as drawn: picture it, then Next.
    if (flags_.scripted()) {
        std::string base = flags_.screenshot;
        if (base.ends_with(".png")) base.resize(base.size() - 4);
        walk_rec_.shot = base + "-step" + std::to_string(walk_rec_.step) + ".png";
        write_png(walk_rec_.shot, fb_w, fb_h);
    }
    walk_.push_back(walk_rec_);
    walk_phase_ = WalkPhase::start;
    app.next_step();
}

// --matrix --open SCENARIO,RECEIVER,close|no-close: once the matrix is done, open that cell.
void ScriptDriver::open_requested_cell(App& app) {
    if (opened_ || !flags_.open_cell || !app.matrix_.done()) return;
    for (std::size_t i = 0; i < app.matrix_.size(); ++i) {
        const lab::RunOptions& o = app.matrix_.options(i);
        if (*flags_.open_cell == o.scenario + "," + std::string(trace::name(o.receiver)) + "," +
                                     (lab::effective_close(o) ? "close" : "no-close"))
            app.open_cell(i);
    }
    opened_ = true;
}

namespace {

// The GLFW key of a script's key:NAME, or -1.
int script_key(const std::string& name) {
    if (name.size() == 1 && name[0] >= 'A' && name[0] <= 'Z') return GLFW_KEY_A + (name[0] - 'A');
    if (name == "Escape") return GLFW_KEY_ESCAPE;
    if (name == "Space") return GLFW_KEY_SPACE;
    return -1;
}

} // namespace

std::string script_step_error(const std::string& step) {
    if (step == "run" || step == "verdict" || step == "revealed") return {};
    if (step.starts_with("key:") && script_key(step.substr(4)) >= 0) return {};
    if (step.starts_with("click:") && step.size() > 6) return {};
    for (const std::string_view count : {"voters:", "attendees:"})
        if (step.starts_with(count) && step.size() > count.size() &&
            step.size() < count.size() + 5 &&
            step.find_first_not_of("0123456789", count.size()) == std::string::npos)
            return {};
    return "not a step: " + step +
           " (key:R, key:Escape, click:room.more, run, verdict, voters:N, attendees:N or "
           "revealed)";
}

bool ScriptDriver::script_step(App& app, const std::string& step) {
    ImGuiIO& io = ImGui::GetIO();
    if (step.starts_with("key:")) {
        io.KeysDown[script_key(step.substr(4))] = step_frame_ == 0;
        return ++step_frame_ >= 2;
    }
    if (step.starts_with("click:")) {
        const auto r = app.room_.item(step.substr(6));
        if (!r) return false; // not drawn (yet): wait for it
        io.MousePos = ImVec2(((*r)[0] + (*r)[2]) / 2, ((*r)[1] + (*r)[3]) / 2);
        io.MouseDown[0] = step_frame_ == 1; // moved there, pressed, released, then its effect
        return ++step_frame_ >= 4;
    }
    if (step == "run") {
        app.request_run();
        return true;
    }
    if (step == "verdict") return app.session_.has_run() && app.session_.current().finished();
    const nlohmann::json room = app.room_.describe();
    if (room.is_null()) return false;
    if (step == "revealed") return room["phase"] == "revealed";
    if (step.starts_with("attendees:"))
        return room["attendees"].get<int>() >= std::stoi(step.substr(10));
    // voters:N
    const int voters = room["said_exits"].get<int>() + room["said_hangs"].get<int>();
    return room["phase"] == "voting" && voters >= std::stoi(step.substr(7));
}

void ScriptDriver::before_frame(App& app) {
    if (script_done()) return;
    if (!script_step(app, flags_.script[step_])) return;
    const json room = app.room_.describe();
    script_log_.push_back(
        {{"step", flags_.script[step_]},
         {"t_ns", lab::monotonic_ns()}, // the host's clock (CLOCK_MONOTONIC), as a test's
         {"phase", room.is_null() ? json(nullptr) : room["phase"]},
         {"counting_down", room.is_null() ? json(nullptr) : room["counting_down"]},
         {"held", room.is_null() ? json(nullptr) : room["held"]},
         {"fixed", room.is_null() ? json(nullptr) : room["fixed"]}});
    ++step_;
    step_frame_ = 0;
}

bool ScriptDriver::ready(App& app, double waited_ms) {
    const Flags& fl = flags_;
    if (!script_done()) { // the presenter's steps first (a step that never comes: 60 s)
        ready_frames_ = 0;
        return waited_ms > fl.after_ms + 60000;
    }
    const bool finished = app.session_.has_run() && app.session_.current().finished() &&
                          !app.sweep_.active(); // "Run on every Python": all of them
    bool ready = false;
    if (fl.setup_python && (!app.setup_.state().started || app.setup_.state().running)) {
        ready_frames_ = 0; // "Set up real Python": until it has ended
        return waited_ms > 600000;
    }
    if (fl.attach) {
        ready = (app.attach_.settled() && waited_ms >= std::min(fl.after_ms, 200)) ||
                waited_ms > fl.after_ms + 30000;
    } else if (fl.matrix) {
        open_requested_cell(app);
        ready = app.matrix_.done() || waited_ms > 120000;
    } else if (fl.walk) {
        ready = walk_done_ || waited_ms > fl.after_ms + 30000;
    } else if (fl.run && fl.step) { // a picture of the first pause (or of the end)
        ready = (app.stepper_.waiting() && waited_ms >= fl.after_ms) || finished ||
                waited_ms > fl.after_ms + 10000;
    } else if (fl.run) {
        if (finished && fl.then_receiver) { // the second run
            app.next_.receiver = trace::parse<trace::Receiver>(*flags_.then_receiver).value();
            flags_.then_receiver.reset();
            app.start_run();
            ready_frames_ = 0;
            return false;
        }
        ready = (finished && waited_ms >= std::min(fl.after_ms, 200)) ||
                waited_ms > fl.after_ms + 10000;
    } else
        ready = waited_ms >= fl.after_ms;
    if (!ready) {
        ready_frames_ = 0;
        return false;
    }
    if (++ready_frames_ < 3) return false; // let the layout settle
    if ((fl.export_png || fl.export_trace) && !exports_done_) {
        if (fl.export_png) app.export_png();
        if (fl.export_trace) app.export_trace();
        exports_done_ = true;
        ready_frames_ = 1; // one more frame: the PNG is read after it is drawn
        return false;
    }
    return app.png_request_.empty();
}

namespace {

json lanes(const lab::RunState& s) {
    json out = json::array();
    for (const lab::Lane& l : s.timeline.lanes())
        out.push_back(
            {{"name", l.name}, {"daemon", l.daemon}, {"daemon_source", trace::name(l.source)}});
    return out;
}

} // namespace

json ScriptDriver::step_json(const App& app) const {
    const lab::RunState& run = app.session_.current(); // meaningful when app.session_.has_run()
    json step = nullptr;
    if (const lab::Lesson* lesson = app.step_lesson()) {
        json hits = json::array();
        for (const StepHit& hit : app.stepper_.hits())
            hits.push_back({{"step", hit.index + 1},
                            {"pause", hit.pause},
                            {"t_ms", double(hit.t_ns - run.spawned_ns) / 1e6},
                            {"tid", hit.tid}});
        step = {
            {"mode", app.next_.step},
            {"shown", app.stepper_.shown() >= 0 ? json(app.stepper_.shown() + 1) : json(nullptr)},
            {"of", lesson->steps.size()},
            {"caption", app.step_caption()},
            {"status", app.step_status()},
            {"waiting", app.stepper_.waiting()},
            {"paused_at", app.session_.has_run() ? json(run.paused_at) : json(nullptr)},
            {"code_tab", !app.drawn_.tab                      ? json(nullptr)
                         : *app.drawn_.tab == CodeTab::python ? json("python")
                                                              : json("cpp")},
            {"highlighted", app.drawn_.hot},
            {"pause_lines", app.drawn_.pause_lines},
            {"reached", hits}};
    }
    return step;
}

json ScriptDriver::walk_json(const App& app) const {
    const lab::RunState& run = app.session_.current(); // meaningful when app.session_.has_run()
    json walk = json::array();
    for (const WalkRecord& r : walk_) {
        // It went on: the thread that paused there did something after the pause.
        bool went_on = false;
        if (const lab::Lane* lane = run.timeline.lane(r.tid))
            for (const lab::Segment& s : lane->segments)
                if (s.t0 > r.t_ns && s.state != lab::ThreadState::paused) went_on = true;
        walk.push_back({{"step", r.step},
                        {"of", r.of},
                        {"caption", r.label},
                        {"pause", r.pause},
                        {"paused_at", r.paused_at},
                        {"thread_paused", r.thread_paused},
                        {"went_on", went_on},
                        {"t_ms", double(r.t_ns - run.spawned_ns) / 1e6},
                        {"python_lines", r.py},
                        {"cpp_lines", r.cpp},
                        {"pause_lines", r.pause_lines},
                        {"screenshot", r.shot}});
    }
    return walk;
}

json ScriptDriver::matrix_json(const App& app) const {
    json matrix = nullptr;
    if (app.matrix_.started()) {
        json cells = json::array();
        for (std::size_t i = 0; i < app.matrix_.size(); ++i) {
            const lab::RunOptions& o = app.matrix_.options(i);
            const lab::RunState* r = app.matrix_.result(i);
            const std::optional<lab::Outcome> expects = app.expected_outcome(o);
            cells.push_back(
                {{"scenario", o.scenario},
                 {"receiver", trace::name(o.receiver)},
                 {"close", lab::effective_close(o)},
                 {"verdict", r ? json(lab::to_string(r->verdict.outcome)) : json(nullptr)},
                 {"predicted", expects ? json(lab::to_string(*expects)) : json(nullptr)},
                 {"disagree", app.matrix_.disagree(i)},
                 {"small",
                  i < app.matrix_small_.size() ? json(app.matrix_small_[i]) : json(nullptr)}});
        }
        matrix = {{"done", app.matrix_.done()},
                  {"engine", trace::name(app.matrix_.engine())},
                  {"disagreements", app.matrix_.disagreements()},
                  {"finished", app.matrix_.finished()},
                  {"wall_ms", app.matrix_.wall_ms()},
                  {"cells", cells}};
    }
    return matrix;
}

json ScriptDriver::layout_json(const App& app) const {
    // Where things were drawn (logical pixels), for the projector-layout test: the toolbar's
    // items, the banner, the timeline pane and every text the timeline drew with its region.
    auto r4 = [](float x0, float y0, float x1, float y1) { return json::array({x0, y0, x1, y1}); };
    json toolbar = json::array();
    for (const App::Placed& p : app.toolbar_items_)
        toolbar.push_back({{"what", p.what}, {"rect", r4(p.min.x, p.min.y, p.max.x, p.max.y)}});
    json controls = json::array();
    for (const App::Placed& p : app.control_items_)
        controls.push_back({{"what", p.what}, {"rect", r4(p.min.x, p.min.y, p.max.x, p.max.y)}});
    json texts = json::array();
    for (const DrawnText& d : app.timeline_.drawn())
        texts.push_back({{"what", d.what},
                         {"text", d.text},
                         {"rect", r4(d.rect.x, d.rect.y, d.rect.z, d.rect.w)},
                         {"region", r4(d.region.x, d.region.y, d.region.z, d.region.w)}});
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    json layout = {{"window", json::array({display.x, display.y})},
                   {"toolbar", toolbar},
                   {"controls", controls},
                   {"banner", r4(app.banner_rect_.x, app.banner_rect_.y, app.banner_rect_.z,
                                 app.banner_rect_.w)},
                   {"timeline",
                    {{"pane", r4(app.timeline_.rect_min().x, app.timeline_.rect_min().y,
                                 app.timeline_.rect_max().x, app.timeline_.rect_max().y)},
                     {"content_height", app.timeline_.content_height()},
                     {"texts", texts}}},
                   {"code",
                    {{"pane", r4(app.code_box_.pane.x, app.code_box_.pane.y, app.code_box_.pane.z,
                                 app.code_box_.pane.w)},
                     {"line_step", app.code_box_.line_step},
                     {"text_right", app.code_box_.text_right}}}};
    return layout;
}

// The interpreter picker (what it lists, where it was drawn) and "Run on every Python"'s runs.
json ScriptDriver::python_json(const App& app) const {
    json choices = json::array(), items = json::array(), every = json::array();
    if (app.pythons_)
        for (const PythonChoice& c : *app.pythons_)
            choices.push_back(
                {{"path", c.path}, {"where", c.where}, {"label", app.python_label(c)}});
    for (const auto& it : app.python_items_)
        items.push_back({{"what", it.what}, {"rect", {it.min.x, it.min.y, it.max.x, it.max.y}}});
    if (app.session_.has_run() && app.sweep_.owns(app.session_.serial())) {
        std::vector<const lab::RunState*> runs;
        for (const lab::RunState& r : app.sweep_.done()) runs.push_back(&r);
        runs.push_back(&app.session_.current());
        for (const lab::RunState* r : runs)
            every.push_back(
                {{"python", r->options.python},
                 {"version", r->python.version},
                 {"websockets", r->python.websockets},
                 {"verdict", lab::to_string(r->verdict.outcome)},
                 {"killed_by", r->verdict.killed_by ? json(lab::to_string(*r->verdict.killed_by))
                                                    : json(nullptr)},
                 {"lanes", lanes(*r)}});
    }
    const SetupJob::State st = app.setup_.state();
    json made = json::array();
    for (const lab::RealPython& r : st.made)
        made.push_back({{"websockets", r.websockets}, {"python", r.python}, {"reused", r.reused}});
    const json setup = {{"started", st.started}, {"running", st.running},     {"share", st.share},
                        {"error", st.error},     {"cancelled", st.cancelled}, {"made", made}};
    return {{"selected", app.next_.python},
            {"setup", setup},
            {"choices", choices},
            {"drawn", items},
            {"every", every},
            {"sweeping", app.sweep_.active()}};
}

json ScriptDriver::describe(const App& app) const {
    const lab::RunState& run = app.session_.current(); // meaningful when app.session_.has_run()
    int w = 0, h = 0;
    glfwGetFramebufferSize(app.window_, &w, &h);
    json prediction = nullptr;
    if (app.quiz_.said())
        prediction = {{"said", *app.quiz_.said() ? "exits" : "hangs"},
                      {"right", app.quiz_.right() ? json(*app.quiz_.right()) : json(nullptr)},
                      {"line", app.prediction_line(app.ui_lang())}};
    const lab::RunState* previous = app.session_.previous();
    const std::string status = app.status_.text(app.content_.strings, app.content_langs());
    return {{"layout", layout_json(app)},
            {"lang", app.settings_.lang},
            {"text", text_},
            {"ui_lang", app.ui_lang() == lab::Lang::zh ? "zh" : "en"},
            {"view", app.view_ == View::matrix ? "matrix" : "lab"},
            {"theme", app.settings_.theme},
            {"room", app.room_.describe()},
            {"attach", app.attach_.describe()},
            {"fullscreen", app.fullscreen_},
            {"font_scale", app.settings_.font_scale},
            {"scenario", app.next_.scenario},
            {"receiver", trace::name(app.next_.receiver)},
            {"close", lab::effective_close(app.next_)},
            {"banner", app.banner_lines()},
            {"verdict",
             app.session_.has_run() ? json(lab::to_string(run.verdict.outcome)) : json(nullptr)},
            // The demo's process id (gone by now when the app killed it on the way out).
            {"pid", app.session_.has_run() && run.pid > 0 ? json(run.pid) : json(nullptr)},
            // Its process still ran then (a hang is kept alive: RunOptions::keep_hung_ms).
            {"alive", app.session_.has_run() && run.alive},
            {"lanes", app.session_.has_run() ? lanes(run) : json::array()},
            {"previous_lanes", previous ? lanes(*previous) : json::array()},
            {"step", step_json(app)},
            {"walk", walk_json(app)},
            {"prediction", prediction},
            {"script",
             {{"done", script_done()},
              {"steps", script_log_},
              {"stuck_at", script_done() ? json(nullptr) : json(flags_.script[step_])}}},
            {"tally", {{"right", app.quiz_.right_count()}, {"total", app.quiz_.total()}}},
            {"matrix", matrix_json(app)},
            {"python", python_json(app)},
            {"exports", app.exports_},
            {"status", status.empty() ? json(nullptr) : json(status)},
            {"timeline_rect",
             {app.timeline_.rect_min().x, app.timeline_.rect_min().y, app.timeline_.rect_max().x,
              app.timeline_.rect_max().y}},
            {"fonts",
             {{"cjk",
               app.font_choice_.cjk.path.empty() ? json(nullptr) : json(app.font_choice_.cjk.path)},
              {"ui", app.font_choice_.sans.path},
              {"quotes", app.font_choice_.quotes.path},
              // How wide “ is, in ems: a Latin quote is under half an em, a CJK one a whole.
              {"quote_advance_em",
               [] {
                   ImFont* f = ImGui::GetIO().Fonts->Fonts.empty() ? nullptr
                                                                   : ImGui::GetIO().Fonts->Fonts[0];
                   const ImFontGlyph* g = f ? f->FindGlyphNoFallback(0x201C) : nullptr;
                   return g && f->FontSize > 0 ? json(g->AdvanceX / f->FontSize) : json(nullptr);
               }()},
              {"atlas_width", ImGui::GetIO().Fonts->TexWidth},
              {"atlas_height", ImGui::GetIO().Fonts->TexHeight}}},
            {"notice", app.notice_.empty() ? json(nullptr) : json(app.notice_)},
            {"content_errors", app.content_.errors},
            {"lessons", app.content_.lessons.size()},
            {"width", w},
            {"height", h}};
}

} // namespace gui
