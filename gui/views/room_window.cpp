// room_window.cpp — what the room puts on the presenter's screen (see room_view.hpp): the join
// slide, the corner badge and its settings, the toolbar's Open/Close button.
#include "gui/picture/export_files.hpp"
#include "gui/views/room_view.hpp"
#include "lab/model/strings.hpp"
#include "lab/term/safe_write.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <imgui.h>

namespace gui {

using lab::Lang;

// The room's words in the languages on show: "课堂 / Room" in 双语.
struct RoomView::Words {
    const lab::Strings& strings;
    const std::vector<Lang>& langs;
    std::string get(std::string_view key) const {
        std::string out;
        for (Lang l : langs) {
            const std::string s = strings.get(key, l);
            if (out == s) continue;
            if (!out.empty()) out += " / ";
            out += s;
        }
        return out;
    }
    std::string format(std::string_view key, const std::vector<lab::Arg>& args) const {
        std::string out;
        for (Lang l : langs) {
            const std::string s = strings.format(key, l, args);
            if (out == s) continue;
            if (!out.empty()) out += " / ";
            out += s;
        }
        return out;
    }
};

std::string RoomView::button_label(const lab::Strings& strings,
                                   const std::vector<Lang>& langs) const {
    return Words{strings, langs}.get(is_open() ? "gui.room.close" : "gui.room.open");
}

void RoomView::button(const lab::Strings& strings, const std::vector<Lang>& langs) {
    const Words w{strings, langs};
    if (ImGui::Button((button_label(strings, langs) + "###room-button").c_str())) {
        if (is_open())
            ImGui::OpenPopup("###room-close");
        else
            open(where_);
    }
    // Closing ends every phone's connection (the history is kept): asked first.
    if (ImGui::BeginPopupModal((w.get("gui.room.close-q") + "###room-close").c_str(), nullptr,
                               ImGuiWindowFlags_AlwaysAutoResize)) {
        const std::size_t rounds = room_ ? room_->history().size() : 0;
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 22);
        ImGui::TextWrapped(
            "%s", w.format("gui.room.close-why", {{"rounds", std::to_string(rounds)}}).c_str());
        ImGui::PopTextWrapPos();
        if (ImGui::Button(w.get("gui.room.close").c_str())) {
            close();
            ImGui::CloseCurrentPopup();
        }
        ImGui::SameLine();
        if (ImGui::Button(w.get("gui.room.keep").c_str()) ||
            ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false))
            ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

void RoomView::window(const lab::Strings& strings, const std::vector<Lang>& langs,
                      const std::string& export_dir, ImFont* big) {
    const Words w{strings, langs};
    items_.clear();
    if (!is_open() && error_.empty()) return;
    if (!is_open()) { // why it could not open, until the presenter dismisses it
        const ImGuiIO& io = ImGui::GetIO();
        const float em = ImGui::GetFontSize();
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - em, io.DisplaySize.y - em),
                                ImGuiCond_Always, ImVec2(1, 1));
        bool keep = true;
        ImGui::Begin((w.get("gui.room.title") + "###room").c_str(), &keep,
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize);
        ImGui::PushTextWrapPos(std::min(em * 24, io.DisplaySize.x * 0.4f));
        ImGui::TextWrapped("%s", w.format("gui.room.error", {{"error", error_}}).c_str());
        ImGui::PopTextWrapPos();
        ImGui::End();
        if (!keep) error_.clear();
        return;
    }
    const ImGuiIO& io = ImGui::GetIO();
    if (!io.WantTextInput && !ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) {
        if (ImGui::IsKeyPressed(GLFW_KEY_J, false)) slide_ = !slide_;
        if (slide_ && ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) slide_ = false;
        if (ImGui::IsKeyPressed(GLFW_KEY_R, false)) reveal_cue();
    }
    countdown_tick();
    if (slide_)
        slide(w, big);
    else
        badge(w, export_dir, big);
}

