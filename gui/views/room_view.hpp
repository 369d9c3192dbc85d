// room_view.hpp — the workshop room in the app: the "Open room" button; the join slide (the
// whole window: a big QR code, the room code in large type, the short URL), shown when the
// room opens and whenever the presenter asks (button or J); and, during the lesson, a small
// badge in the bottom-right corner (the code, who is here, how many voted, Reveal) that opens
// into the room's settings (where it listens, the tally, reveal on cue, ask again, CSV).
// It follows what the presenter does (switches, runs, steps) and moves the lab::Room on:
//   opening the room, new switches while votes are open,
//   or new switches after a reveal                     -> a new question ("Will it exit?")
//   a run starts while votes are open                  -> votes close
//   that run's verdict                                 -> the answer and its reason, at once
//                                                         or when the presenter presses Reveal
// The tally (who said what) is hidden until the reveal unless the presenter shows it: the
// class should not follow the crowd. Self-contained: the app calls follow() once a frame,
// button() in its toolbar, and window() after its main window.
#pragma once

#include "gui/picture/qr_texture.hpp"
#include "lab/room/room.hpp"
#include "lab/room/room_server.hpp"
#include "lab/run/runner.hpp"

#include <array>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lab {
struct Lesson;
class Strings;
} // namespace lab

struct ImFont;

namespace gui {

class RoomView {
  public:
    // wake: called from any thread when the room changes (a vote arrives).
    explicit RoomView(std::function<void()> wake);
    ~RoomView();

    bool is_open() const { return server_ != nullptr; }
    // where: "lan" (the default route's interface), "loopback", or an address of this machine.
    // Returns "" or why it could not open.
    std::string open(const std::string& where = "lan");
    void close();

    // What the presenter has on show: the switches, the run on show (or none), the lesson
    // step on show (index into lesson->steps, or -1).
    void follow(const lab::RunOptions& switches, const lab::RunState* run,
                const lab::Lesson* lesson, int step, const lab::Strings& strings);
    // "Open room" / "Close room", in the toolbar.
    void button(const lab::Strings& strings, lab::Lang lang);
    // The join slide or the corner badge (nothing when closed), in `langs` (both: "课堂 / Room").
    // big: the font for the code and the tally (readable from the back of the room).
    void window(const lab::Strings& strings, const std::vector<lab::Lang>& langs,
                const std::string& export_dir, ImFont* big);
    // The presenter's cue: the held verdict is revealed (when auto-reveal is off).
    void reveal_now();
    bool slide_shown() const { return slide_; }
    void show_slide(bool on) { slide_ = on; }
    // For --screenshot's description.
    nlohmann::json describe() const;

  private:
    struct Words; // room_window.cpp
    void slide(const Words& w, ImFont* big);
    void badge(const Words& w, const std::string& export_dir, ImFont* big);
    void settings(const Words& w, const std::string& export_dir);
    void new_question_asked(); // a new round began: its run and held verdict are gone

    std::function<void()> wake_;
    std::unique_ptr<lab::Room> room_;
    std::unique_ptr<lab::RoomServer> server_;
    QrTexture qr_;
    std::string where_ = "lan", error_, status_;
    std::int64_t run_started_ = -1; // spawned_ns of the run the open round is about
    std::int64_t run_seen_ = -1;    // spawned_ns of the last run looked at
    std::int64_t vote_opened_ = -1; // when the open round began (the host's clock)
    std::uint64_t round_seen_ = 0;  // the round follow() last saw
    bool no_lan_ = false;           // "lan" asked, no LAN address: on 127.0.0.1, and said so
    bool slide_ = true;             // the join slide on show (at open)
    bool more_ = false;             // the badge opened into the settings
    bool show_tally_ = false;       // who said what, before the reveal
    bool auto_reveal_ = true;       // reveal as the run ends; off: on the presenter's cue
    struct Verdict {
        lab::RoomAnswer answer;
        lab::RoomText reason;
    };
    std::optional<Verdict> held_;  // the run ended; the presenter has not revealed yet
    std::array<float, 4> drawn_{}; // the slide's content or the badge: x0, y0, x1, y1
};

} // namespace gui
