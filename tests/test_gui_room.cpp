// The room in the desktop app, under Xvfb: `daemonlab gui --room-listen loopback --run` opens
// the room, asks the question of the switches on show, closes the votes when the run starts
// and reveals the run's own verdict; the QR code is drawn.
#include "gui_shot.hpp"
#include "subprocess.hpp"

#include "wait.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <memory>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;

// This test's own directory (and so its own settings and room history): ctest runs these tests
// in parallel, and one test's clean start must not remove another's history mid-test.
fs::path test_dir() {
    return fs::path(DAEMONLAB_TEST_DIR) / "gui-room" /
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

// keep_history: the room's history from the shots before stays (it is kept between runs).
json shoot(const std::string& name, std::vector<std::string> args, bool keep_history = false) {
    const fs::path dir = test_dir();
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
    // Issue 24 item 11: it covers none of the lab view's controls (Run, Will it exit?, the
    // exports), nor the code pane, nor the banner.
    auto overlaps = [&](const json& r) {
        return std::min(d[2].get<double>(), r[2].get<double>()) -
                       std::max(d[0].get<double>(), r[0].get<double>()) >
                   1 &&
               std::min(d[3].get<double>(), r[3].get<double>()) -
                       std::max(d[1].get<double>(), r[1].get<double>()) >
                   1;
    };
    const json& L = info["layout"];
    ASSERT_GE(L["controls"].size(), 5u) << L["controls"];
    for (const json& c : L["controls"])
        EXPECT_FALSE(overlaps(c["rect"])) << "the badge covers " << c["what"];
    EXPECT_FALSE(overlaps(L["code"]["pane"])) << "the badge covers the code";
    EXPECT_FALSE(overlaps(L["banner"])) << "the badge covers the banner";
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

std::int64_t monotonic_ns() { // the app's clock (CLOCK_MONOTONIC): its script log uses it
    timespec t{};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return std::int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec;
}

// A phone in the room, over a real WebSocket: every state message, with when it came.
struct Phone {
    boost::asio::io_context ioc;
    using Stream = boost::beast::websocket::stream<boost::asio::ip::tcp::socket>;
    std::unique_ptr<Stream> ws; // a new one for each try: a failed one is not used again
    std::vector<std::pair<std::int64_t, json>> states;

    bool join(int port, const std::string& code) {
        ws = std::make_unique<Stream>(ioc);
        boost::beast::error_code ec;
        ws->next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), std::uint16_t(port)},
                                 ec);
        if (!ec)
            ws->handshake("127.0.0.1:" + std::to_string(port), "/" + code + "/ws?id=phone-0001",
                          ec);
        return !ec;
    }
    // Reads until a state says `phase` (returns it), or the connection ends (null).
    json until(const std::string& phase) {
        for (;;) {
            boost::beast::flat_buffer b;
            boost::beast::error_code ec;
            ws->read(b, ec);
            if (ec) return nullptr;
            json j = json::parse(boost::beast::buffers_to_string(b.data()), nullptr, false);
            if (!j.is_object() || j["t"] != "state") continue;
            states.emplace_back(monotonic_ns(), j);
            if (j["phase"] == phase) return j;
        }
    }
    void vote(std::uint64_t round, const char* what) {
        ws->write(boost::asio::buffer(json{{"round", round}, {"vote", what}}.dump()));
    }
};

