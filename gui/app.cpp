// The desktop app. It owns the echo server and at most two runs (the live or latest one,
// and the one before it, kept for comparison); every frame it takes a snapshot of the run
// and draws it. It sleeps in glfwWaitEvents() until input arrives or the run's watcher
// thread posts an empty event (new trace events, the verdict).
#include "app.hpp"

#include "catalog.hpp"
#include "echo_server.hpp"
#include "fonts.hpp"
#include "lessons.hpp"
#include "markdown.hpp"
#include "runner.hpp"
#include "screenshot.hpp"
#include "settings.hpp"
#include "timeline_view.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <cstdio>
#include <fstream>
#include <imgui.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stb_image.h>
#include <string>
#include <vector>

namespace gui {
namespace {

using lab::Lang;

struct Flags {
    std::optional<std::string> scenario, lang, receiver, then_receiver;
    bool close = false, run = false;
    std::string screenshot;
    int after_ms = 1500;
};

// Parses `daemonlab [gui] [flags]`. Returns an error message, or "".
std::string parse_flags(int argc, char** argv, Flags& f) {
    int i = 1;
    if (i < argc && std::string(argv[i]) == "gui") ++i;
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
            if (!value(v) || (v != "inherit" && v != "daemon" && v != "non-daemon"))
                return "--receiver must be inherit, daemon or non-daemon";
            f.receiver = v;
        } else if (a == "--then-receiver") { // screenshot: a second run to compare with the first
            if (!value(v) || (v != "inherit" && v != "daemon" && v != "non-daemon"))
                return "--then-receiver must be inherit, daemon or non-daemon";
            f.then_receiver = v;
        } else if (a == "--close")
            f.close = true;
        else if (a == "--run")
            f.run = true;
        else if (a == "--screenshot") {
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
    return {};
}

// A heading over a part of the lesson (Dear ImGui 1.86 has no SeparatorText).
void section(const char* label) {
    ImGui::Spacing();
    ImGui::TextColored(ImVec4(0.55f, 0.78f, 1.0f, 1), "%s", label);
    ImGui::Separator();
}

class App {
  public:
    App(GLFWwindow* window, Settings settings, const Flags& flags);
    void frame();
    bool wants_fast_frames() const { return run_ && !snapshot_.finished(); }
    void save_settings();
    nlohmann::json describe() const; // what is on screen, for --screenshot
    bool verdict_ready() const { return run_ && snapshot_.finished(); }
    void start_run();
    void set_receiver(const std::string& r) { receiver_ = r; }

  private:
    std::string t(std::string_view key) const { return content_.strings.get(key, ui_lang()); }
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
    void banner();
    std::vector<std::string> banner_lines() const; // every language shown
    std::vector<std::string> banner_lines(Lang l) const;
    std::string run_label(const lab::RunState& s) const;
    lab::RunOptions options() const;
    void select(const std::string& id);
    void text_block(const lab::Text& text);

    GLFWwindow* window_;
    Settings settings_;
    lab::Content content_;
    std::string notice_;
    FontChoice font_choice_;
    Fonts fonts_;
    bool fonts_dirty_ = false;

    std::unique_ptr<lab::EchoServer> server_;
    std::string server_error_;
    std::unique_ptr<lab::Run> run_;
    lab::RunState snapshot_;
    std::optional<lab::RunState> previous_;

