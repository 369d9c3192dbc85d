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
// class should not follow the crowd. Reveal (the badge's button or R) may count down first
// (3, 5 or 10 s, in the settings). The history of revealed rounds outlives the room (saved after
// each reveal: lab/term/room_store.hpp) and comes back when it opens again; the presenter may
// keep the port and code for the next room (settings, --room-port, --room-code), so a QR code
// printed on a handout keeps working. Self-contained: the app calls follow() once a frame,
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
#include <string_view>
#include <utility>
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
    // The port and code the next open() uses (0 and "": any free port, a random code).
    struct Fixed {
        int port = 0;
        std::string code;
        bool operator==(const Fixed&) const = default;
    };
    void set_fixed(Fixed f) { fixed_ = std::move(f); }
    const Fixed& fixed() const { return fixed_; }
    // Changes when the presenter keeps (or lets go of) the port and code: the app saves them.
    unsigned fixed_version() const { return fixed_version_; }
    // A countdown to the reveal is on: the app draws frames to show it.
    bool counting_down() const { return reveal_at_ >= 0; }

    // What the presenter has on show: the switches, the run on show (or none), the lesson
    // step on show (index into lesson->steps, or -1).
    void follow(const lab::RunOptions& switches, const lab::RunState* run,
                const lab::Lesson* lesson, int step, const lab::Strings& strings);
    // "Open room" / "Close room", in the toolbar, and its "Close the room?" dialog, in `langs`
    // ("开放课堂 / Open room" in 双语); button_label() is its text, for the toolbar to measure.
    void button(const lab::Strings& strings, const std::vector<lab::Lang>& langs);
    std::string button_label(const lab::Strings& strings,
                             const std::vector<lab::Lang>& langs) const;
    // The join slide or the corner badge (nothing when closed), in `langs` (both: "课堂 / Room").
    // big: the font for the code and the tally (readable from the back of the room).
    void window(const lab::Strings& strings, const std::vector<lab::Lang>& langs,
                const std::string& export_dir, ImFont* big);
    // The presenter's cue: the held verdict is revealed (when auto-reveal is off), after the
    // countdown when one is chosen.
    void reveal_now();
    void reveal_cue(); // Reveal / R: the countdown, or at once
    bool slide_shown() const { return slide_; }
    void show_slide(bool on) { slide_ = on; }
    // For --screenshot's description.
    nlohmann::json describe() const;
    // Where the room drew one of its controls in the last frame ("room.more",
    // "room.keep-address", "room.countdown-3", ...: x0, y0, x1, y1), or nothing: the scripted
    // runs click it there (script_driver.hpp).
    std::optional<std::array<float, 4>> item(std::string_view name) const;

  private:
    struct Words; // room_window.cpp
    void slide(const Words& w, ImFont* big);
    void badge(const Words& w, const std::string& export_dir, ImFont* big);
    void settings(const Words& w, const std::string& export_dir);
    void new_question_asked();   // a new round began: its run and held verdict are gone
    void countdown_tick();       // reveals when the countdown is over
    void save_history();         // after a reveal or a clear; a failure goes to status_
    void note(std::string name); // where the last item was drawn (item())

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
    int countdown_s_ = 0;           // before a reveal on cue: 0 (none), 3, 5, 10
    std::int64_t reveal_at_ = -1;   // the countdown's end (monotonic ns), -1: none running
    Fixed fixed_;                   // the port and code the next open() uses
    unsigned fixed_version_ = 0;
    struct Verdict {
        lab::RoomAnswer answer;
        lab::RoomText reason;
    };
    std::optional<Verdict> held_;  // the run ended; the presenter has not revealed yet
    std::array<float, 4> drawn_{}; // the slide's content or the badge: x0, y0, x1, y1
    std::vector<std::pair<std::string, std::array<float, 4>>> items_; // this frame's controls
};

} // namespace gui
