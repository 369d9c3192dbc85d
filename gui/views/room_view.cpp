// room_view.cpp — the room's button and window (see room_view.hpp).
#include "gui/views/room_view.hpp"

#include "gui/picture/export_files.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/strings.hpp"
#include "lab/room/room_run.hpp"
#include "lab/term/room_store.hpp"
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
    bool no_lan = false;
    if (where == "loopback") address = "127.0.0.1";
    if (where == "lan") {
        if (auto a = lab::default_lan_address()) {
            address = *a;
        } else { // say so, as the CLI does: phones cannot reach 127.0.0.1
            address = "127.0.0.1";
            no_lan = true;
        }
    }
    auto room = std::make_unique<lab::Room>();
    // The rounds of the rooms before this one (closed, or in an earlier run of the app).
    const std::string history_error = lab::load_room_history(*room);
    room->set_on_change(wake_);
    try {
        server_ = std::make_unique<lab::RoomServer>(
            *room, lab::RoomServerOptions{.address = address,
                                          .port = std::uint16_t(fixed_.port),
                                          .code = fixed_.code});
    } catch (const std::exception& e) {
        error_ = e.what();
        return error_;
    }
    room_ = std::move(room);
    vote_opened_ = lab::monotonic_ns(); // the first question is asked now
    where_ = where;
    error_.clear();
    status_ = history_error;
    no_lan_ = no_lan;
    qr_.set(server_->url());
    run_started_ = -1;
    round_seen_ = 0;
    held_.reset();
    reveal_at_ = -1;
    slide_ = true; // the class joins first
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
        new_question_asked();
        s = room_->snapshot();
    } else if (s.phase != lab::RoomPhase::revealed || live) {
        room_->set_question(q); // other switches while votes are open: the Room asks anew
        s = room_->snapshot();
        if (s.round != round_seen_) {
            vote_opened_ = lab::monotonic_ns();
            new_question_asked();
        }
    }
    round_seen_ = s.round;
    // A run is known by its spawn time, which its first snapshots do not have yet (0).
    if (!run || run->spawned_ns == 0) return;
    const bool new_run = run->spawned_ns != run_seen_;
    run_seen_ = run->spawned_ns;
    if (new_run && live) slide_ = false; // the lesson has begun: the slide gives way
    // A live run closes the votes, and so does one started after the question was asked that
    // ended before a frame saw it live; a finished run from before (on show when the room
    // opened, or opened from the matrix) does not.
    if (new_run && s.phase == lab::RoomPhase::voting && (live || run->spawned_ns >= vote_opened_)) {
        room_->start_run();
        run_started_ = run->spawned_ns;
    }
    if (run->finished() && run->spawned_ns == run_started_) {
        held_ = Verdict{lab::room_answer(run->verdict.outcome), lab::room_reason(*run, strings)};
        run_started_ = -1;
        if (auto_reveal_) reveal_now();
    }
}

void RoomView::reveal_now() {
    reveal_at_ = -1;
    if (!room_ || !held_) return;
    room_->reveal(held_->answer, std::move(held_->reason));
    held_.reset();
    round_seen_ = room_->snapshot().round;
    save_history();
}

void RoomView::reveal_cue() {
    if (!held_ || reveal_at_ >= 0) return;
    if (countdown_s_ <= 0) return reveal_now();
    reveal_at_ = lab::monotonic_ns() + std::int64_t(countdown_s_) * 1'000'000'000;
    if (wake_) wake_();
}

void RoomView::countdown_tick() {
    if (reveal_at_ >= 0 && lab::monotonic_ns() >= reveal_at_) reveal_now();
}

void RoomView::save_history() {
    if (!room_) return;
    if (std::string err = lab::save_room_history(*room_); !err.empty()) status_ = err;
}

void RoomView::new_question_asked() {
    run_started_ = -1;
    reveal_at_ = -1;
    held_.reset();
}

nlohmann::json RoomView::describe() const {
    if (!room_) return nullptr;
    const lab::RoomSnapshot s = room_->snapshot();
    json items = json::object();
    for (const auto& [name, r] : items_) items[name] = {r[0], r[1], r[2], r[3]};
    return {{"url", server_->url()},
            {"qr_modules", qr_.modules()},
            {"phase", lab::to_string(s.phase)},
            {"round", s.round},
            {"scenario", s.question.scenario},
            {"attendees", s.attendees},
            {"said_exits", s.said_exits},
            {"said_hangs", s.said_hangs},
            {"answer", s.last ? json(lab::to_string(s.last->answer)) : json(nullptr)},
            {"history_rounds", room_->history().size()},
            {"slide", slide_},
            {"held", held_.has_value()},
            {"show_tally", show_tally_},
            {"counting_down", reveal_at_ >= 0},
            {"port", server_->port()},
            {"code", server_->code()},
            // What the room drew last (the slide's content, or the badge), in pixels: the
            // tests check it is inside the window, and how much of it the badge covers.
            {"drawn", {drawn_[0], drawn_[1], drawn_[2], drawn_[3]}},
            {"items", items},
            // The port and code the next room keeps (0 and "": any).
            {"fixed", {{"port", fixed_.port}, {"code", fixed_.code}}},
            {"auto_reveal", auto_reveal_},
            {"countdown_s", countdown_s_}};
}

} // namespace gui
