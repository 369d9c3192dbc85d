// Interpreter shutdown, in real processes: non-daemon threads are joined, daemon threads
// are abandoned, the exit code is the script's.
#include "subprocess.hpp"

#include <gtest/gtest.h>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace ts = testing_support;

static ts::Result probe(const std::string& mode, double timeout = 10) {
    return ts::run({std::string(DAEMONLAB_TEST_DIR) + "/pyrt_probe", mode}, timeout);
}

TEST(Finalize, DaemonThreadIsAbandoned) {
    auto r = probe("daemon-abandoned");
    EXPECT_FALSE(r.timed_out);
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_LT(r.seconds, 5);
}

TEST(Finalize, NonDaemonThreadIsJoined) {
    auto r = probe("non-daemon-joined");
    EXPECT_EQ(r.exit_code, 0);
    auto main_done = r.out.find("main done"), worker_done = r.out.find("worker done");
    ASSERT_NE(main_done, std::string::npos) << r.out;
    ASSERT_NE(worker_done, std::string::npos) << r.out;
    EXPECT_LT(main_done, worker_done); // main ended first, the exit waited for the worker
    EXPECT_GE(r.seconds, 0.2);
}

// The threads shutdown waited for, by name, in order: its shutdown-wait events, with the
// names from the thread events, in a trace mixed with the output (one line per write).
static std::vector<std::string> shutdown_waits(const std::string& out) {
    std::map<std::string, std::string> names; // ident -> name
    std::vector<std::string> waits;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> f;
        std::istringstream fields(line);
        for (std::string x; std::getline(fields, x, '\t');) f.push_back(x);
        if (f.size() < 4) continue;
        auto value = [&](const std::string& key) {
            for (std::size_t i = 3; i < f.size(); ++i)
                if (f[i].starts_with(key + "=")) return f[i].substr(key.size() + 1);
            return std::string();
        };
        if (f[2] == "thread") names[f[1]] = value("name");
        if (f[2] == "shutdown-wait") waits.push_back(value("target"));
    }
    for (std::string& w : waits) w = names.count(w) ? names[w] : "ident " + w;
    return waits;
}

TEST(Finalize, JoinsInCreationOrderAndLateThreadsToo) {
    auto r = probe("join-order");
    EXPECT_EQ(r.exit_code, 0);
    // a before b: creation order, though b was started first; then c, which a started
    // while shutdown waited for it.
    EXPECT_EQ(shutdown_waits(r.out), (std::vector<std::string>{"a", "b", "c"})) << r.out;
    // Each was joined: its last words are all there, in that order, before the exit.
    const auto a = r.out.find("\na done"), b = r.out.find("\nb done"), c = r.out.find("\nc done");
    ASSERT_NE(a, std::string::npos) << r.out;
    ASSERT_NE(b, std::string::npos) << r.out;
    ASSERT_NE(c, std::string::npos) << r.out;
    EXPECT_LT(a, b);
    EXPECT_LT(b, c);
}

TEST(Finalize, ExitCodeIsTheScripts) {
    EXPECT_EQ(probe("exit-code").exit_code, 7);
    auto r = probe("exception");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("boom"), std::string::npos);
}

TEST(Finalize, InheritedNonDaemonThreadKeepsTheProcessAlive) {
    auto r = probe("inherited-hang", 1.0);
    EXPECT_TRUE(r.timed_out); // still alive after a second: then killed by the helper
    EXPECT_EQ(r.signal, SIGKILL);
}