    std::string scenario_;
    std::string receiver_ = "inherit";
    bool close_ = false;
    std::string connect_in_ = "main", worker_ = "daemon";
    bool with_block_ = false;
    int code_tab_ = 0; // 0 Python, 1 C++
    TimelineView timeline_;
};

App::App(GLFWwindow* window, Settings settings, const Flags& flags)
    : window_(window), settings_(std::move(settings)) {
    content_ = lab::load_content(lab::content_dir());
    if (!content_.strings.load(lab::content_dir() + "/ui.toml"))
        content_.errors.push_back(content_.strings.error());
    if (flags.lang) settings_.lang = *flags.lang;
    font_choice_ = find_fonts();
    rebuild_fonts();
    if (!fonts_.has_cjk) notice_ = content_.strings.get("ui.notice.nocjk", Lang::en);
    if (!settings_.error.empty()) content_.errors.push_back(settings_.error);
    try {
        server_ = std::make_unique<lab::EchoServer>(lab::EchoServerOptions{.tls = true});
    } catch (const std::exception& e) {
        server_error_ = e.what();
    }
    select(flags.scenario.value_or(lab::find_scenario(settings_.scenario) ? settings_.scenario
                                                                          : "threaded-client"));
    if (flags.receiver) receiver_ = *flags.receiver;
    if (flags.close) close_ = true;
}

void App::rebuild_fonts() {
    // Every sentence the app can show, so the atlas has exactly those glyphs.
    std::vector<const std::string*> texts;
    for (const auto& [key, zh_en] : content_.strings.all()) {
        texts.push_back(&zh_en.first);
        texts.push_back(&zh_en.second);
    }
    auto add = [&](const lab::Text& x) {
        texts.push_back(&x.zh);
        texts.push_back(&x.en);
    };
    for (const lab::Lesson& l : content_.lessons) {
        for (const lab::Text* x : {&l.title, &l.summary, &l.why, &l.fix, &l.predict}) add(*x);
        for (const lab::Step& s : l.steps) add(s.text);
        for (const lab::Text& x : l.takeaways) add(x);
        texts.push_back(&l.python);
    }
    for (const lab::Page& p : content_.pages) add(p.title), add(p.body);
    for (const lab::Scenario& s : lab::catalog()) {
        static std::vector<std::string> sources; // string_view → string for the builder
        sources.emplace_back(s.cpp_source);
    }
    const float px = 17.0f * settings_.font_scale;
    fonts_ = build_fonts(font_choice_, px, texts);
    ImGui::GetStyle() = ImGuiStyle();
    ImGui::StyleColorsDark();
    ImGuiStyle& st = ImGui::GetStyle();
    st.WindowRounding = 0;
    st.FrameRounding = 4;
    st.ChildRounding = 4;
    st.FramePadding = ImVec2(8, 4);
    st.ItemSpacing = ImVec2(8, 6);
    st.Colors[ImGuiCol_WindowBg] = ImVec4(0.10f, 0.11f, 0.13f, 1);
    st.Colors[ImGuiCol_ChildBg] = ImVec4(0.13f, 0.14f, 0.17f, 1);
    st.ScaleAllSizes(settings_.font_scale);
}

void App::select(const std::string& id) {
    scenario_ = id;
    settings_.scenario = id;
    close_ = lab::effective_close({.scenario = id});
}

lab::RunOptions App::options() const {
    lab::RunOptions o{.scenario = scenario_, .receiver = receiver_, .close = close_};
    if (const lab::Scenario* s = lab::find_scenario(scenario_); s && s->sandbox) {
        o.connect_in = worker_ == "none" ? "main" : connect_in_;
        o.worker = worker_;
        o.with_block = with_block_;
    }
    return o;
}

void App::start_run() {
    if (!server_) return;
    if (run_) {
        run_.reset(); // kills a live demo and waits for it
        previous_ = snapshot_;
    }
    run_ = std::make_unique<lab::Run>(options(), lab::ServerInfo{server_->uri(), server_->ca_pem()},
                                      [] { glfwPostEmptyEvent(); });
    snapshot_ = run_->snapshot();
    timeline_.fit();
}

std::string App::run_label(const lab::RunState& s) const {
    Lang l = ui_lang();
    std::string receiver = content_.strings.get("ui.receiver." + s.options.receiver, l);
    return content_.strings.format(
        "ui.run_label", l,
        {{"scenario", s.options.scenario},
         {"receiver", receiver},
         {"close", t(lab::effective_close(s.options) ? "ui.closed_yes" : "ui.closed_no")},
         {"verdict", lab::to_string(s.verdict.outcome)}});
}

// The banner's sentences in one language: the headline, then why.
std::vector<std::string> App::banner_lines(Lang l) const {
    if (!server_) return {"echo server: " + server_error_};
    if (!run_) return {content_.strings.get("ui.idle", l)};
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
    ImGui::PushFont(fonts_.big);
    ImGui::TextUnformatted(t("app.title").c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    ImGui::TextDisabled("%s", t("app.subtitle").c_str());
    float right = ImGui::GetWindowContentRegionMax().x;
    float w = ImGui::CalcTextSize("中文 English 双语 A- A+").x +
              ImGui::GetStyle().FramePadding.x * 12 + ImGui::GetStyle().ItemSpacing.x * 5;
    ImGui::SameLine(right - w);
    ImGui::BeginDisabled(!fonts_.has_cjk);
    for (const char* code : {"zh", "en", "both"}) {
        if (std::string(code) == "en") ImGui::EndDisabled();
        bool on = settings_.lang == code;
        if (on)
            ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        if (ImGui::Button(content_.strings.get(std::string("lang.") + code, Lang::zh).c_str()))
            settings_.lang = code;
        if (on) ImGui::PopStyleColor();
        ImGui::SameLine();
        if (std::string(code) == "en") ImGui::BeginDisabled(!fonts_.has_cjk);
    }
    ImGui::EndDisabled();
    if (ImGui::Button(t("ui.font.smaller").c_str()))
        settings_.font_scale = std::max(0.6f, settings_.font_scale - 0.1f), fonts_dirty_ = true;
    ImGui::SameLine();
    if (ImGui::Button(t("ui.font.bigger").c_str()))
        settings_.font_scale = std::min(3.0f, settings_.font_scale + 0.1f), fonts_dirty_ = true;
    if (!notice_.empty()) ImGui::TextColored(ImVec4(1, 0.75f, 0.3f, 1), "%s", notice_.c_str());
    for (const std::string& e : content_.errors)
        ImGui::TextColored(
            ImVec4(1, 0.5f, 0.4f, 1), "%s",
            content_.strings.format("ui.notice.content", ui_lang(), {{"error", e}}).c_str());
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
        int i = 1;
        for (const lab::Step& s : lesson->steps) {
            ImGui::TextDisabled("%d/%zu", i++, lesson->steps.size());
            text_block(s.text);
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
        if (ImGui::BeginTabItem(t("ui.code.python").c_str())) code_tab_ = 0, ImGui::EndTabItem();
        if (ImGui::BeginTabItem(t("ui.code.cpp").c_str())) code_tab_ = 1, ImGui::EndTabItem();
        ImGui::EndTabBar();
    }
    std::string_view text;
    if (code_tab_ == 0) {
        if (lesson)
            text = lesson->python;
        else if (sc) { // the Python in the demo's header comment
            static std::string py;
            py.clear();
            std::string_view src = sc->cpp_source;
            for (std::size_t pos = 0; pos < src.size();) {
                std::size_t end = src.find('\n', pos);
                std::string_view line = src.substr(pos, end - pos);
                if (line.starts_with("//   "))
                    py += std::string(line.substr(5)) + "\n";
                else if (line == "//" && !py.empty())
                    py += "\n";
                if (end == std::string_view::npos) break;
                pos = end + 1;
            }
            text = py;
        }
    } else if (sc)
        text = sc->cpp_source;

    // Lines to highlight: where each thread last passed a pause point.
    std::vector<int> hot;
    std::vector<std::string> passed;
    for (const lab::Marker& m : snapshot_.timeline.markers())
        if (m.kind == lab::MarkKind::step) passed.push_back(m.text);
    if (!passed.empty()) {
        const std::string& last = passed.back();
        if (code_tab_ == 1) hot = lab::find_lines(text, "demo::step(\"" + last + "\")");
        if (lesson)
            for (const lab::Step& s : lesson->steps)
                if (s.pause == last)
                    for (const std::string& needle : code_tab_ == 0 ? s.py : s.cpp)
                        for (int n : lab::find_lines(text, needle)) hot.push_back(n);
    }
    ImGui::BeginChild("code_text", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImGui::PushFont(fonts_.mono);
    int n = 1;
    for (std::size_t pos = 0; pos <= text.size();) {
        std::size_t end = text.find('\n', pos);
        std::string_view line = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        bool is_hot = std::find(hot.begin(), hot.end(), n) != hot.end();
        ImVec2 p = ImGui::GetCursorScreenPos();
        if (is_hot)
            ImGui::GetWindowDrawList()->AddRectFilled(
                p, ImVec2(p.x + ImGui::GetContentRegionAvail().x, p.y + ImGui::GetTextLineHeight()),
                IM_COL32(241, 196, 15, 60));
        ImGui::TextDisabled("%3d", n);
        ImGui::SameLine();
        bool comment = line.find("//") != std::string_view::npos &&
                       line.find_first_not_of(' ') == line.find("//");
        if (comment || line.starts_with("#"))
            ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(120, 160, 120, 255));
        ImGui::TextUnformatted(line.data(), line.data() + line.size());
        if (comment || line.starts_with("#")) ImGui::PopStyleColor();
        if (end == std::string_view::npos) break;
        pos = end + 1;
        ++n;
    }
    ImGui::PopFont();
    ImGui::EndChild();
}

void App::controls() {
    const lab::Scenario* sc = lab::find_scenario(scenario_);
    ImGui::TextUnformatted(t("ui.receiver").c_str());
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", t("ui.receiver.tip").c_str());
    for (const char* r : {"inherit", "daemon", "non-daemon"}) {
        ImGui::SameLine();
        if (ImGui::RadioButton(t(std::string("ui.receiver.") + r).c_str(), receiver_ == r))
            receiver_ = r;
    }
    ImGui::SameLine(0, 30);
    ImGui::Checkbox(t("ui.close").c_str(), &close_);
    if (sc && sc->sandbox) {
        ImGui::TextUnformatted(t("ui.worker").c_str());
        for (const char* w : {"none", "daemon", "non-daemon"}) {
            ImGui::SameLine();
            if (ImGui::RadioButton((t(std::string("ui.worker.") + w) + "##w").c_str(),
                                   worker_ == w))
                worker_ = w;
        }
        ImGui::SameLine(0, 30);
        ImGui::TextUnformatted(t("ui.connect_in").c_str());
        ImGui::BeginDisabled(worker_ == "none");
        for (const char* c : {"main", "worker"}) {
            ImGui::SameLine();
            if (ImGui::RadioButton((t(std::string("ui.connect_in.") + c) + "##c").c_str(),
                                   connect_in_ == c))
                connect_in_ = c;
        }
        ImGui::EndDisabled();
        ImGui::SameLine(0, 30);
        ImGui::Checkbox(t("ui.with_block").c_str(), &with_block_);
    }
    const bool live = run_ && !snapshot_.finished();
    ImGui::BeginDisabled(!server_);
    if (ImGui::Button(t(run_ ? "ui.run_again" : "ui.run").c_str())) start_run();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!live);
    if (ImGui::Button(t("ui.kill").c_str())) run_->kill();
    ImGui::EndDisabled();
}

void App::banner() {
    ImU32 bg = IM_COL32(40, 60, 90, 255);
    if (run_) switch (snapshot_.verdict.outcome) {
        case lab::Outcome::running:
            bg = snapshot_.timeline.shutdown_waiting_for() >= 0 ? IM_COL32(110, 70, 20, 255)
                                                                : IM_COL32(40, 60, 90, 255);
            break;
        case lab::Outcome::exited:
            bg = IM_COL32(30, 90, 50, 255);
            break;
        case lab::Outcome::hung:
            bg = IM_COL32(120, 35, 35, 255);
            break;
        default:
            bg = IM_COL32(100, 80, 20, 255);
            break;
        }
    // Text first (channel 1), then the box behind it (channel 0), sized to what was drawn.
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const std::vector<Lang> langs = content_langs();
    ImGui::SetCursorScreenPos(ImVec2(p.x + 10, p.y + 6));
    ImGui::BeginGroup();
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
        }
        ImGui::EndTable();
    }
    ImGui::EndGroup();
    const ImVec2 end = ImGui::GetItemRectMax();
    dl->ChannelsSetCurrent(0);
    dl->AddRectFilled(
        p,
        ImVec2(p.x + ImGui::GetContentRegionAvail().x + (ImGui::GetCursorScreenPos().x - p.x),
               end.y + 6),
        bg, 6);
    dl->ChannelsMerge();
    ImGui::SetCursorScreenPos(ImVec2(p.x, end.y + 12));
}

