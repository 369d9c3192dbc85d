// The room's history outlives the room: saved after each reveal (next to the settings), read
// back when a room opens again; a fixed port and code survive a close, and a port in use is a
// clear message that names the fix.
#include "lab/room/room.hpp"
#include "lab/room/room_history.hpp"
#include "lab/room/room_server.hpp"
#include "lab/term/qr_text.hpp"
#include "lab/term/room_store.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
using lab::Room;
using lab::RoomAnswer;
using lab::RoomServer;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string t = (fs::temp_directory_path() / "dl-room-history-XXXXXX").string();
        path = ::mkdtemp(t.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void play(Room& room, const std::string& scenario, bool said_exits, RoomAnswer answer) {
    room.set_question({.scenario = scenario, .title = {"标题", "Title"}, .setup = {"设置", "set"}});
    room.open_vote();
    ASSERT_TRUE(room.join("attendee-1"));
    const auto round = room.snapshot().round;
    room.vote("attendee-1", round, said_exits);
    room.leave("attendee-1");
    ASSERT_TRUE(room.reveal(answer, {"原因", "why"}));
}

TEST(RoomHistory, SurvivesACloseAndARestartAndRoundsNumberOn) {
    TempDir dir;
    const std::string file = (dir.path / "daemonlab" / "room-history.json").string();
    {
        Room room;
        play(room, "threaded-client", true, RoomAnswer::hangs);
        play(room, "daemon-thread", true, RoomAnswer::exits);
        EXPECT_EQ(lab::save_room_history(room, file), "");
    }
    ASSERT_TRUE(fs::exists(file));
    EXPECT_EQ(fs::status(file).permissions() & fs::perms::others_read, fs::perms::none);
    Room again; // the next room, or the next start of the app
    EXPECT_EQ(lab::load_room_history(again, file), "");
    auto h = again.history();
    ASSERT_EQ(h.size(), 2u);
    EXPECT_EQ(h[0].question.scenario, "threaded-client");
    EXPECT_EQ(h[0].question.title.zh, "标题");
    EXPECT_EQ(h[0].reason.en, "why");
    EXPECT_EQ(h[0].said_exits, 1u);
    EXPECT_EQ(h[0].answer, RoomAnswer::hangs);
    EXPECT_EQ(h[1].round, 2u);
    play(again, "threaded-client", false, RoomAnswer::hangs);
    h = again.history();
    ASSERT_EQ(h.size(), 3u);
    EXPECT_EQ(h[2].round, 3u); // numbered on, so the CSV's rounds stay unique
    const std::string csv = again.history_csv();
    EXPECT_NE(csv.find("\r\n1,threaded-client"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\n3,threaded-client"), std::string::npos) << csv;
}

TEST(RoomHistory, ADamagedFileIsSaidAndWhatCanBeReadIsKept) {
    TempDir dir;
    const std::string file = (dir.path / "room-history.json").string();
    std::ofstream(file) << "{not json";
    Room room;
    const std::string why = lab::load_room_history(room, file);
    EXPECT_NE(why.find(file), std::string::npos) << why;
    EXPECT_NE(why.find("not JSON"), std::string::npos) << why;
    EXPECT_TRUE(room.history().empty());

    std::string err;
    auto rounds = lab::parse_history(
        R"({"rounds":[{"round":4,"answer":"exits","scenario":"x","said_exits":3},)"
        R"({"round":"five","answer":"exits"},{"round":6,"answer":"maybe"}]})",
        &err);
    ASSERT_EQ(rounds.size(), 1u);
    EXPECT_EQ(rounds[0].said_exits, 3u);
    EXPECT_NE(err.find("2 round(s)"), std::string::npos) << err;
    // A text too long for a cell is cut, not kept whole.
    const std::string huge(lab::kMaxHistoryText * 2, 'a');
    rounds = lab::parse_history(R"({"rounds":[{"round":1,"answer":"other","scenario":")" + huge +
                                R"("}]})");
    ASSERT_EQ(rounds.size(), 1u);
    EXPECT_EQ(rounds[0].question.scenario.size(), lab::kMaxHistoryText);
}

TEST(RoomHistory, NoHomeMeansNoFileAndNoError) {
    Room room;
    EXPECT_EQ(lab::load_room_history(room, ""), "");
    EXPECT_EQ(lab::save_room_history(room, ""), "");
}

TEST(RoomServer, AFixedPortAndCodeSurviveACloseAndAPortInUseNamesTheFix) {
    Room room;
    std::uint16_t port = 0;
    {
        RoomServer first(room, {.address = "127.0.0.1", .code = "k7qf3m"});
        port = first.port();
        EXPECT_EQ(first.code(), "K7QF3M");
        try {
            RoomServer second(room, {.address = "127.0.0.1", .port = port});
            FAIL() << "two rooms on one port";
        } catch (const std::runtime_error& e) {
            const std::string m = e.what();
            EXPECT_NE(m.find("in use"), std::string::npos) << m;
            EXPECT_NE(m.find("--room-port"), std::string::npos) << m;
            EXPECT_NE(m.find("--port"), std::string::npos) << m;
        }
    }
    // Closed and opened again (the presenter kept the port and the code): the same URL, so
    // the QR code on the slide and on a handout still works.
    RoomServer again(room, {.address = "127.0.0.1", .port = port, .code = "K7QF3M"});
    EXPECT_EQ(again.url(), "http://127.0.0.1:" + std::to_string(port) + "/K7QF3M/");
}

// Issue 22, defect 11: `daemonlab room` prints a QR code a phone can scan, in half blocks: two
// module rows per line, the 4-module quiet zone light (a block on a dark terminal).
TEST(RoomQr, HalfBlocksWithAQuietZone) {
    const std::string url = "http://192.168.1.20:41234/K7QF3M/";
    const std::string dark = lab::qr_text(url), light = lab::qr_text(url, true);
    ASSERT_FALSE(dark.empty());
    std::vector<std::string> lines;
    for (std::size_t at = 0, nl; (nl = dark.find('\n', at)) != std::string::npos; at = nl + 1)
        lines.push_back(dark.substr(at, nl - at));
    const std::string full = "\u2588";
    // side = modules + 8; each cell is one 3-byte character or a space.
    const std::size_t first = lines.front().size() / full.size();
    EXPECT_GE(first, 21u + 8u);
    EXPECT_EQ(lines.size(), (first + 1) / 2);
    std::string quiet;
    for (std::size_t i = 0; i < first; ++i) quiet += full;
    EXPECT_EQ(lines[0], quiet); // rows 0 and 1: quiet zone
    EXPECT_EQ(lines[1], quiet); // rows 2 and 3: quiet zone
    EXPECT_NE(lines[2], quiet); // rows 4 and 5: the code's finder patterns
    EXPECT_NE(dark, light);
    EXPECT_NE(light.find(' '), std::string::npos);
}

} // namespace
