// `daemonlab setup-python`: private virtual environments with the real websockets 12.0, 13.0
// and the newest, through the interpreter's venv and pip; here from local wheels built from
// ../shared/vendor (tests/python/make_wheels.py), never the network.
#include "lab/run/setup_python.hpp"
#include "subprocess.hpp"

#include "wait.hpp"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <mutex>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;
namespace ts = testing_support;

namespace {

const char* kPython = "/usr/bin/python3";

ts::Result daemonlab(std::vector<std::string> args, double timeout = 600) {
    args.insert(args.begin(), std::string(DAEMONLAB_BIN_DIR) + "/daemonlab");
    return ts::run(std::move(args), timeout);
}

bool has_venv() {
    return ts::run({kPython, "-c", "import venv, ensurepip"}, 30).exit_code == 0;
}

std::vector<std::string> leftovers(const fs::path& root) {
    std::vector<std::string> out;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(root, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it.depth() > 2) it.disable_recursion_pending();
        if (it->path().filename().string().find(".tmp-") != std::string::npos)
            out.push_back(it->path().string());
    }
    return out;
}

} // namespace

TEST(SetupPython, MakesEachVersionOnceFromLocalWheelsAndLeavesNothingHalfMade) {
    const std::string vendor = ts::vendor_dir();
    if (vendor.empty())
        GTEST_SKIP() << "../shared/vendor/websockets is not here: no wheels to install";
    if (!has_venv())
        GTEST_SKIP() << kPython << " has no venv/ensurepip: apt-get install python3-venv";
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "setup-python";
    fs::remove_all(dir);
    const fs::path wheels = dir / "wheels", empty = dir / "empty", data = dir / "data";
    fs::create_directories(empty);
    ASSERT_EQ(ts::run({kPython, std::string(DAEMONLAB_SOURCE_DIR) + "/tests/python/make_wheels.py",
                       vendor, wheels.string()},
                      60)
                  .exit_code,
              0);
    ::setenv("XDG_DATA_HOME", data.c_str(), 1);

    // No network (here: nowhere to install from): a clear message, nothing left behind.
    ts::Result r = daemonlab({"setup-python", "--python", kPython, "--find-links", empty.string()});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("cannot download"), std::string::npos) << r.out;
    EXPECT_TRUE(leftovers(data).empty()) << leftovers(data).front();
    EXPECT_TRUE(lab::real_pythons().empty());

    r = daemonlab({"setup-python", "--python", kPython, "--find-links", wheels.string()});
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("[1/3] websockets 12.0: making a virtual environment"), std::string::npos)
        << r.out;
    const std::vector<lab::RealPython> made = lab::real_pythons();
    ASSERT_EQ(made.size(), 3u) << r.out;
    EXPECT_EQ(made[0].websockets, "12.0");
    EXPECT_EQ(made[1].websockets, "13.0");
    EXPECT_EQ(made[2].websockets, "15.0.1"); // the newest of the wheels
    for (const lab::RealPython& p : made) {
        EXPECT_TRUE(p.python.starts_with((data / "daemonlab/python/").string())) << p.python;
        const ts::Result v = ts::run({p.python, "-c",
                                      "import websockets.sync.client, websockets.version as v; "
                                      "print(v.version)"},
                                     60);
        EXPECT_EQ(v.out, p.websockets + "\n") << p.python;
    }
    EXPECT_TRUE(leftovers(data).empty());

    // A second run reuses all three, even offline.
    r = daemonlab({"setup-python", "--python", kPython, "--find-links", empty.string()});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    EXPECT_EQ(r.out.find("making a virtual environment"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("websockets 13.0: already there"), std::string::npos) << r.out;
    ::unsetenv("XDG_DATA_HOME");
}

TEST(SetupPython, APythonWithoutVenvIsToldWhichPackageToInstall) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "setup-python-novenv";
    fs::create_directories(dir);
    // Debian's python3 without python3-venv: it runs, but has no ensurepip.
    const fs::path fake = dir / "python3";
    std::ofstream(fake)
        << "#!/bin/sh\nexec " << kPython
        << " -c \"import sys; print('3.11.2'); print(\\\"No module named 'ensurepip'\\\")\"\n";
    fs::permissions(fake, fs::perms::owner_all);
    ::setenv("XDG_DATA_HOME", (dir / "data").c_str(), 1);
    const ts::Result r = daemonlab({"setup-python", "--python", fake.string()});
    ::unsetenv("XDG_DATA_HOME");
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("apt-get install python3-venv"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir / "data/daemonlab/python")) << "nothing made";
}

// Issue 19, item 11: "Cancel" (the app's button; SetupOptions::cancel) stops pip and everything
// it started, and leaves nothing half-made, as when there is no network. The interpreter here
// is a stand-in whose pip never ends and starts a child of its own (a real pip that hangs on a
// slow mirror): both are gone soon after the cancel, and so is the environment being made.
TEST(SetupPython, CancelStopsPipAndAllItStartedAndLeavesNothingHalfMade) {
    const fs::path dir = fs::path(DAEMONLAB_TEST_DIR) / "setup-python-cancel";
    fs::remove_all(dir);
    fs::create_directories(dir);
    const fs::path pids = dir / "pids", fake = dir / "python3";
    // The probe's answer; `-m venv DIR` makes DIR/bin/python (this script); `-m pip` writes its
    // pid and its child's, and waits for ever.
    std::ofstream(fake)
        << "#!/bin/sh\n"
           "if [ \"$1\" = -c ]; then echo 3.11.2; echo venv; exit 0; fi\n"
           "if [ \"$2\" = venv ]; then mkdir -p \"$3/bin\" && cp \"$0\" \"$3/bin/python\"; "
           "exit; fi\n"
           "sleep 600 & echo $$ $! >> '"
        << pids.string() << "'\nwait\n";
    fs::permissions(fake, fs::perms::owner_all);
    lab::SetupOptions o;
    o.python = fake.string();
    o.root = (dir / "data").string();
    std::atomic<bool> cancel = false;
    o.cancel = &cancel;
    std::mutex mu;
    std::string said;
    std::string err;
    std::vector<lab::RealPython> made;
    std::thread setup([&] {
        err = lab::setup_python(o, made, [&](std::string_view line) {
            std::lock_guard lock(mu);
            said += std::string(line) + "\n";
        });
    });
    auto pip_pids = [&] {
        std::ifstream in(pids);
        std::vector<int> out;
        for (int pid = 0; in >> pid;) out.push_back(pid);
        return out;
    };
    const bool installing =
        ts::eventually([&] { return pip_pids().size() == 2; }, std::chrono::seconds(20));
    const auto asked = std::chrono::steady_clock::now();
    cancel = true;
    setup.join();
    const double took_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - asked).count();
    ASSERT_TRUE(installing) << said;
    EXPECT_NE(said.find("websockets 12.0: installing through pip"), std::string::npos) << said;
    EXPECT_EQ(err, lab::kSetupCancelled);
    EXPECT_TRUE(made.empty());
    EXPECT_LT(took_s, 3.0) << "pip was not stopped at once";
    for (int pid : pip_pids())
        EXPECT_TRUE(ts::eventually([&] { return !ts::alive(pid); }, std::chrono::seconds(5)))
            << "process " << pid << " (pip or its child) outlived the cancel";
    EXPECT_TRUE(leftovers(dir / "data").empty()) << leftovers(dir / "data").front();
    EXPECT_TRUE(lab::real_pythons(o.root).empty());
}