// The whole window: the QR code as large as the height allows, the code in the largest type
// that fits beside it (what is left of the height after the other lines), the short URL, who
// is here. Hidden with its button, J or Esc.
void RoomView::slide(const Words& w, ImFont* big) {
    const ImGuiIO& io = ImGui::GetIO();
    const ImVec2 screen = io.DisplaySize;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(screen);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, ImVec4(0.06f, 0.07f, 0.09f, 1.0f));
    ImGui::Begin("###room-slide", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoScrollWithMouse);
    const float em = ImGui::GetFontSize();
    const float gap = ImGui::GetStyle().ItemSpacing.y;
    const float pad = std::max(em, screen.y * 0.04f);
    // The QR code: on a white square, on the left, as tall as the window allows (a phone at
    // the back of the room needs modules of several pixels), at most half the width.
    const float side = std::max(em * 6, std::min(screen.y - pad * 2, screen.x * 0.5f - pad * 2));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 q0(pad, std::max(pad, (screen.y - side) * 0.5f));
    dl->AddRectFilled(q0, ImVec2(q0.x + side, q0.y + side), IM_COL32_WHITE);
    ImGui::SetCursorScreenPos(q0);
    qr_.draw(side);
    // The words, on the right, measured first: the code gets the height the others leave.
    const float x = q0.x + side + pad, right = screen.x - pad, width = right - x;
    ImFont* font = big ? big : ImGui::GetFont();
    const lab::RoomSnapshot s = room_->snapshot();
    const std::string code = server_->code(), title = w.get("gui.room.join-title"),
                      label = w.get("gui.room.code"), url = server_->url(),
                      here = w.format("gui.room.here", {{"here", std::to_string(s.attendees)}}),
                      hide = w.get("gui.room.slide-hide"),
                      no_lan = no_lan_ ? w.get("cli.room.no-lan") : std::string();
    auto tall = [&](ImFont* f, const std::string& t) {
        return t.empty() ? 0.0f : f->CalcTextSizeA(f->FontSize, FLT_MAX, width, t.c_str()).y + gap;
    };
    ImFont* body = ImGui::GetFont();
    const float others = tall(font, title) + tall(body, label) + tall(font, url) +
                         tall(body, here) + tall(body, no_lan) + em * 2.5f + gap * 4;
    const ImVec2 one = font->CalcTextSizeA(font->FontSize, FLT_MAX, 0, code.c_str());
    const float code_px =
        std::max(em, std::min({font->FontSize * width / one.x * 0.95f, screen.y * 0.3f,
                               (screen.y - pad * 2 - others) / 1.1f}));
    const float code_w = one.x * code_px / font->FontSize;
    const float block = others + code_px * 1.1f;
    const float y = std::max(pad, (screen.y - block) * 0.5f);
    // Every line starts at x: indented from the window's left edge.
    const float indent = x - ImGui::GetWindowPos().x - ImGui::GetStyle().WindowPadding.x;
    ImGui::Indent(indent);
    ImGui::SetCursorScreenPos(ImVec2(x, y));
    ImGui::PushTextWrapPos(right - ImGui::GetWindowPos().x);
    ImGui::PushFont(font);
    ImGui::TextWrapped("%s", title.c_str());
    ImGui::PopFont();
    const float code_y = ImGui::GetCursorScreenPos().y;
    dl->AddText(font, code_px, ImVec2(x, code_y), IM_COL32(255, 214, 90, 255), code.c_str());
    ImGui::SetCursorScreenPos(ImVec2(x, code_y + code_px * 1.1f));
    ImGui::TextWrapped("%s", label.c_str());
    ImGui::Dummy(ImVec2(0, gap));
    ImGui::PushFont(font);
    ImGui::TextWrapped("%s", url.c_str());
    ImGui::PopFont();
    ImGui::TextWrapped("%s", here.c_str());
    if (!no_lan.empty()) ImGui::TextWrapped("%s", no_lan.c_str());
    ImGui::PopTextWrapPos();
    ImGui::Dummy(ImVec2(0, gap));
    if (ImGui::Button((hide + "###slide-hide").c_str())) {
        slide_ = false;
        if (wake_) wake_();
    }
    note("room.slide-hide");
    // For --screenshot's description: whether everything was inside the window.
    const ImVec2 last = ImGui::GetItemRectMax();
    drawn_ = {q0.x, std::min(q0.y, y), std::max(last.x, x + code_w), std::max(last.y, q0.y + side)};
    ImGui::Unindent(indent);
    ImGui::End();
    ImGui::PopStyleColor();
}

