// The terminal tool, as a user runs it.
#include "subprocess.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ts = testing_support;
using nlohmann::json;

static ts::Result daemonlab(std::vector<std::string> args, double timeout = 60) {
    args.insert(args.begin(), std::string(DAEMONLAB_BIN_DIR) + "/daemonlab");
    return ts::run(std::move(args), timeout);
}

TEST(Cli, ListsEveryScenarioInBothLanguages) {
    auto r = daemonlab({"list"});
    EXPECT_EQ(r.exit_code, 0);
    for (const char* id : {"threaded-client", "inside-thread", "passed-in", "explicit-close",
                           "with-block", "async-client", "sandbox"})
        EXPECT_NE(r.out.find(id), std::string::npos) << id;
    EXPECT_NE(r.out.find("主线程"), std::string::npos);
    EXPECT_NE(r.out.find("main thread"), std::string::npos);
}

TEST(Cli, RunShowsTheHangAndItsReason) {
    auto r = daemonlab({"run", "threaded-client"});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_NE(r.out.find("hung"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("recv_events"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("inherited from MainThread"), std::string::npos) << r.out;
}

TEST(Cli, RunJsonWithDaemonReceiverExits) {
    auto r = daemonlab({"run", "threaded-client", "--receiver", "daemon", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["scenario"], "threaded-client");
    EXPECT_EQ(j["verdict"], "exited");
    EXPECT_EQ(j["exit_code"], 0);
    EXPECT_EQ(j["options"]["receiver"], "daemon");
    EXPECT_TRUE(j["main_end_to_exit_ms"].is_number());
    bool recv = false;
    for (auto& t : j["threads"])
        if (t["name"] == "recv_events") {
            recv = true;
            EXPECT_EQ(t["daemon"], true);
            EXPECT_EQ(t["daemon_source"], "explicit");
            EXPECT_EQ(t["creator"], "MainThread");
        }
    EXPECT_TRUE(recv);
    EXPECT_TRUE(j["waiting_on"].empty());
}

TEST(Cli, RunJsonHangNamesWhatShutdownWaitsOn) {
    auto r = daemonlab({"run", "passed-in", "--json", "--grace", "150"});
    EXPECT_EQ(r.exit_code, 3) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["verdict"], "hung");
    ASSERT_EQ(j["waiting_on"].size(), 1u);
    EXPECT_EQ(j["waiting_on"][0], "recv_events");
    for (auto& t : j["threads"])
        if (t["name"] == "recv_events") {
            EXPECT_EQ(t["daemon_source"], "inherited from MainThread");
            EXPECT_EQ(t["blocked_on"], "socket-read");
        }
}

TEST(Cli, WrongInputIsExitStatusTwo) {
    auto a = daemonlab({"run", "no-such-scenario"});
    EXPECT_EQ(a.exit_code, 2);
    EXPECT_NE(a.out.find("no-such-scenario"), std::string::npos) << a.out;
    EXPECT_EQ(daemonlab({"run", "passed-in", "--receiver", "sometimes"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--frobnicate"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--close", "--no-close"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"run", "passed-in", "--worker", "none"}).exit_code, 2);
    EXPECT_EQ(daemonlab({"bogus"}).exit_code, 2);
}

TEST(Cli, MatrixJudgesEveryCell) {
    auto r = daemonlab({"matrix", "--json"}, 120);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    json j = json::parse(r.out);
    EXPECT_EQ(j["runs"].size(), 7u * 3u * 2u);
    int hung = 0;
    for (auto& run : j["runs"]) {
        EXPECT_TRUE(run["verdict"] == "exited" || run["verdict"] == "hung") << run.dump();
        if (run["verdict"] == "hung") ++hung;
        // Closing the connection always lets the program exit.
        if (run["options"]["close"] == true) {
            EXPECT_EQ(run["verdict"], "exited") << run.dump();
        }
        // websockets >= 13.0 (daemon receiver): every scenario exits.
        if (run["options"]["receiver"] == "daemon") {
            EXPECT_EQ(run["verdict"], "exited") << run.dump();
        }
    }
    EXPECT_GT(hung, 0);
}

TEST(Cli, KillingTheHostKillsItsDemo) {
    // A long grace keeps the hung demo alive; then the host dies without any cleanup.
    pid_t host = ts::spawn(
        {std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run", "passed-in", "--grace", "60000"});
    ASSERT_GT(host, 0);
    std::vector<int> demos;
    for (int i = 0; i < 500 && demos.empty(); ++i) {
        usleep(10'000);
        demos = ts::children(host);
    }
    ASSERT_EQ(demos.size(), 1u) << "the host never started its demo";
    usleep(300'000); // let it reach the hang
    kill(host, SIGKILL);
    waitpid(host, nullptr, 0);
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
        gone = !ts::alive(demos[0]);
        if (!gone) usleep(10'000);
    }
    EXPECT_TRUE(gone) << "demo " << demos[0] << " outlived its host";
    if (!gone) kill(demos[0], SIGKILL);
}

TEST(Cli, ServeListensOnLoopbackAndSaysWhere) {
    auto r = daemonlab({"serve", "--no-tls"}, 0.5); // runs until stopped: the helper kills it
    EXPECT_TRUE(r.timed_out);
    EXPECT_NE(r.out.find("listening on ws://localhost:"), std::string::npos) << r.out;
    auto tls = daemonlab({"serve"}, 0.5);
    EXPECT_NE(tls.out.find("wss://localhost:"), std::string::npos) << tls.out;
    EXPECT_NE(tls.out.find("BEGIN CERTIFICATE"), std::string::npos) << tls.out; // the CA to trust
    EXPECT_EQ(daemonlab({"serve", "--port", "70000"}).exit_code, 2);
}
