// room_view.cpp — the room's button and window (see room_view.hpp).
#include "gui/views/room_view.hpp"

#include "gui/picture/export_files.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/strings.hpp"
#include "lab/room/room_run.hpp"
#include "lab/term/safe_write.hpp"

#include <imgui.h>
#include <nlohmann/json.hpp>

namespace gui {

using lab::Lang;
using nlohmann::json;

namespace {

// Same question, whatever step is on show.
bool same_switches(const lab::RoomQuestion& a, const lab::RoomQuestion& b) {
    return a.scenario == b.scenario && a.setup == b.setup;
}

} // namespace

RoomView::RoomView(std::function<void()> wake) : wake_(std::move(wake)) {}

RoomView::~RoomView() {
    close();
}

std::string RoomView::open(const std::string& where) {
    close();
    std::string address = where;
    if (where == "loopback") address = "127.0.0.1";
    if (where == "lan") address = lab::default_lan_address().value_or("127.0.0.1");
    auto room = std::make_unique<lab::Room>();
    room->set_on_change(wake_);
    try {
        server_ =
            std::make_unique<lab::RoomServer>(*room, lab::RoomServerOptions{.address = address});
    } catch (const std::exception& e) {
        error_ = e.what();
        return error_;
    }
    room_ = std::move(room);
    vote_opened_ = lab::monotonic_ns(); // the first question is asked now
    where_ = where;
    error_.clear();
    status_.clear();
    qr_.set(server_->url());
    run_started_ = -1;
    show_window_ = true;
    return {};
}

void RoomView::close() {
    if (server_) server_->stop();
    server_.reset();
    room_.reset();
    qr_.clear();
}

void RoomView::follow(const lab::RunOptions& switches, const lab::RunState* run,
                      const lab::Lesson* lesson, int step, const lab::Strings& strings) {
    if (!room_) return;
    const bool live = run && !run->finished();
    // The question is about the run while it runs; about the switches otherwise.
    lab::RoomQuestion q = lab::room_question(live ? run->options : switches, strings);
    if (lesson && step >= 0 && std::size_t(step) < lesson->steps.size() && live &&
        run->options.scenario == lesson->id) {
        q.step = step + 1;
        q.steps = int(lesson->steps.size());
        q.step_text = {lesson->steps[std::size_t(step)].text.zh,
                       lesson->steps[std::size_t(step)].text.en};
    }
    lab::RoomSnapshot s = room_->snapshot();
    if (s.phase == lab::RoomPhase::waiting ||
        (s.phase == lab::RoomPhase::revealed && !live && !same_switches(q, s.question))) {
        room_->set_question(q);
        // A new round after a reveal is asked now; the first one when the room opened (a run
        // started with the room, before this frame, is about it).
        if (s.phase != lab::RoomPhase::waiting) vote_opened_ = lab::monotonic_ns();
        room_->open_vote();
        run_started_ = -1;
        s = room_->snapshot();
    } else if (s.phase != lab::RoomPhase::revealed || live) {
        room_->set_question(q);
    }
    // A run is known by its spawn time, which its first snapshots do not have yet (0).
    if (!run || run->spawned_ns == 0) return;
    const bool new_run = run->spawned_ns != run_seen_;
    run_seen_ = run->spawned_ns;
    // A live run closes the votes, and so does one started after the question was asked that
    // ended before a frame saw it live; a finished run from before (on show when the room
    // opened, or opened from the matrix) does not.
    if (new_run && s.phase == lab::RoomPhase::voting && (live || run->spawned_ns >= vote_opened_)) {
        room_->start_run();
        run_started_ = run->spawned_ns;
    }
    if (run->finished() && run->spawned_ns == run_started_) {
        room_->reveal(lab::room_answer(run->verdict.outcome), lab::room_reason(*run, strings));
        run_started_ = -1;
    }
}

void RoomView::button(const lab::Strings& strings, Lang lang) {
    if (ImGui::Button(strings.get(is_open() ? "gui.room.close" : "gui.room.open", lang).c_str())) {
        if (is_open())
            close();
        else
            open(where_);
    }
}

void RoomView::window(const lab::Strings& strings, Lang lang, const std::string& export_dir,
                      ImFont* big) {
    auto t = [&](std::string_view key) { return strings.get(key, lang); };
    auto f = [&](std::string_view key, const std::vector<lab::Arg>& args) {
        return strings.format(key, lang, args);
    };
    if (!is_open() && error_.empty()) return;
    const ImGuiIO& io = ImGui::GetIO();
    const float em = ImGui::GetFontSize();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - em * 14.5f, em * 3.2f), ImGuiCond_Appearing);
    ImGui::SetNextWindowSize(ImVec2(em * 14, 0), ImGuiCond_Appearing);
    bool keep = true;
    if (!ImGui::Begin((t("gui.room.title") + "###room").c_str(), &keep,
                      ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    if (!keep) { // the window's ×: the room closes with it
        close();
        error_.clear();
        ImGui::End();
        return;
    }
    if (!is_open()) {
        ImGui::PushTextWrapPos(em * 13);
        ImGui::TextWrapped("%s", f("gui.room.error", {{"error", error_}}).c_str());
        ImGui::PopTextWrapPos();
        ImGui::End();
        return;
    }
    // Where it listens: the LAN (phones) or this computer only.
    ImGui::TextUnformatted(t("gui.room.where").c_str());
    const std::string lan = f("gui.room.lan", {{"addr", lab::default_lan_address().value_or("-")}});
    const bool on_lan = where_ != "loopback";
    if (ImGui::RadioButton(lan.c_str(), on_lan) && !on_lan) open("lan");
    if (ImGui::RadioButton(t("gui.room.loopback").c_str(), !on_lan) && on_lan) open("loopback");
    if (!is_open()) {
        ImGui::End();
        return;
    }
    ImGui::Separator();
    ImGui::TextUnformatted(t("gui.room.join").c_str());
    qr_.draw(em * 12);
    ImGui::PushFont(big);
    ImGui::TextUnformatted(server_->url().c_str());
    ImGui::PopFont();
    ImGui::Separator();
    const lab::RoomSnapshot s = room_->snapshot();
    ImGui::TextUnformatted(f("gui.room.here", {{"here", std::to_string(s.attendees)}}).c_str());
    if (s.phase == lab::RoomPhase::voting)
        ImGui::TextUnformatted(f("gui.room.voting", {{"round", std::to_string(s.round)}}).c_str());
    else if (s.phase == lab::RoomPhase::running)
        ImGui::TextUnformatted(t("gui.room.running").c_str());
    else if (s.phase == lab::RoomPhase::revealed && s.last)
        ImGui::TextUnformatted(
            t("page.answer-" + std::string(lab::to_string(s.last->answer))).c_str());
    // The live tally ("14 of 20 say it exits"), and a bar of the two answers.
    std::size_t exits = s.said_exits, voters = s.voters();
    if (s.phase == lab::RoomPhase::revealed && s.last)
        exits = s.last->said_exits, voters = s.last->voters();
    ImGui::PushFont(big);
    ImGui::TextUnformatted(
        f("gui.room.tally", {{"exits", std::to_string(exits)}, {"voters", std::to_string(voters)}})
            .c_str());
    ImGui::PopFont();
    ImGui::ProgressBar(voters ? float(exits) / float(voters) : 0.0f, ImVec2(-1, em * 0.6f), "");
    if (s.phase == lab::RoomPhase::revealed && s.last)
        if (s.last->accuracy())
            ImGui::TextUnformatted(
                f("gui.room.accuracy", {{"pct", s.last->percent()},
                                        {"right", std::to_string(s.last->right())},
                                        {"voters", std::to_string(s.last->voters())}})
                    .c_str());
    ImGui::Separator();
    if (ImGui::Button(t("gui.room.ask").c_str())) {
        room_->open_vote();
        run_started_ = -1;
    }
    ImGui::SameLine();
    if (ImGui::Button(t("gui.room.export").c_str())) {
        const std::string path = timestamped_path(export_dir, "room", ".csv");
        const std::string err = lab::write_file_atomic(path, room_->history_csv());
        status_ = err.empty() ? f("gui.room.exported", {{"file", path}}) : err;
    }
    if (!status_.empty()) {
        ImGui::PushTextWrapPos(em * 13);
        ImGui::TextDisabled("%s", status_.c_str());
        ImGui::PopTextWrapPos();
    }
    ImGui::End();
}

nlohmann::json RoomView::describe() const {
    if (!room_) return nullptr;
    const lab::RoomSnapshot s = room_->snapshot();
    return {{"url", server_->url()},
            {"qr_modules", qr_.modules()},
            {"phase", lab::to_string(s.phase)},
            {"round", s.round},
            {"scenario", s.question.scenario},
            {"attendees", s.attendees},
            {"said_exits", s.said_exits},
            {"said_hangs", s.said_hangs},
            {"answer", s.last ? json(lab::to_string(s.last->answer)) : json(nullptr)},
            {"history_rounds", room_->history().size()}};
}

} // namespace gui