// The corner badge: two short lines, bottom right (the code and who is here; the slide, the
// reveal and the settings), so it covers only the timeline's far corner.
void RoomView::badge(const Words& w, const std::string& export_dir, ImFont* big) {
    const ImGuiIO& io = ImGui::GetIO();
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - em * 0.4f, io.DisplaySize.y - em * 0.4f),
                            ImGuiCond_Always, ImVec2(1, 1));
    ImGui::SetNextWindowBgAlpha(0.92f);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(em * 0.4f, em * 0.25f));
    ImGui::Begin("###room-badge", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing);
    ImGui::PopStyleVar();
    const float wrap = std::min(em * 22, io.DisplaySize.x * 0.4f);
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    const lab::RoomSnapshot s = room_->snapshot();
    ImGui::PushFont(big);
    ImGui::TextUnformatted(server_->code().c_str());
    ImGui::PopFont();
    ImGui::SameLine();
    std::string line = w.format("gui.room.here", {{"here", std::to_string(s.attendees)}});
    const bool after = s.phase == lab::RoomPhase::revealed && s.last;
    if (s.phase == lab::RoomPhase::voting)
        line += " · " + w.format("gui.room.voted", {{"round", std::to_string(s.round)},
                                                    {"voters", std::to_string(s.voters())}});
    else if (s.phase == lab::RoomPhase::running)
        line += " · " + w.get("gui.room.running");
    else if (after && s.last->accuracy())
        line +=
            " · " + w.format("gui.room.accuracy", {{"pct", s.last->percent()},
                                                   {"right", std::to_string(s.last->right())},
                                                   {"voters", std::to_string(s.last->voters())}});
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(line.c_str());
    // The split: after the reveal, or before it when the presenter chose to show it.
    const std::size_t exits = after ? s.last->said_exits : s.said_exits;
    const std::size_t voters = after ? s.last->voters() : s.voters();
    if ((after || show_tally_) && voters > 0) {
        ImGui::TextWrapped("%s", w.format("gui.room.tally", {{"exits", std::to_string(exits)},
                                                             {"voters", std::to_string(voters)}})
                                     .c_str());
    }
    ImGui::PopTextWrapPos();
    if (ImGui::SmallButton((w.get("gui.room.slide-show") + "###slide-show").c_str())) {
        slide_ = true;
        if (wake_) wake_();
    }
    note("room.slide-show");
    if (reveal_at_ >= 0) { // the countdown, in the big type: the whole room counts along
        const std::int64_t left = (reveal_at_ - lab::monotonic_ns() + 999'999'999) / 1'000'000'000;
        ImGui::PushFont(big);
        ImGui::TextUnformatted(std::to_string(std::max<std::int64_t>(1, left)).c_str());
        ImGui::PopFont();
    } else if (held_) {
        ImGui::SameLine();
        if (ImGui::SmallButton((w.get("gui.room.reveal") + "###reveal").c_str())) reveal_cue();
        note("room.reveal");
    }
    ImGui::SameLine();
    if (ImGui::SmallButton(
            ((more_ ? w.get("gui.room.less") : w.get("gui.room.more")) + "###more").c_str()))
        more_ = !more_;
    note("room.more");
    if (more_) settings(w, export_dir);
    const ImVec2 p = ImGui::GetWindowPos(), size = ImGui::GetWindowSize();
    drawn_ = {p.x, p.y, p.x + size.x, p.y + size.y};
    ImGui::End();
}

