// The room in the desktop app, under Xvfb: `daemonlab gui --room-listen loopback --run` opens
// the room, asks the question of the switches on show, closes the votes when the run starts
// and reveals the run's own verdict; the QR code is drawn.
#include "gui_shot.hpp"
#include "subprocess.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;

// keep_history: the room's history from the shots before stays (it is kept between runs).
json shoot(const std::string& name, std::vector<std::string> args, bool keep_history = false) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "gui-room";
    if (!keep_history) fs::remove(dir / "config" / "daemonlab" / "room-history.json");
    const ts::GuiShot s = ts::gui_shot(dir, name, args);
    EXPECT_EQ(s.process.exit_code, 0) << s.process.out;
    std::ifstream in(s.png + ".json");
    return in ? json::parse(in, nullptr, false) : json();
}

// A loopback port that was free a moment ago (the kernel's choice, then closed).
int unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    int port = -1;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
        port = ntohs(a.sin_port);
    if (fd >= 0) ::close(fd);
    return port;
}

TEST(GuiRoom, TheRoomFollowsTheRunAndRevealsItsVerdict) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    json info = shoot("room-hung", {"--room-listen", "loopback", "--scenario", "threaded-client",
                                    "--receiver", "inherit", "--run", "--lang", "both"});
    ASSERT_TRUE(info.is_object()) << "no description written";
    const json& room = info["room"];
    ASSERT_TRUE(room.is_object()) << info.dump(2);
    EXPECT_TRUE(room["url"].get<std::string>().starts_with("http://127.0.0.1:")) << room;
    EXPECT_GE(room["qr_modules"].get<int>(), 21 + 8); // version 1 at least, with the quiet zone
    EXPECT_EQ(room["scenario"], "threaded-client");
    EXPECT_EQ(room["phase"], "revealed") << room;
    EXPECT_EQ(room["answer"], "hangs") << room; // what this run did (inherit: hangs)
    EXPECT_EQ(room["history_rounds"], 1);

    info = shoot("room-exits", {"--room-listen", "loopback", "--scenario", "threaded-client",
                                "--receiver", "daemon", "--run"});
    EXPECT_EQ(info["room"]["answer"], "exits") << info["room"];
}

// Issue 22, defect 3: the join slide fills the window with nothing outside it, at 1280x720 and
// ×2.2 text; once the run starts it gives way to a small corner badge.
TEST(GuiRoom, TheJoinSlideFitsAndTheBadgeIsSmall) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    auto inside = [](const json& info) {
        const json& win = info["layout"]["window"];
        const json& d = info["room"]["drawn"];
        return d[0].get<double>() >= 0 && d[1].get<double>() >= 0 &&
               d[2].get<double>() <= win[0].get<double>() &&
               d[3].get<double>() <= win[1].get<double>();
    };
    for (const char* scale : {"1.0", "2.2"}) {
        json info = shoot(std::string("room-slide-") + scale,
                          {"--size", "1280x720", "--font-scale", scale, "--room-listen", "loopback",
                           "--lang", "both"});
        ASSERT_TRUE(info["room"].is_object()) << info.dump(2);
        EXPECT_EQ(info["room"]["slide"], true) << scale;
        EXPECT_TRUE(inside(info)) << scale << ": " << info["room"]["drawn"] << " in "
                                  << info["layout"]["window"];
    }
    json info = shoot("room-badge", {"--size", "1440x900", "--room-listen", "loopback",
                                     "--scenario", "threaded-client", "--run", "--lang", "both"});
    ASSERT_TRUE(info["room"].is_object()) << info.dump(2);
    EXPECT_EQ(info["room"]["slide"], false);
    EXPECT_TRUE(inside(info)) << info["room"]["drawn"];
    const json& d = info["room"]["drawn"];
    const double area =
        (d[2].get<double>() - d[0].get<double>()) * (d[3].get<double>() - d[1].get<double>());
    EXPECT_LT(area, 1440.0 * 900 * 0.03) << d; // a corner, not a panel
}

// Issue 22, defects 2 and 4: the revealed rounds survive the app's restart (saved like the
// settings), the presenter's port and code are the room's again (--room-port, --room-code),
// and the tally is hidden until the reveal unless the presenter shows it.
TEST(GuiRoom, HistorySurvivesARestartOnTheSamePortAndCode) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    const int free_port = unused_port(); // nobody listens there (closed before the app starts)
    ASSERT_GT(free_port, 0);
    const std::string port = std::to_string(free_port);
    const std::vector<std::string> args = {
        "--room-listen", "loopback",        "--room-port", port,     "--room-code", "k7qf3m",
        "--scenario",    "threaded-client", "--receiver",  "daemon", "--run"};
    json info = shoot("room-day-1", args);
    ASSERT_TRUE(info["room"].is_object()) << info.dump(2);
    EXPECT_EQ(info["room"]["port"], free_port);
    EXPECT_EQ(info["room"]["code"], "K7QF3M");
    EXPECT_EQ(info["room"]["url"], "http://127.0.0.1:" + port + "/K7QF3M/");
    EXPECT_EQ(info["room"]["show_tally"], false);
    EXPECT_EQ(info["room"]["history_rounds"], 1);
    info = shoot("room-day-2", args, true); // the app again, the next day
    ASSERT_TRUE(info["room"].is_object()) << info.dump(2);
    EXPECT_EQ(info["room"]["url"], "http://127.0.0.1:" + port + "/K7QF3M/");
    EXPECT_EQ(info["room"]["history_rounds"], 2) << info["room"];
}

TEST(GuiRoom, ABadAddressIsShownNotFatal) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    json info = shoot("room-bad", {"--room-listen", "203.0.113.7"}); // not this machine's
    ASSERT_TRUE(info.is_object());
    EXPECT_TRUE(info["room"].is_null()); // no room, and the app still ran
}

// Issue 23 item 7: --screenshot's description (PNG.json) is written like every other file,
// through the safe path: a symbolic link there is refused, its target untouched.
TEST(GuiRoom, TheScreenshotsDescriptionFollowsNoLink) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "gui-room";
    fs::create_directories(dir / "config");
    const std::string png = (dir / "linked.png").string(), target = (dir / "target.txt").string();
    fs::remove(png);
    fs::remove(png + ".json");
    std::ofstream(target) << "keep me\n";
    fs::create_symlink(target, png + ".json");
    setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
    const ts::Result r =
        ts::run({"/usr/bin/xvfb-run", "-a", "-s", "-screen 0 1280x720x24",
                 std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "gui", "--screenshot", png},
                60);
    EXPECT_NE(r.exit_code, 0) << r.out; // it says it could not write
    EXPECT_NE(r.out.find("symbolic link"), std::string::npos) << r.out;
    std::ifstream in(target);
    EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "keep me\n");
    EXPECT_TRUE(fs::is_symlink(png + ".json"));
}

} // namespace
