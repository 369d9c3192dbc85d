// room_view.hpp — the workshop room in the app: the "Open room" button, and a window with the
// QR code, the URL, the live tally, the class's accuracy and the CSV export. It follows what
// the presenter does (switches, runs, steps) and moves the lab::Room on by itself:
//   opening the room, or new switches after a reveal   -> a new question ("Will it exit?")
//   a run starts while votes are open                  -> votes close
//   that run's verdict                                 -> the answer and its reason
// Self-contained: the app calls follow() once a frame, button() in its toolbar, and window()
// after its main window.
#pragma once

#include "gui/picture/qr_texture.hpp"
#include "lab/room/room.hpp"
#include "lab/room/room_server.hpp"
#include "lab/run/runner.hpp"

#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>

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
    // The room's window (nothing when closed).
    // big: the font for the URL and the tally (readable from the back of the room).
    void window(const lab::Strings& strings, lab::Lang lang, const std::string& export_dir,
                ImFont* big);
    // For --screenshot's description.
    nlohmann::json describe() const;

  private:
    std::function<void()> wake_;
    std::unique_ptr<lab::Room> room_;
    std::unique_ptr<lab::RoomServer> server_;
    QrTexture qr_;
    std::string where_ = "lan", error_, status_;
    std::int64_t run_started_ = -1; // spawned_ns of the run the open round is about
    std::int64_t run_seen_ = -1;    // spawned_ns of the last run looked at
    std::int64_t vote_opened_ = -1; // when the open round began (the host's clock)
    bool show_window_ = true;
};

} // namespace gui