// What the badge opens into: where the room listens, the tally and the reveal, a new
// question, the CSV.
void RoomView::settings(const Words& w, const std::string& export_dir) {
    const float em = ImGui::GetFontSize();
    const float wrap = std::min(em * 22, ImGui::GetIO().DisplaySize.x * 0.4f);
    ImGui::Separator();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + wrap);
    ImGui::TextWrapped("%s", server_->url().c_str());
    ImGui::TextUnformatted(w.get("gui.room.where").c_str());
    const std::string lan =
        w.format("gui.room.lan", {{"addr", lab::default_lan_address().value_or("-")}});
    const bool on_lan = where_ != "loopback";
    if (ImGui::RadioButton(lan.c_str(), on_lan) && !on_lan) open("lan");
    if (is_open() && ImGui::RadioButton(w.get("gui.room.loopback").c_str(), !on_lan) && on_lan)
        open("loopback");
    if (!is_open()) {
        ImGui::PopTextWrapPos();
        return;
    }
    ImGui::Checkbox(w.get("gui.room.show-tally").c_str(), &show_tally_);
    note("room.show-tally");
    ImGui::Checkbox(w.get("gui.room.auto-reveal").c_str(), &auto_reveal_);
    note("room.auto-reveal");
    ImGui::TextUnformatted(w.get("gui.room.countdown").c_str());
    for (int n : {0, 3, 5, 10}) {
        ImGui::SameLine();
        const std::string label = n == 0 ? w.get("gui.room.countdown-off")
                                         : w.format("gui.room.seconds", {{"n", std::to_string(n)}});
        if (ImGui::RadioButton((label + "###cd" + std::to_string(n)).c_str(), countdown_s_ == n))
            countdown_s_ = n;
        note("room.countdown-" + std::to_string(n));
    }
    // Keep the port and the code: the next room (and the next start of the app) has the same
    // address, so the QR code on the slide or a handout stays right.
    bool keep = fixed_.port == int(server_->port()) && fixed_.code == server_->code();
    if (ImGui::Checkbox(
            w.format("gui.room.keep-address",
                     {{"port", std::to_string(server_->port())}, {"code", server_->code()}})
                .c_str(),
            &keep)) {
        fixed_ = keep ? Fixed{server_->port(), server_->code()} : Fixed{};
        ++fixed_version_;
    }
    note("room.keep-address");
    if (ImGui::Button(w.get("gui.room.ask").c_str())) {
        room_->open_vote();
        new_question_asked();
        round_seen_ = room_->snapshot().round;
    }
    ImGui::SameLine();
    if (ImGui::Button(w.get("gui.room.export").c_str())) {
        const std::string path = timestamped_path(export_dir, "room", ".csv");
        const std::string err = lab::write_file_atomic(path, room_->history_csv());
        status_ = err.empty() ? w.format("gui.room.exported", {{"file", path}}) : err;
        if (wake_) wake_(); // show it now, not at the next mouse move
    }
    const std::size_t rounds = room_->history().size();
    if (rounds > 0) {
        ImGui::SameLine();
        if (ImGui::Button(
                w.format("gui.room.clear", {{"rounds", std::to_string(rounds)}}).c_str())) {
            room_->reset_history();
            save_history();
        }
    }
    if (no_lan_) ImGui::TextWrapped("%s", w.get("cli.room.no-lan").c_str());
    if (!status_.empty()) ImGui::TextDisabled("%s", status_.c_str());
    ImGui::PopTextWrapPos();
}

void RoomView::note(std::string name) {
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    items_.emplace_back(std::move(name), std::array<float, 4>{a.x, a.y, b.x, b.y});
}

std::optional<std::array<float, 4>> RoomView::item(std::string_view name) const {
    for (const auto& [n, r] : items_)
        if (n == name) return r;
    return std::nullopt;
}

} // namespace gui
