// The desktop app, run for real under Xvfb: it starts, loads all content, runs a demo
// live and draws what happened. Each test reads back the PNG the app wrote and the JSON
// beside it (what the banner said, which lanes were drawn, which fonts were used).
#include "subprocess.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stb_image.h>

namespace ts = testing_support;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Shot {
    ts::Result process;
    json info;
    int width = 0, height = 0;
    std::vector<unsigned char> rgb;
    // Pixels close to the colour (r, g, b).
    int count(int r, int g, int b) const {
        int n = 0;
        for (std::size_t i = 0; i + 2 < rgb.size(); i += 3)
            n += std::abs(rgb[i] - r) < 12 && std::abs(rgb[i + 1] - g) < 12 &&
                 std::abs(rgb[i + 2] - b) < 12;
        return n;
    }
};

Shot shoot(const std::string& name, std::vector<std::string> args,
           const std::string& fontconfig = "") {
    fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "gui";
    fs::create_directories(dir / "config");
    const std::string png = (dir / (name + ".png")).string();
    fs::remove(png);
    setenv("XDG_CONFIG_HOME", (dir / "config").c_str(), 1);
    if (fontconfig.empty())
        unsetenv("FONTCONFIG_FILE");
    else
        setenv("FONTCONFIG_FILE", fontconfig.c_str(), 1);
    std::vector<std::string> cmd = {"/usr/bin/xvfb-run",
                                    "-a",
                                    "-s",
                                    "-screen 0 1600x1000x24",
                                    std::string(DAEMONLAB_BIN_DIR) + "/daemonlab",
                                    "gui",
                                    "--screenshot",
                                    png};
    cmd.insert(cmd.end(), args.begin(), args.end());
    Shot s;
    s.process = ts::run(cmd, 60);
    unsetenv("FONTCONFIG_FILE");
    std::ifstream in(png + ".json");
    if (in) s.info = json::parse(in, nullptr, false);
    int n = 0;
    if (unsigned char* px = stbi_load(png.c_str(), &s.width, &s.height, &n, 3)) {
        s.rgb.assign(px, px + std::size_t(s.width) * std::size_t(s.height) * 3);
        stbi_image_free(px);
    }
    return s;
}

bool has_cjk(const std::string& s) {
    for (std::size_t i = 0; i + 2 < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0xE4 && static_cast<unsigned char>(s[i]) <= 0xE9)
            return true;
    return false;
}

} // namespace

TEST(Gui, StartsAndLoadsAllContent) {
    Shot s = shoot("start", {"--scenario", "passed-in", "--after", "300"});
    ASSERT_EQ(s.process.exit_code, 0) << s.process.out;
    ASSERT_FALSE(s.info.is_discarded());
    EXPECT_EQ(s.info["scenario"], "passed-in");
    EXPECT_EQ(s.info["lessons"], 7);
    EXPECT_TRUE(s.info["content_errors"].empty()) << s.info["content_errors"].dump();
    EXPECT_EQ(s.width, 1440);
    EXPECT_EQ(s.height, 900);
}

TEST(Gui, LiveHangShowsTheBannerAndThreeLanes) {
    Shot s = shoot("hang", {"--scenario", "threaded-client", "--run", "--lang", "en"});
    ASSERT_EQ(s.process.exit_code, 0) << s.process.out;
    EXPECT_EQ(s.info["verdict"], "hung");
    std::string banner = s.info["banner"].dump();
    EXPECT_NE(banner.find("hung"), std::string::npos) << banner;
    EXPECT_NE(banner.find("recv_events"), std::string::npos) << banner;
    EXPECT_NE(banner.find("inherited from MainThread"), std::string::npos) << banner;
    std::vector<std::string> lanes;
    for (auto& l : s.info["lanes"]) lanes.push_back(l["name"]);
    EXPECT_EQ(lanes, (std::vector<std::string>{"MainThread", "recv_events", "ThreadedClient"}));
    // A real picture, with the lane colours in it: socket read (recv_events), message
    // wait (ThreadedClient), join (MainThread in shutdown).
    EXPECT_GT(s.count(230, 110, 60), 2000);
    EXPECT_GT(s.count(74, 144, 217), 2000);
    EXPECT_GT(s.count(155, 89, 182), 2000);
}

TEST(Gui, DaemonReceiverExits) {
    Shot s = shoot(
        "exit", {"--scenario", "threaded-client", "--run", "--receiver", "daemon", "--lang", "en"});
    ASSERT_EQ(s.process.exit_code, 0) << s.process.out;
    EXPECT_EQ(s.info["verdict"], "exited");
    EXPECT_NE(s.info["banner"].dump().find("exited with code 0"), std::string::npos);
}

TEST(Gui, LanguageSwitchChangesTheText) {
    Shot en = shoot("en", {"--scenario", "threaded-client", "--run", "--lang", "en"});
    Shot zh = shoot("zh", {"--scenario", "threaded-client", "--run", "--lang", "zh"});
    ASSERT_EQ(zh.process.exit_code, 0) << zh.process.out;
    const std::string en_banner = en.info["banner"].dump(-1, ' ', false),
                      zh_banner = zh.info["banner"].dump(-1, ' ', false);
    EXPECT_NE(en_banner, zh_banner);
    EXPECT_FALSE(has_cjk(en_banner));
    EXPECT_TRUE(has_cjk(zh_banner)) << zh_banner;
    EXPECT_FALSE(zh.info["fonts"]["cjk"].is_null());
    EXPECT_NE(en.rgb, zh.rgb); // and what is drawn differs too
}

TEST(Gui, WithoutACjkFontItStillStartsInEnglish) {
    fs::path conf = fs::path(DAEMONLAB_TEST_DIR) / "gui" / "no-fonts.conf";
    fs::create_directories(conf.parent_path());
    std::ofstream(conf)
        << "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n"
           "<fontconfig><cachedir>/tmp/daemonlab-no-fonts-cache</cachedir></fontconfig>\n";
    Shot s = shoot("nocjk", {"--scenario", "threaded-client", "--lang", "zh", "--after", "300"},
                   conf.string());
    ASSERT_EQ(s.process.exit_code, 0) << s.process.out;
    EXPECT_TRUE(s.info["fonts"]["cjk"].is_null());
    EXPECT_EQ(s.info["ui_lang"], "en");
    ASSERT_TRUE(s.info["notice"].is_string());
    EXPECT_NE(s.info["notice"].get<std::string>().find("Chinese font"), std::string::npos);
    EXPECT_FALSE(has_cjk(s.info["banner"].dump(-1, ' ', false)));
}

TEST(Gui, BadFlagIsExitStatusTwo) {
    auto r = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "gui", "--lang", "fr"}, 10);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.out.find("--lang"), std::string::npos);
    auto s = ts::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "--scenario", "nope"}, 10);
    EXPECT_EQ(s.exit_code, 2);
}

TEST(Gui, NoDemoOutlivesTheApp) {
    // The screenshot is taken while the demo may still hang: quitting must kill it.
    Shot s = shoot("quit", {"--scenario", "passed-in", "--run", "--after", "100"});
    ASSERT_EQ(s.process.exit_code, 0) << s.process.out;
    // A demo left behind would have been handed to init (parent 1).
    auto r =
        ts::run({"/usr/bin/pgrep", "-P", "1", "-f", std::string(DAEMONLAB_DEMO_DIR) + "/demo-"}, 5);
    EXPECT_NE(r.exit_code, 0) << "left behind: " << r.out;
}
