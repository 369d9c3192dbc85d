// Interpreter shutdown, in real processes: non-daemon threads are joined, daemon threads
// are abandoned, the exit code is the script's.
#include "subprocess.hpp"

#include <gtest/gtest.h>

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

TEST(Finalize, JoinsInCreationOrderAndLateThreadsToo) {
    auto r = probe("join-order");
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_NE(r.out.find("a done"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("b done"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("c done"), std::string::npos) << r.out; // started during shutdown
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