// Issue 22, defect 4: the presenter holds the verdict and reveals it on cue. The app is driven
// as a presenter would (--script: clicks on the badge's settings, Run, the R key) while a real
// phone votes and watches: with auto-reveal off the verdict stays hidden from the phone; R
// starts the 3 s countdown on the presenter's badge, and the phone gets the answer when it
// ends, not before. The keep-address checkbox lets go of the port and code, and keeps them again.
TEST(GuiRoom, RevealOnCueWithACountdownAndTheKeptAddress) {
    if (access("/usr/bin/xvfb-run", X_OK) != 0)
        GTEST_SKIP() << "no xvfb-run (apt-get install xvfb)";
    const int port = unused_port();
    ASSERT_GT(port, 0);
    const std::string code = "R7VW2K";
    const fs::path dir = test_dir();
    fs::remove(dir / "config" / "daemonlab" / "room-history.json");
    const std::vector<std::string> args = {
        "--size",
        "1440x900",
        "--room-listen",
        "loopback",
        "--room-port",
        std::to_string(port),
        "--room-code",
        code,
        "--scenario",
        "threaded-client",
        "--receiver",
        "daemon",
        "--lang",
        "both",
        "--script",
        "click:room.slide-hide,click:room.more,click:room.auto-reveal,click:room.countdown-3,"
        "click:room.keep-address,click:room.keep-address,attendees:1,run,verdict,key:R,revealed"};
    ts::GuiShot shot;
    std::thread app(
        [&] { shot = ts::gui_shot(dir, "room-cue", args, "-screen 0 1600x1000x24", 120); });
    Phone phone;
    const bool joined =
        ts::eventually([&] { return phone.join(port, code); }, std::chrono::seconds(60));
    json voting, running, revealed;
    if (joined) {
        voting = phone.until("voting");
        if (voting.is_object()) phone.vote(voting["round"].get<std::uint64_t>(), "exits");
        running = phone.until("running");
        revealed = phone.until("revealed");
    }
    const std::int64_t revealed_at = phone.states.empty() ? 0 : phone.states.back().first;
    app.join();
    ASSERT_TRUE(joined) << "the phone never got into the room: " << shot.process.out;
    ASSERT_EQ(shot.process.exit_code, 0) << shot.process.out;
    std::ifstream in(shot.png + ".json");
    const json info = json::parse(in, nullptr, false);
    ASSERT_TRUE(info.is_object());
    const json& script = info["script"];
    ASSERT_EQ(script["done"], true) << script.dump(2);
    auto step = [&](const std::string& name) {
        for (const json& s : script["steps"])
            if (s["step"] == name) return s;
        return json();
    };
    // The keep-address box, clicked twice: the port and code let go, then kept again.
    std::vector<json> fixed;
    for (const json& s : script["steps"])
        if (s["step"] == "click:room.keep-address") fixed.push_back(s["fixed"]);
    ASSERT_EQ(fixed.size(), 2u);
    EXPECT_EQ(fixed[0], json({{"port", 0}, {"code", ""}}));
    EXPECT_EQ(fixed[1], json({{"port", port}, {"code", code}}));
    EXPECT_EQ(info["room"]["fixed"], json({{"port", port}, {"code", code}}));
    // The verdict came and was held: the phone still saw the run, not an answer.
    EXPECT_EQ(step("verdict")["held"], true) << script.dump(2);
    EXPECT_EQ(step("verdict")["phase"], "running");
    // R: the countdown on the presenter's badge; the phone gets the answer when it ends.
    const json r = step("key:R");
    EXPECT_EQ(r["counting_down"], true) << script.dump(2);
    ASSERT_TRUE(revealed.is_object()) << "the phone saw no reveal";
    const std::int64_t pressed = r["t_ns"].get<std::int64_t>();
    for (const auto& [t, st] : phone.states) {
        if (t < pressed) {
            EXPECT_NE(st["phase"], "revealed") << "revealed before R";
        }
    }
    EXPECT_GE(revealed_at - pressed, 2'900'000'000) << "no countdown";
    EXPECT_LT(revealed_at - pressed, 6'000'000'000) << "the reveal came late";
    EXPECT_EQ(revealed["result"]["answer"], "exits") << revealed;
    EXPECT_EQ(info["room"]["phase"], "revealed");
    EXPECT_EQ(info["room"]["counting_down"], false);
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
    const fs::path dir = test_dir();
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
