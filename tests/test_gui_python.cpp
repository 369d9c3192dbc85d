// The CPython engine in the desktop app (issue 19), under Xvfb, as a user sees it: the exit's
// stages drawn along the time axis of a real run (main, threading's exit hooks, the join of
// the non-daemon threads, the atexit handlers, finalization) in each language; the
// interpreter picker listing the interpreters on this machine; "Run on every Python" giving
// one run per version, one above the other, each with the verdict of its real run.
#include "gui/picture/png_text.hpp"
#include "gui_shot.hpp"
#include "subprocess.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <unistd.h>

namespace {

namespace fs = std::filesystem;
namespace ts = testing_support;
using nlohmann::json;

json shoot(const std::string& name, std::vector<std::string> args,
           const std::string& screen = "-screen 0 1600x1000x24", double timeout_s = 120) {
    const ts::GuiShot s =
        ts::gui_shot(fs::path(DAEMONLAB_TEST_DIR) / "gui-python", name, args, screen, timeout_s);
    EXPECT_EQ(s.process.exit_code, 0) << s.process.out;
    std::ifstream in(s.png + ".json");
    return in ? json::parse(in, nullptr, false) : json();
}

fs::path program(const std::string& name, const std::string& code) {
    const fs::path p = fs::path(DAEMONLAB_TEST_DIR) / "gui-python" / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << code;
    return p;
}

// The timeline's texts of one kind ("stage", "verdict"...), as drawn.
std::vector<json> drawn(const json& info, const std::string& what) {
    std::vector<json> out;
    for (const json& t : info["layout"]["timeline"]["texts"])
        if (t["what"] == what) out.push_back(t);
    return out;
}

bool has_text(const std::vector<json>& texts, const std::string& s) {
    return std::any_of(texts.begin(), texts.end(), [&](const json& t) {
        return t["text"].get<std::string>().find(s) != std::string::npos;
    });
}

// A program that goes through every stage and exits: a pool worker joined by
// concurrent.futures' exit hook, a non-daemon thread joined after it, an atexit handler.
const char* kEveryStage = "import atexit, threading, time\n"
                          "from concurrent.futures import ThreadPoolExecutor\n"
                          "pool = ThreadPoolExecutor(max_workers=1)\n"
                          "pool.submit(time.sleep, 0.3)\n"
                          "threading.Thread(target=time.sleep, args=(0.6,), name='late').start()\n"
                          "atexit.register(print, 'bye')\n"
                          "print('main is done')\n";

bool skip_without_python() {
    return access("/usr/bin/xvfb-run", X_OK) != 0 || access("/usr/bin/python3", X_OK) != 0;
}

} // namespace

TEST(GuiPython, TheTimelineDrawsTheExitStagesInEachLanguage) {
    if (skip_without_python()) GTEST_SKIP() << "no xvfb-run or /usr/bin/python3 (apt-get install)";
    const fs::path prog = program("every_stage.py", kEveryStage);
    const std::map<std::string, std::vector<std::string>> words = {
        {"en",
         {"main", "threading's exit hooks", "join of non-daemon threads", "atexit handlers",
          "finalize"}},
        {"zh",
         {"主程序", "threading 的退出钩子", "join 非守护线程", "atexit 处理函数", "解释器收尾"}},
    };
    for (const char* lang : {"en", "zh", "both"}) {
        for (const char* size : {"1280x720", "1920x1080"}) {
            SCOPED_TRACE(std::string(lang) + " " + size);
            const json info = shoot(std::string("stages-") + lang + "-" + size,
                                    {"--program", prog.string(), "--python", "/usr/bin/python3",
                                     "--run", "--lang", lang, "--size", size},
                                    "-screen 0 1920x1080x24");
            ASSERT_TRUE(info.is_object());
            ASSERT_EQ(info["verdict"], "exited") << info["banner"].dump();
            const std::vector<json> stages = drawn(info, "stage");
            for (const auto& [l, ws] : words) {
                if (std::string(lang) != "both" && l != lang) continue;
                for (const std::string& w : ws) EXPECT_TRUE(has_text(stages, w)) << w;
            }
            // Each label fits where it was drawn: its band, or the timeline beneath it.
            for (const json& t : stages) {
                const json &a = t["rect"], &g = t["region"];
                EXPECT_GE(a[0].get<double>(), g[0].get<double>() - 0.5) << t["text"];
                EXPECT_LE(a[2].get<double>(), g[2].get<double>() + 0.5) << t["text"];
            }
            EXPECT_FALSE(drawn(info, "stage-title").empty());
        }
    }
}

