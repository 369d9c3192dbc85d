// Export: the whole timeline rendered off-screen as a PNG (both runs, the legend, the
// settings and the verdict, at a width of its own: offscreen.hpp), or the run as Chrome trace
// JSON (for Perfetto / chrome://tracing), into a folder the user chooses and the settings
// remember. The buttons sit at the right of the legend row; the status line under them says
// where the file went, or why not, in the languages on show.
#include "gui/app/app.hpp"

#include "gui/picture/export_files.hpp"
#include "gui/picture/offscreen.hpp"
#include "gui/text/line_break.hpp"
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "lab/term/export.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <imgui.h>
#include <imgui_stdlib.h>
#include <utility>

namespace gui {

using nlohmann::json;

namespace {

// The file name's stem: the scenario and the settings of the run on show, and its verdict.
std::string export_stem(const lab::RunState& run) {
    std::string stem = run.options.scenario;
    if (!run.options.program.empty()) { // the program's file name, safe in a file name
        stem = std::filesystem::path(run.options.program).stem().string();
        for (char& c : stem)
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
        if (stem.empty() || stem == "program") stem = "program";
    }
    stem += "-" + std::string(trace::name(run.options.receiver));
    stem += lab::effective_close(run.options) ? "-close" : "-no-close";
    if (run.options.step) stem += "-step";
    if (run.finished()) stem += "-" + std::string(lab::to_string(run.verdict.outcome));
    return stem;
}

bool is_dir(const std::string& p) {
    std::error_code ec;
    return !p.empty() && std::filesystem::is_directory(p, ec);
}

// The legend as the export draws it: a swatch and a word for each state.
float paint_legend(ImDrawList* dl, ImVec2 a, float width, const TimelineText& text) {
    const Palette& p = palette();
    const std::pair<ImU32, const char*> items[] = {
        {p.running, "legend.running"}, {p.socket, "legend.socket"}, {p.message, "legend.message"},
        {p.join, "legend.join"},       {p.paused, "legend.paused"}, {p.other, "legend.other"}};
    const float s = ImGui::GetTextLineHeight();
    float x = a.x, y = a.y;
    for (const auto& [c, key] : items) {
        const std::string label = text.get(key);
        const float w = s * 1.8f + ImGui::CalcTextSize(label.c_str()).x + s;
        if (x > a.x && x + w > a.x + width) {
            x = a.x;
            y += s * 1.3f;
        }
        dl->AddRectFilled(ImVec2(x, y + s * 0.2f), ImVec2(x + s * 1.4f, y + s * 0.8f), c, 2);
        dl->AddText(ImVec2(x + s * 1.8f, y), p.header_text, label.c_str());
        x += w;
    }
    return y + s * 1.3f - a.y;
}

} // namespace

// The legend, the paused-time toggle, and at the right the export buttons; the status line
// under them.
void App::export_row() {
    const TimelineText text = timeline_text();
    const std::string png = text.get("ui.export.png"), trace = text.get("ui.export.trace"),
                      more = text.get("timeline.settings");
    const float buttons = button_width(png) + button_width(trace) + button_width(more) +
                          2 * ImGui::GetStyle().ItemSpacing.x;
    const float right = ImGui::GetWindowContentRegionMax().x;
    timeline_.legend(text);
    same_line_if_fits(ImGui::GetFrameHeight() * 1.5f +
                      ImGui::CalcTextSize(text.get("timeline.show-paused").c_str()).x);
    ImGui::Checkbox(text.get("timeline.show-paused").c_str(), &timeline_.show_paused);
    tip(text.get("timeline.show-paused.tip"));
    // Put the buttons at the right of the row when they fit, else on the next line.
    const float row_end = ImGui::GetItemRectMax().x - ImGui::GetWindowPos().x;
    if (row_end + buttons + 20 < right) {
        ImGui::SameLine(right - buttons);
    }
    ImGui::BeginDisabled(!session_.has_run());
    if (ImGui::Button(png.c_str())) export_png();
    note_control("export.png");
    tip(text.format("ui.export.tip", {{"dir", export_dir_}}), true);
    ImGui::SameLine();
    if (ImGui::Button(trace.c_str())) export_trace();
    note_control("export.trace");
    tip(text.format("ui.export.trace.tip", {{"dir", export_dir_}}), true);
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button(more.c_str())) ImGui::OpenPopup("##export-settings");
    note_control("export.settings");
    if (ImGui::BeginPopup("##export-settings")) {
        ImGui::TextUnformatted(text.get("timeline.folder").c_str());
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 28);
        if (ImGui::InputText("##folder", &export_dir_)) settings_.export_dir = export_dir_;
        tip(text.get("timeline.folder.tip"));
        if (!is_dir(export_dir_))
            ImGui::TextColored(
                palette().error, "%s",
                text.format("timeline.folder.missing", {{"dir", export_dir_}}).c_str());
        ImGui::Spacing();
        ImGui::TextUnformatted(text.get("timeline.hang-limit").c_str());
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 14);
        // The value written in, in each language on show ("30 秒 / 30 s"): a format made
        // from text with one "%d" per language would read arguments never passed (issue 24).
        const std::string fmt = printf_literal(
            text.format("timeline.seconds", {{"n", std::to_string(settings_.keep_hung_s)}}));
        ImGui::SliderInt("##keep", &settings_.keep_hung_s, 1, 600, fmt.c_str(),
                         ImGuiSliderFlags_AlwaysClamp | ImGuiSliderFlags_Logarithmic);
        tip(text.get("timeline.hang-limit.tip"));
        ImGui::EndPopup();
    }
    // The status, worded now from its parts: it follows a change of language.
    if (const std::string status = status_.text(content_.strings, text.langs); !status.empty()) {
        ImGui::TextColored(status_.error() ? palette().error : palette().ok, "%s", status.c_str());
        if (ImGui::IsItemClicked()) status_.clear();
    }
}

