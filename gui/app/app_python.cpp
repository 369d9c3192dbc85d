// The CPython engine's interpreter (python_sweep.hpp): the picker beside the engine switch,
// and "Run on every Python": the program (or lesson) on one interpreter of each version in
// turn, the runs drawn one above the other — "does it exit on 3.9? on 3.13?".
#include "gui/app/app.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/run/setup_python.hpp"

#include <filesystem>
#include <imgui.h>

namespace gui {

std::vector<PythonChoice> python_choices() {
    std::vector<PythonChoice> out;
    for (const lab::Interpreter& i : lab::find_interpreters())
        out.push_back({i.path, i.version, i.where, {}});
    for (const lab::RealPython& r : lab::real_pythons())
        out.push_back({r.python, {}, "real", r.websockets});
    return out;
}

// "Python 3.11.2 (pyenv)", or "websockets 12.0 (real)" for an environment of ours.
std::string App::python_label(const PythonChoice& c) const {
    const TimelineText text = timeline_text();
    if (c.where == "real")
        return c.websockets.empty() ? text.get("ui.python.real.newest")
                                    : text.format("ui.python.real", {{"version", c.websockets}});
    return "Python " + c.version + " (" + c.where + ")";
}

// Beside the engine switch, when the engine is CPython: which interpreter, and the sweep.
void App::python_controls() {
    python_items_.clear();
    if (!own_program() && next_.engine != trace::Engine::cpython) return;
    if (!pythons_) pythons_ = python_choices();
    const float font = ImGui::GetFontSize();
    const std::string caption = label("ui.python");
    const PythonChoice* chosen = picked();
    // A path given on the command line that is none of the list: as it is.
    const std::string preview = chosen ? python_label(*chosen) : next_.python;
    const float combo_w = std::max(font * 9, text_width(preview) + ImGui::GetFrameHeight() * 1.6f);
    same_line_if_fits(text_width(caption) + combo_w);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(caption.c_str());
    tip(t("ui.python.tip"));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(combo_w);
    if (ImGui::BeginCombo("##python", preview.c_str())) {
        for (std::size_t i = 0; i < pythons_->size(); ++i) {
            const PythonChoice& c = (*pythons_)[i];
            const std::string item = python_label(c) + "##py" + std::to_string(i);
            if (ImGui::Selectable(item.c_str(), &c == chosen)) next_.python = c.path;
            tip(c.path);
        }
        if (pythons_->empty()) ImGui::TextDisabled("%s", t("ui.python.none").c_str());
        ImGui::EndCombo();
    }
    note_python("python.picker");
    const std::string every = label("ui.python.every");
    same_line_if_fits(text_width(every) + ImGui::GetStyle().FramePadding.x * 2);
    // A sweep starts only when the echo server is up and nothing else runs.
    const bool sweep_blocked =
        !server_ || sweep_.active() || (session_.live() && !session_.current().finished());
    ImGui::BeginDisabled(sweep_blocked);
    if (ImGui::Button(every.c_str())) run_on_every_python();
    ImGui::EndDisabled();
    note_python("python.every");
    tip(t("ui.python.every.tip"), true);
    if (real_pair().size() == 2) { // the real 12.0 and 13.0, one above the other
        const std::string pair = label("ui.python.real.pair");
        same_line_if_fits(text_width(pair) + ImGui::GetStyle().FramePadding.x * 2);
        ImGui::BeginDisabled(sweep_blocked);
        if (ImGui::Button(pair.c_str())) run_on_real_websockets();
        ImGui::EndDisabled();
        note_python("python.real-pair");
        tip(t("ui.python.real.pair.tip"), true);
    }
    const std::string setup = label("ui.setup");
    same_line_if_fits(text_width(setup) + ImGui::GetStyle().FramePadding.x * 2);
    ImGui::BeginDisabled(setup_.state().running);
    if (ImGui::Button(setup.c_str())) setup_real_python();
    ImGui::EndDisabled();
    note_python("python.setup");
    tip(t("ui.setup.tip"), true);
    // The rest of the controls follow on this line when Run, Kill and Output still fit on it
    // (the buttons after them wrap on their own); else on the next.
    const ImGuiStyle& style = ImGui::GetStyle();
    float rest = font * 1.5f;
    for (const char* key : {"ui.run_again", "ui.kill", "ui.output"})
        rest += text_width(label(key)) + style.FramePadding.x * 2 + style.ItemSpacing.x;
    ImGui::SameLine(0, font * 1.5f);
    if (ImGui::GetContentRegionAvail().x < rest) ImGui::NewLine();
}

// "Set up real Python": the environments of setup-python, made from the interpreter picked
// (from local wheels with find_links: the tests, offline).
void App::setup_real_python(const std::string& find_links) {
    lab::SetupOptions o;
    o.python = next_.python.empty() ? std::string("python3") : next_.python;
    if (!find_links.empty()) o.find_links = find_links;
    setup_seen_ = false;
    setup_.start(std::move(o));
}

// Under the controls while a set-up runs or has just ended: its bar and its step, then what
// it made (now in the picker) or what went wrong.
void App::setup_status() {
    const SetupJob::State st = setup_.state();
    if (!st.started) return;
    if (st.running) {
        ImGui::ProgressBar(float(st.share), ImVec2(ImGui::GetFontSize() * 14, 0));
        ImGui::SameLine();
        if (ImGui::Button(label("ui.setup.cancel").c_str())) setup_.cancel();
        note_python("python.setup.cancel");
        tip(t("ui.setup.cancel.tip"), true);
        ImGui::SameLine();
        ImGui::TextUnformatted((label("ui.setup.running") + "  " + st.line).c_str());
        return;
    }
    if (st.cancelled) {
        text_wrapped(label("ui.setup.cancelled"));
        return;
    }
    if (!st.error.empty()) {
        ImGui::PushStyleColor(ImGuiCol_Text, palette().error);
        text_wrapped(timeline_text().format("ui.setup.failed", {{"error", st.error}}));
        ImGui::PopStyleColor();
        return;
    }
    if (!setup_seen_) { // once: the picker lists the new environments
        pythons_ = python_choices();
        setup_seen_ = true;
    }
    std::string made;
    for (const lab::RealPython& r : st.made) made += (made.empty() ? "" : ", ") + r.websockets;
    ImGui::PushStyleColor(ImGuiCol_Text, palette().ok);
    text_wrapped(timeline_text().format("ui.setup.done", {{"versions", made}}));
    ImGui::PopStyleColor();
}

// The picker's entry of the interpreter the next run uses: the same path, else the same file
// (/usr/bin/python3 is /usr/bin/python3.11; not an environment, whose python links to its
// base interpreter but runs with its own packages).
const PythonChoice* App::picked() const {
    if (!pythons_) return nullptr;
    for (const PythonChoice& c : *pythons_)
        if (c.path == next_.python) return &c;
    std::error_code ec;
    for (const PythonChoice& c : *pythons_)
        if (c.where != "real" && c.where != "venv" &&
            std::filesystem::equivalent(c.path, next_.python, ec) && !ec)
            return &c;
    return nullptr;
}

void App::note_python(const std::string& what) {
    python_items_.push_back({what, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
}

void App::run_on_every_python() {
    std::vector<lab::Interpreter> todo = lab::one_per_version();
    if (todo.empty()) {
        notice_ = t("ui.python.none");
        return;
    }
    sweep(std::move(todo));
}

// The environments with the real websockets 12.0 and 13.0 ("Set up real Python" made them),
// as interpreters to sweep; fewer than two when they are not there.
std::vector<lab::Interpreter> App::real_pair() const {
    std::vector<lab::Interpreter> out;
    if (!pythons_) return out;
    for (const char* v : {"12.0", "13.0"})
        for (const PythonChoice& c : *pythons_)
            if (c.where == "real" && c.websockets == v) {
                out.push_back({c.path, c.version, 0, c.where});
                break;
            }
    return out;
}

void App::run_on_real_websockets() {
    if (!pythons_) pythons_ = python_choices();
    std::vector<lab::Interpreter> todo = real_pair();
    if (todo.size() < 2) {
        notice_ = t("ui.python.real.missing");
        return;
    }
    sweep(std::move(todo));
}

void App::sweep(std::vector<lab::Interpreter> todo) {
    compare_next_ = false;
    sweep_.begin(std::move(todo));
    sweep_launch();
}

// The sweep's next run; the one before it (now the previous run, ended) is kept.
void App::sweep_launch() {
    next_.python = sweep_.current().path;
    const bool kept_before = sweep_.index() > 0;
    const std::uint64_t before = session_.serial();
    // The run before, a hang kept alive, is ended by DaemonLab: the sweep moves on (not "killed
    // by you": nobody pressed Kill).
    if (kept_before) session_.end_kept_hang();
    start_run();
    if (session_.serial() == before) return sweep_.stop(); // it could not start: said why
    if (kept_before)
        if (const lab::RunState* ended = session_.previous()) sweep_.keep(*ended);
    sweep_.started(session_.serial());
}

// Once a frame: when the sweep's run has its verdict, the next interpreter. A run of the
// user's in between ends the sweep.
void App::sweep_tick() {
    if (!sweep_.active() || !session_.has_run()) return;
    if (!sweep_.owns(session_.serial())) return sweep_.stop();
    if (!session_.current().finished()) return;
    if (sweep_.advance()) sweep_launch();
}

// While the run on show is the sweep's last: all the sweep's runs, oldest Python first, each
// labelled with its interpreter. Empty otherwise (the usual two runs then).
std::vector<RunView> App::sweep_views() const {
    std::vector<RunView> views;
    if (!session_.has_run() || !sweep_.owns(session_.serial())) return views;
    for (const lab::RunState& r : sweep_.done()) views.push_back(run_view(r, false));
    views.push_back(run_view(session_.current(), true));
    for (RunView& v : views) v.label = run_label(*v.run); // each names its interpreter
    return views;
}

// The sweep's runs one above the other (sweep_views). False: nothing drawn.
bool App::sweep_timeline(const TimelineText& text, float height) {
    const std::vector<RunView> views = sweep_views();
    if (views.empty()) return false;
    std::vector<const RunView*> runs;
    for (const RunView& v : views) runs.push_back(&v);
    timeline_.draw(runs, text, height);
    return true;
}

} // namespace gui