// The hang of pool_atexit is in concurrent.futures' exit hook: the bands end there (the
// atexit handlers never run), and the explanation names the stage.
TEST(GuiPython, APoolJoinedAtExitHangsInTheHooksStage) {
    if (skip_without_python()) GTEST_SKIP() << "no xvfb-run or /usr/bin/python3 (apt-get install)";
    const std::string prog =
        std::string(DAEMONLAB_SOURCE_DIR) + "/demos/python/family/pool_atexit.py";
    const json info = shoot("pool-atexit", {"--program", prog, "--python", "/usr/bin/python3",
                                            "--run", "--lang", "en"});
    ASSERT_TRUE(info.is_object());
    ASSERT_EQ(info["verdict"], "hung") << info["banner"].dump();
    const std::vector<json> stages = drawn(info, "stage");
    EXPECT_TRUE(has_text(stages, "main"));
    EXPECT_TRUE(has_text(stages, "threading's exit hooks"));
    EXPECT_FALSE(has_text(stages, "atexit handlers")) << "the atexit handlers never ran";
    EXPECT_FALSE(has_text(stages, "finalize"));
    const std::string banner = info["banner"].dump();
    EXPECT_NE(banner.find("concurrent.futures' exit hook"), std::string::npos) << banner;
}

// The minor versions 3.9–3.13 that pyenv has here (looked at independently of the app).
std::set<int> pyenv_minors() {
    std::set<int> out;
    std::string root;
    if (const char* r = std::getenv("PYENV_ROOT"))
        root = r;
    else if (const char* h = std::getenv("HOME"))
        root = std::string(h) + "/.pyenv";
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(fs::path(root) / "versions", ec)) {
        const std::string n = e.path().filename().string();
        int major = 0, minor = 0;
        if (std::sscanf(n.c_str(), "%d.%d", &major, &minor) == 2 && major == 3 && minor >= 9 &&
            minor <= 13 && fs::exists(e.path() / "bin/python3", ec))
            out.insert(minor);
    }
    return out;
}