void App::frame() {
    if (fonts_dirty_) {
        fonts_dirty_ = false;
        rebuild_fonts();
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    if (run_) snapshot_ = run_->snapshot();
    ImGuiIO& io = ImGui::GetIO();
    if (io.KeyCtrl && (ImGui::IsKeyPressed(GLFW_KEY_EQUAL) || ImGui::IsKeyPressed(GLFW_KEY_KP_ADD)))
        settings_.font_scale = std::min(3.0f, settings_.font_scale + 0.1f), fonts_dirty_ = true;
    if (io.KeyCtrl &&
        (ImGui::IsKeyPressed(GLFW_KEY_MINUS) || ImGui::IsKeyPressed(GLFW_KEY_KP_SUBTRACT)))
        settings_.font_scale = std::max(0.6f, settings_.font_scale - 0.1f), fonts_dirty_ = true;

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("DaemonLab", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoSavedSettings);
    toolbar();
    ImGui::Separator();

    // Top: scenarios | lesson | code (resizable columns). Bottom: controls, banner, timeline.
    const float total = ImGui::GetContentRegionAvail().y;
    const float top_h = std::max(120.0f, total * settings_.top_fraction);
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
                                            ImVec2(b.x, (a.y + b.y) / 2), IM_COL32(80, 85, 95, 255),
                                            2);
    }
    controls();
    banner();
    TimelineText text{&content_.strings, ui_lang()};
    timeline_.legend(text);
    timeline_.draw(run_ ? &snapshot_ : nullptr,
                   run_ ? t("ui.current") + ": " + run_label(snapshot_) : "",
                   previous_ ? &*previous_ : nullptr,
                   previous_ ? t("ui.previous") + ": " + run_label(*previous_) : "", text);
    ImGui::End();
}