// The export's line of settings in one language: a lesson's scenario, receiver and close; a
// program's interpreter (and websockets, and the receiver, when it has websockets).
std::string App::export_settings(const lab::RunState& run, lab::Lang l,
                                 const std::string& date) const {
    const lab::Strings& s = content_.strings;
    const std::string receiver =
        s.get("ui.receiver." + std::string(trace::name(run.options.receiver)), l);
    if (!run.options.program.empty()) {
        std::string python = run.python.python.empty() ? run.options.python : run.python.python;
        if (!run.python.version.empty()) python += " " + run.python.version;
        const std::string ws =
            run.python.websockets.empty()
                ? ""
                : s.format("timeline.export.websockets", l,
                           {{"version", run.python.websockets}, {"receiver", receiver}});
        return s.format("timeline.export.settings.program", l,
                        {{"python", python}, {"websockets", ws}, {"date", date}});
    }
    return s.format(
        "timeline.export.settings", l,
        {{"scenario", run.options.scenario},
         {"receiver", receiver},
         {"close", s.get(lab::effective_close(run.options) ? "ui.closed_yes" : "ui.closed_no", l)},
         {"date", date}});
}

void App::export_png() {
    if (!session_.has_run()) return;
    const std::string every = sweep_views().empty() ? "" : "-every-python";
    png_request_ = timestamped_path(export_dir_, export_stem(session_.current()) + every, ".png");
}

void App::export_trace() {
    if (!session_.has_run()) return;
    const lab::RunState& run = session_.current();
    const std::string path = timestamped_path(export_dir_, export_stem(run), ".trace.json");
    const std::string err = is_dir(export_dir_)
                                ? lab::write_chrome_trace(run, path, &content_.strings)
                                : "no such folder: " + export_dir_;
    status_.set(err, "ui.export.saved_trace", path);
    exports_.push_back(
        {{"kind", "trace"}, {"path", path}, {"error", err.empty() ? json(nullptr) : json(err)}});
}