TEST(GuiPython, ThePickerListsTheInterpretersAndRunsOnEveryVersion) {
    if (skip_without_python()) GTEST_SKIP() << "no xvfb-run or /usr/bin/python3 (apt-get install)";
    const fs::path prog = program("poller.py", "import threading\n"
                                               "stop = threading.Event()\n"
                                               "threading.Thread(target=stop.wait, "
                                               "name='poller').start()\n"
                                               "print('main is done')\n");
    const fs::path out = fs::path(DAEMONLAB_TEST_DIR) / "gui-python" / "every-export";
    fs::remove_all(out);
    fs::create_directories(out);
    const json info =
        shoot("every-python",
              {"--program", prog.string(), "--python", "/usr/bin/python3", "--run",
               "--every-python", "--lang", "en", "--export", "png", "--export-dir", out.string()});
    ASSERT_TRUE(info.is_object());
    const json& py = info["python"];
    // The picker: each pyenv version and Debian's python3.11 are listed.
    std::set<int> listed;
    for (const json& c : py["choices"]) {
        const std::string l = c["label"];
        int minor = 0;
        if (std::sscanf(l.c_str(), "Python 3.%d", &minor) == 1) listed.insert(minor);
    }
    std::set<int> expected = pyenv_minors();
    expected.insert(11); // /usr/bin/python3 is Debian's 3.11
    for (int m = 9; m <= 13; ++m) {
        if (!expected.count(m)) {
            std::printf("[  SKIPPED ] Python 3.%d: not installed here (pyenv install 3.%d)\n", m,
                        m);
            continue;
        }
        EXPECT_TRUE(listed.count(m)) << "3." << m << " is not in the picker: " << py.dump(1);
    }
    bool drew_picker = false, drew_every = false;
    for (const json& d : py["drawn"]) {
        drew_picker |= d["what"] == "python.picker";
        drew_every |= d["what"] == "python.every";
    }
    EXPECT_TRUE(drew_picker && drew_every) << py["drawn"].dump();
    // "Run on every Python": one run per version listed, oldest first, each really run
    // (its interpreter reported its own version) and each hung on the poller.
    EXPECT_FALSE(py["sweeping"].get<bool>());
    const json& every = py["every"];
    ASSERT_EQ(every.size(), listed.size()) << every.dump(1);
    int last = 0;
    std::vector<std::string> versions;
    for (const json& r : every) {
        versions.push_back(r["version"]);
        // Each run before the last was a hang kept alive, ended when the sweep moved on: by
        // DaemonLab after the hang was confirmed, not "by you" (nobody pressed Kill).
        if (&r != &every.back()) {
            EXPECT_EQ(r["killed_by"], "hang") << r.dump();
        }
        const std::string v = r["version"];
        int minor = 0;
        ASSERT_EQ(std::sscanf(v.c_str(), "3.%d", &minor), 1) << r.dump();
        EXPECT_GT(minor, last) << "not one per version, oldest first";
        last = minor;
        EXPECT_EQ(r["verdict"], "hung") << r.dump();
        bool poller = false;
        for (const json& l : r["lanes"]) poller |= l["name"] == "poller";
        EXPECT_TRUE(poller) << r.dump();
    }
    // The timeline shows them all, one above the other: a verdict header each.
    EXPECT_EQ(drawn(info, "verdict").size(), every.size());
    // The PNG export has them all too, each labelled with its interpreter's version (issue
    // 19, item 8), as the lesson export has both runs: its tEXt lists each version with its
    // verdict, and its height grows with the runs (a lane or more each).
    ASSERT_EQ(info["exports"].size(), 1u) << info["exports"].dump();
    const json& e = info["exports"][0];
    ASSERT_TRUE(e["error"].is_null()) << e.dump();
    const std::string path = e["path"];
    EXPECT_NE(path.find("-every-python-"), std::string::npos) << path;
    std::ifstream png(path, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(png)), {});
    std::map<std::string, std::string> meta;
    for (const auto& [k, v] : gui::read_png_text(bytes)) meta[k] = v;
    const std::string& listed_runs = meta["daemonlab:every-python"];
    std::size_t at = 0;
    for (const std::string& v : versions) {
        const std::size_t found = listed_runs.find(v + " hung", at);
        EXPECT_NE(found, std::string::npos) << v << " is not in \"" << listed_runs << "\"";
        if (found != std::string::npos) at = found; // in the order of the runs
    }
    EXPECT_EQ(meta["daemonlab:previous"], "") << "the sweep's runs, not a lone previous run";
    EXPECT_GT(e["height"].get<int>(), 250 * int(versions.size())) << e.dump();
}

