// Export: the timeline as a PNG (read back from the frame once it is drawn) or as Chrome
// trace JSON (for Perfetto / chrome://tracing), into export_dir_. The buttons sit at the
// right of the legend row; the status line under them says where the file went, or why not.
#include "app.hpp"

#include "export.hpp"
#include "export_files.hpp"
#include "screenshot.hpp"
#include "theme.hpp"
#include "widgets.hpp"

#include <imgui.h>
#include <utility>

namespace gui {

using nlohmann::json;

// The legend, and at the right the export buttons; the status line under them.
void App::export_row() {
    const TimelineText text{&content_.strings, ui_lang()};
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
    ImGui::BeginDisabled(!session_.has_run());
    if (ImGui::Button(png.c_str())) export_png();
    tip(f("ui.export.tip", {{"dir", export_dir_}}), true);
    ImGui::SameLine();
    if (ImGui::Button(trace.c_str())) export_trace();
    tip(f("ui.export.trace.tip", {{"dir", export_dir_}}), true);
    ImGui::EndDisabled();
    if (!status_.empty()) {
        ImGui::TextColored(status_error_ ? palette().error : palette().ok, "%s", status_.c_str());
        if (ImGui::IsItemClicked()) status_.clear();
    }
}

// "Saved to PATH" (saved_key) or "Could not save: ERROR".
void App::set_status(const std::string& error, const std::string& saved_key,
                     const std::string& path) {
    status_error_ = !error.empty();
    status_ =
        error.empty() ? f(saved_key, {{"path", path}}) : f("ui.export.failed", {{"error", error}});
}

void App::export_png() {
    if (!session_.has_run()) return;
    png_request_ = timestamped_path(export_dir_, session_.current().options.scenario, ".png");
}

void App::export_trace() {
    if (!session_.has_run()) return;
    const lab::RunState& run = session_.current();
    const std::string path = timestamped_path(export_dir_, run.options.scenario, ".trace.json");
    const std::string err = lab::write_chrome_trace(run, path);
    set_status(err, "ui.export.saved_trace", path);
    exports_.push_back(
        {{"kind", "trace"}, {"path", path}, {"error", err.empty() ? json(nullptr) : json(err)}});
}

// After the frame is drawn: the timeline's rectangle of it, as asked by export_png().
void App::write_requested_png(int fb_w, int fb_h) {
    if (png_request_.empty()) return;
    const std::string path = std::exchange(png_request_, std::string());
    const ImGuiIO& io = ImGui::GetIO();
    const float sx = io.DisplayFramebufferScale.x, sy = io.DisplayFramebufferScale.y;
    const ImVec2 a = timeline_.rect_min(), b = timeline_.rect_max();
    const int x = int(a.x * sx), y = int(a.y * sy);
    const int w = int((b.x - a.x) * sx), h = int((b.y - a.y) * sy);
    const std::string err = write_png_region(path, x, y, w, h, fb_w, fb_h);
    set_status(err, "ui.export.saved_png", path);
    exports_.push_back({{"kind", "png"},
                        {"path", path},
                        {"x", x},
                        {"y", y},
                        {"width", w},
                        {"height", h},
                        {"error", err.empty() ? json(nullptr) : json(err)}});
}

} // namespace gui