// After the frame is drawn: the whole timeline, painted again off-screen at its own width,
// with a title, the settings, the legend and the verdict.
void App::write_requested_png(int, int) {
    if (png_request_.empty()) return;
    const std::string path = std::exchange(png_request_, std::string());
    const TimelineText text = timeline_text();
    const lab::RunState& run = session_.current();
    RunView current = run_view(run, true), previous;
    if (const lab::RunState* before = session_.previous()) previous = run_view(*before, false);
    // "Run on every Python" on show: its runs, each labelled with its interpreter, as drawn.
    const std::vector<RunView> sweep = sweep_views();
    std::vector<const RunView*> runs;
    for (const RunView& v : sweep) runs.push_back(&v);
    std::string every; // "3.9.18 hung, 3.10.13 hung, ..."
    for (const RunView& v : sweep)
        every += (every.empty() ? "" : ", ") +
                 (v.run->python.version.empty() ? v.run->options.python : v.run->python.version) +
                 " " + std::string(lab::to_string(v.run->verdict.outcome));
    const int width = 1600;
    char date[32];
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
    float height = 0;
    // The run's name: the lesson's title, or the program's file name.
    auto name = [&](lab::Lang l) {
        return run.options.program.empty()
                   ? content_.strings.get("scenario." + run.options.scenario + ".title", l)
                   : own_.name_of(run.options.program);
    };
    auto paint = [&](ImDrawList* dl) -> float {
        const Palette& pal = palette();
        const float pad = ImGui::GetTextLineHeight(), w = float(width) - 2 * pad;
        float y = pad;
        // The title and the settings, a line per language shown.
        ImFont* big = fonts_.big ? fonts_.big : ImGui::GetFont();
        std::string title, settings;
        for (lab::Lang l : text.langs) {
            title += (title.empty() ? "" : " / ") +
                     content_.strings.format("timeline.export.title", l, {{"title", name(l)}});
            settings += (settings.empty() ? "" : "\n") + export_settings(run, l, date);
            if (!sweep.empty())
                settings +=
                    "\n" + content_.strings.format("timeline.export.every", l, {{"runs", every}});
        }
        dl->AddText(big, big->FontSize, ImVec2(pad, y), pal.header_text, title.c_str(), nullptr, w);
        y += big->FontSize * 1.3f;
        dl->AddText(ImVec2(pad, y), pal.hint, settings.c_str());
        y += ImGui::CalcTextSize(settings.c_str()).y;
        y += ImGui::GetTextLineHeight() * 1.5f;
        y += paint_legend(dl, ImVec2(pad, y), w, text) + pad * 0.5f;
        y += sweep.empty()
                 ? timeline_.paint(dl, ImVec2(pad, y), w, current, previous, text, false, nullptr)
                 : timeline_.paint(dl, ImVec2(pad, y), w, runs, text, false, nullptr, 1.0f);
        // The verdict in words, as the banner says it.
        y += pad * 0.5f;
        for (const std::string& para : banner_lines())
            for (const std::string& line : wrap_lines(para, w, text_width)) {
                dl->AddText(ImVec2(pad, y), pal.header_text, line.c_str());
                y += ImGui::GetTextLineHeight() + 2;
            }
        height = y + pad;
        return height;
    };
    const PngText meta = {
        {"Title", "DaemonLab: " + name(lab::Lang::en)},
        {"Software", "DaemonLab"},
        {"Creation Time", date},
        {"daemonlab:scenario", run.options.scenario},
        {"daemonlab:program", run.options.program.empty() ? "" : own_.name_of(run.options.program)},
        {"daemonlab:python", run.python.version},
        {"daemonlab:receiver", std::string(trace::name(run.options.receiver))},
        {"daemonlab:close", lab::effective_close(run.options) ? "yes" : "no"},
        {"daemonlab:step", run.options.step ? "yes" : "no"},
        {"daemonlab:verdict", std::string(lab::to_string(run.verdict.outcome))},
        {"daemonlab:killed_by",
         run.verdict.killed_by ? std::string(lab::to_string(*run.verdict.killed_by)) : ""},
        {"daemonlab:every-python", every},
        {"daemonlab:previous",
         !sweep.empty() || !session_.previous()
             ? std::string()
             : session_.previous()->options.scenario + " " +
                   std::string(trace::name(session_.previous()->options.receiver)) + " " +
                   std::string(lab::to_string(session_.previous()->verdict.outcome))},
        {"Description", lab::headline(run.verdict, run.timeline, content_.strings, lab::Lang::en)}};
    const std::string err = is_dir(export_dir_)
                                ? render_png(path, width, palette().lane_bg, paint, meta)
                                : "no such folder: " + export_dir_;
    status_.set(err, "ui.export.saved_png", path);
    exports_.push_back({{"kind", "png"},
                        {"path", path},
                        {"width", width},
                        {"height", std::clamp(int(std::ceil(height)), 1, 16384)},
                        {"error", err.empty() ? json(nullptr) : json(err)}});
}

} // namespace gui