// "Set up real Python" in the app (issue 19, item 11): the same set-up as
// `daemonlab setup-python`, here from local wheels of ../shared/vendor (never the network).
// With nothing to install from it says so and the picker gains nothing; with the wheels it
// makes 12.0, 13.0 and the newest, and the picker offers "websockets 12.0 (real)" and
// "websockets 13.0 (real)", on which a lesson then really runs.
TEST(GuiPython, SetUpRealPythonFillsThePickerOrSaysWhatFailed) {
    if (skip_without_python()) GTEST_SKIP() << "no xvfb-run or /usr/bin/python3 (apt-get install)";
    const std::string vendor = ts::vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here: no wheels to install";
    if (ts::run({"/usr/bin/python3", "-c", "import venv, ensurepip"}, 30).exit_code != 0)
        GTEST_SKIP() << "/usr/bin/python3 has no venv/ensurepip: apt-get install python3-venv";
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "gui-python" / "setup";
    fs::remove_all(dir);
    const fs::path wheels = dir / "wheels", empty = dir / "empty", data = dir / "data";
    fs::create_directories(empty);
    ASSERT_EQ(ts::run({"/usr/bin/python3",
                       std::string(DAEMONLAB_SOURCE_DIR) + "/tests/python/make_wheels.py", vendor,
                       wheels.string()},
                      60)
                  .exit_code,
              0);
    setenv("XDG_DATA_HOME", data.c_str(), 1);
    const std::vector<std::string> common = {"--engine",         "python",     "--python",
                                             "/usr/bin/python3", "--scenario", "threaded-client",
                                             "--setup-python",   "--lang",     "en"};
    auto with = [&](std::vector<std::string> more) {
        more.insert(more.begin(), common.begin(), common.end());
        return more;
    };
    // Nowhere to install from: the error in words, no environment listed.
    // pip and three venvs: minutes on a busy 2-core machine.
    const std::string screen = "-screen 0 1600x1000x24";
    json info = shoot("setup-offline", with({"--find-links", empty.string()}), screen, 900);
    ASSERT_TRUE(info.is_object());
    json setup = info["python"]["setup"];
    EXPECT_FALSE(setup["running"].get<bool>());
    EXPECT_NE(setup["error"].get<std::string>().find("cannot download"), std::string::npos)
        << setup.dump();
    for (const json& c : info["python"]["choices"]) EXPECT_NE(c["where"], "real") << c.dump();

    // From the wheels: made, listed with their names, at full share.
    info = shoot("setup-wheels", with({"--find-links", wheels.string()}), screen, 900);
    ASSERT_TRUE(info.is_object());
    setup = info["python"]["setup"];
    EXPECT_EQ(setup["error"], "") << setup.dump();
    EXPECT_EQ(setup["share"].get<double>(), 1.0);
    ASSERT_EQ(setup["made"].size(), 3u) << setup.dump();
    std::map<std::string, std::string> real; // label → interpreter
    for (const json& c : info["python"]["choices"])
        if (c["where"] == "real") real[c["label"]] = c["path"];
    ASSERT_TRUE(real.count("websockets 12.0 (real)")) << info["python"].dump(1);
    ASSERT_TRUE(real.count("websockets 13.0 (real)")) << info["python"].dump(1);

    // "Real 12.0 vs 13.0": the lesson on each, one above the other; on the real 12.0 it
    // hangs (the receiver inherits main's flag), on the real 13.0 it exits (a daemon).
    const json pair = shoot("real-pair", {"--engine", "python", "--python", "/usr/bin/python3",
                                          "--scenario", "threaded-client", "--receiver", "library",
                                          "--run", "--real-websockets", "--lang", "en"});
    ASSERT_TRUE(pair.is_object());
    const json& every = pair["python"]["every"];
    ASSERT_EQ(every.size(), 2u) << pair["python"].dump(1) << pair["notice"];
    EXPECT_EQ(every[0]["websockets"], "12.0");
    EXPECT_EQ(every[0]["verdict"], "hung") << every[0].dump();
    EXPECT_EQ(every[1]["websockets"], "13.0");
    EXPECT_EQ(every[1]["verdict"], "exited") << every[1].dump();
    EXPECT_EQ(drawn(pair, "verdict").size(), 2u);
    unsetenv("XDG_DATA_HOME");
}