void App::save_settings() {
    glfwGetWindowSize(window_, &settings_.width, &settings_.height);
    settings_.save();
}

nlohmann::json App::describe() const {
    using nlohmann::json;
    auto lanes = [](const lab::RunState& s) {
        json out = json::array();
        for (const lab::Lane& l : s.timeline.lanes())
            out.push_back(
                {{"name", l.name}, {"daemon", l.daemon}, {"daemon_source", l.daemon_source}});
        return out;
    };
    int w = 0, h = 0;
    glfwGetFramebufferSize(window_, &w, &h);
    return {{"lang", settings_.lang},
            {"ui_lang", ui_lang() == Lang::zh ? "zh" : "en"},
            {"scenario", scenario_},
            {"banner", banner_lines()},
            {"verdict", run_ ? json(lab::to_string(snapshot_.verdict.outcome)) : json(nullptr)},
            {"lanes", run_ ? lanes(snapshot_) : json::array()},
            {"previous_lanes", previous_ ? lanes(*previous_) : json::array()},
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
        std::fprintf(stderr,
                     "daemonlab: %s\nusage: daemonlab [gui] [--scenario ID] [--lang zh|en|both] "
                     "[--receiver inherit|daemon|non-daemon] [--close] [--run] [--then-receiver R] "
                     "[--screenshot FILE.png [--after MS]]\n",
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
    Settings settings = flags.screenshot.empty() ? Settings::load() : Settings{};
    if (!flags.screenshot.empty()) settings.width = 1440, settings.height = 900;
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
        if (!flags.screenshot.empty()) glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
        window = glfwCreateWindow(settings.width, settings.height, "DaemonLab · 守护线程实验室",
                                  nullptr, nullptr);
        if (window) {
            glsl = t.glsl;
            break;
        }
    }
    if (!window) {
        glfwTerminate();
        std::fprintf(stderr, "daemonlab: no usable OpenGL context\n");
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    set_icon(window);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGui::GetIO().IniFilename = nullptr; // layout lives in settings.toml
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init(glsl);

    int rc = 0;
    {
        App app(window, settings, flags);
        if (flags.run) app.start_run();
        const double started = glfwGetTime();
        int settle = 3;      // frames to draw after an event, so ImGui's layout settles
        int after_done = -1; // screenshot: frames since the verdict
        while (!glfwWindowShouldClose(window)) {
            if (!flags.screenshot.empty())
                glfwPollEvents();
            else if (settle > 0)
                glfwPollEvents(), --settle;
            else if (app.wants_fast_frames())
                glfwWaitEventsTimeout(1.0 / 30), settle = 1;
            else
                glfwWaitEvents(), settle = 2;

            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            ImGui::NewFrame();
            app.frame();
            ImGui::Render();
            int w, h;
            glfwGetFramebufferSize(window, &w, &h);
            glViewport(0, 0, w, h);
            glClearColor(0.10f, 0.11f, 0.13f, 1);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            if (!flags.screenshot.empty()) {
                if (app.verdict_ready() &&
                    flags.then_receiver) { // the second run, beside the first
                    app.set_receiver(*flags.then_receiver);
                    flags.then_receiver.reset();
                    app.start_run();
                }
                if (app.verdict_ready() && after_done < 0) after_done = 0;
                const double waited_ms = (glfwGetTime() - started) * 1000;
                const bool ready = flags.run ? (after_done >= 3 && waited_ms >= 200) ||
                                                   waited_ms > flags.after_ms + 10000
                                             : waited_ms >= flags.after_ms;
                if (after_done >= 0) ++after_done;
                if (ready && (!flags.run || waited_ms >= std::min(flags.after_ms, 200))) {
                    std::string err = write_png(flags.screenshot, w, h);
                    std::ofstream(flags.screenshot + ".json") << app.describe().dump(2) << "\n";
                    if (!err.empty()) std::fprintf(stderr, "daemonlab: %s\n", err.c_str()), rc = 1;
                    break;
                }
            }
            glfwSwapBuffers(window);
        }
        if (flags.screenshot.empty()) app.save_settings();
    } // the App's destructor kills a live demo and stops the echo server
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}

} // namespace gui
