// Settings are written safely (issue 12, defect 5): never through a symbolic link, never in
// a directory another user owns, never at a shared predictable path.
#include "gui/app/settings.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace fs = std::filesystem;

namespace {

std::string scratch(const std::string& name) {
    const std::string dir =
        std::string(DAEMONLAB_TEST_DIR) + "/scratch-" + name + "-" + std::to_string(::getpid());
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

bool no_temporaries(const std::string& dir) {
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().ends_with(".tmp")) return false;
    return true;
}

} // namespace

// Another user planted a symbolic link where the settings go: the save is refused and the
// link's target stays as it was.
TEST(SettingsSave, ASymlinkAtThePathIsRefusedAndItsTargetUntouched) {
    const std::string dir = scratch("settings-link");
    fs::create_directories(dir + "/daemonlab");
    std::ofstream(dir + "/victim") << "root-only content\n";
    fs::create_symlink(dir + "/victim", dir + "/daemonlab/settings.toml");
    gui::Settings s;
    s.lang = "zh";
    const std::string err = s.save_to(dir + "/daemonlab/settings.toml");
    EXPECT_NE(err.find("symbolic link"), std::string::npos) << err;
    EXPECT_EQ(slurp(dir + "/victim"), "root-only content\n");
    EXPECT_TRUE(fs::is_symlink(dir + "/daemonlab/settings.toml"));
    EXPECT_TRUE(no_temporaries(dir + "/daemonlab"));
    fs::remove_all(dir);
}

TEST(SettingsSave, ASymlinkedDirectoryIsRefused) {
    const std::string dir = scratch("settings-dirlink");
    fs::create_directories(dir + "/elsewhere");
    fs::create_directory_symlink(dir + "/elsewhere", dir + "/daemonlab");
    gui::Settings s;
    EXPECT_NE(s.save_to(dir + "/daemonlab/settings.toml"), "");
    EXPECT_TRUE(fs::is_empty(dir + "/elsewhere"));
    fs::remove_all(dir);
}

TEST(SettingsSave, WritesThroughATemporaryFileAndReadsBack) {
    const std::string dir = scratch("settings-ok");
    setenv("XDG_CONFIG_HOME", dir.c_str(), 1);
    gui::Settings s;
    s.lang = "both";
    s.theme = "high-contrast";
    ASSERT_TRUE(s.save()) << s.save_to(gui::Settings::path());
    EXPECT_EQ(gui::Settings::path(), dir + "/daemonlab/settings.toml");
    struct stat st {};
    ASSERT_EQ(::stat((dir + "/daemonlab").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(no_temporaries(dir + "/daemonlab"));
    gui::Settings back = gui::Settings::load();
    EXPECT_EQ(back.lang, "both");
    EXPECT_EQ(back.theme, "high-contrast");
    unsetenv("XDG_CONFIG_HOME");
    fs::remove_all(dir);
}

// A directory owned by someone else is not ours to write in (only testable as root).
TEST(SettingsSave, ADirectoryOwnedByAnotherUserIsRefused) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
    const std::string dir = scratch("settings-owner");
    fs::create_directories(dir + "/daemonlab");
    ASSERT_EQ(::chown((dir + "/daemonlab").c_str(), 65534, 65534), 0);
    gui::Settings s;
    EXPECT_NE(s.save_to(dir + "/daemonlab/settings.toml").find("not owned"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir + "/daemonlab/settings.toml"));
    fs::remove_all(dir);
}

// No home: nothing is written anywhere (it used to be /tmp/daemonlab/settings.toml).
TEST(SettingsSave, WithoutAHomeSettingsStayInMemory) {
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    EXPECT_EQ(gui::Settings::path(), "");
    EXPECT_TRUE(gui::Settings::in_memory());
    const bool existed = fs::exists("/tmp/daemonlab/settings.toml");
    gui::Settings s;
    EXPECT_FALSE(s.save());
    if (!existed) {
        EXPECT_FALSE(fs::exists("/tmp/daemonlab/settings.toml"));
    }
    EXPECT_EQ(gui::Settings::load().lang, gui::Settings::locale_lang());
}
