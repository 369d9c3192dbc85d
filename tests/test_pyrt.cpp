// The threading rules pyrt models, checked in-process (the verdicts need real processes:
// see test_finalize.cpp and test_scenarios.cpp).
#include "demos/pyrt/pyrt.hpp"

#include <gtest/gtest.h>

using namespace pyrt;

TEST(Pyrt, MainThreadIsNotADaemon) {
    EXPECT_EQ(current_thread().name(), "MainThread");
    EXPECT_FALSE(current_thread().daemon());
    EXPECT_EQ(current_thread().daemon_source(), trace::DaemonSource::main);
}

TEST(Pyrt, ThreadCopiesTheFlagOfItsCreator) {
    auto t = make({.target = [] {}});
    EXPECT_FALSE(t->daemon()); // created by MainThread
    EXPECT_EQ(t->daemon_source(), trace::DaemonSource::inherited);
    EXPECT_EQ(t->creator(), "MainThread");
}

TEST(Pyrt, ExplicitFlagWins) {
    auto t = make({.target = [] {}, .daemon = true});
    EXPECT_TRUE(t->daemon());
    EXPECT_EQ(t->daemon_source(), trace::DaemonSource::explicit_);
    auto f = make({.target = [] {}, .daemon = false});
    EXPECT_FALSE(f->daemon());
    EXPECT_EQ(f->daemon_source(), trace::DaemonSource::explicit_);
}

TEST(Pyrt, ThreadCreatedInsideADaemonIsADaemon) {
    std::shared_ptr<Thread> inner;
    auto outer = make({.target = [&] { inner = make({.target = [] {}, .name = "inner"}); },
                       .name = "outer",
                       .daemon = true});
    outer->start();
    outer->join();
    ASSERT_TRUE(inner);
    EXPECT_TRUE(inner->daemon());
    EXPECT_EQ(inner->daemon_source(), trace::DaemonSource::inherited);
    EXPECT_EQ(inner->creator(), "outer");
}

TEST(Pyrt, TheCreatorCountsNotTheStarter) {
    // Created by main (non-daemon), started from a daemon thread: still non-daemon.
    auto t = make({.target = [] {}});
    auto starter = make({.target = [&] { t->start(); }, .daemon = true});
    starter->start();
    starter->join();
    t->join();
    EXPECT_FALSE(t->daemon());
}

TEST(Pyrt, FlagIsFrozenOnceStarted) {
    Event go;
    auto t = make({.target = [&] { go.wait(); }});
    t->set_daemon(true); // allowed before start
    EXPECT_TRUE(t->daemon());
    t->start();
    EXPECT_THROW(t->set_daemon(false), std::runtime_error);
    EXPECT_THROW(t->start(), std::runtime_error);
    go.set();
    t->join();
    EXPECT_FALSE(t->is_alive());
}

class Subclass : public Thread {
  public:
    Subclass() : Thread({.name = "Sub"}) { set_daemon(true); }
    std::string seen;

  protected:
    void run() override { seen = current_thread().name(); }
};

TEST(Pyrt, SubclassRunsItsOwnRun) {
    auto s = make<Subclass>();
    EXPECT_TRUE(s->daemon());
    EXPECT_EQ(s->daemon_source(), trace::DaemonSource::assigned);
    s->start();
    s->join();
    EXPECT_EQ(s->seen, "Sub");
}

TEST(Pyrt, JoinWithTimeoutAndEvent) {
    Event stop;
    auto t = make({.target = [&] { stop.wait(); }});
    t->start();
    EXPECT_TRUE(t->is_alive());
    EXPECT_FALSE(t->join(0.02));
    EXPECT_FALSE(stop.wait(0.01));
    stop.set();
    EXPECT_TRUE(t->join(5));
    EXPECT_FALSE(t->is_alive());
}

TEST(Pyrt, QueueDeliversInOrderAndWakesOnClose) {
    Queue<int> q;
    auto producer = make({.target = [&] {
        for (int i = 0; i < 100; ++i) q.put(i);
        q.close();
    }});
    producer->start();
    int expect = 0;
    while (auto v = q.get()) EXPECT_EQ(*v, expect++);
    EXPECT_EQ(expect, 100);
    producer->join();
    Queue<int> empty;
    EXPECT_FALSE(empty.get(0.01).has_value());
}

TEST(Pyrt, ExitInAThreadEndsOnlyThatThread) {
    bool after = false;
    auto t = make({.target = [&] {
        pyrt::exit(3);
        after = true;
    }});
    t->start();
    t->join();
    EXPECT_FALSE(after);
}
