// The trace protocol: what the demo writes, the host reads back, bad lines included.
#include "timeline.hpp"
#include "trace/trace.hpp"
#include "trace_parser.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <random>
#include <unistd.h>

using namespace lab;

TEST(Trace, WrittenEventsParseBack) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    trace::open(p[1]);
    trace::emit(2, trace::kind::message, {{"text", "tab\there\nnew line \\ end"}});
    trace::emit(0, trace::kind::state, {{"state", "blocked"}, {"on", "join"}, {"target", "2"}});
    trace::open(-1);
    close(p[1]);
    std::string bytes;
    char buf[4096];
    for (ssize_t n; (n = read(p[0], buf, sizeof buf)) > 0;) bytes.append(buf, std::size_t(n));
    close(p[0]);

    std::vector<TraceEvent> events;
    TraceReader reader;
    reader.feed(bytes, [&](TraceEvent&& e) { events.push_back(std::move(e)); });
    reader.finish();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(reader.malformed(), 0u);
    EXPECT_EQ(events[0].tid, 2);
    EXPECT_EQ(events[0].kind, "message");
    EXPECT_EQ(events[0].get("text"), "tab\there\nnew line \\ end");
    EXPECT_GT(events[0].t_ns, 0);
    EXPECT_LE(events[0].t_ns, events[1].t_ns);
    EXPECT_EQ(events[1].get_int("target"), 2);
}

TEST(Trace, OverlongTextIsCutNotSplit) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    trace::open(p[1]);
    trace::emit(1, trace::kind::message, {{"text", std::string(10000, 'x')}});
    trace::open(-1);
    close(p[1]);
    char buf[8192];
    ssize_t n = read(p[0], buf, sizeof buf);
    close(p[0]);
    ASSERT_GT(n, 0);
    EXPECT_LE(std::size_t(n), trace::kMaxLine);
    EXPECT_EQ(buf[n - 1], '\n');
    EXPECT_TRUE(parse_trace_line(std::string_view(buf, std::size_t(n - 1))).has_value());
}

TEST(Trace, MalformedLinesAreCountedNotFatal) {
    TraceReader reader;
    int good = 0;
    reader.feed("garbage\n12\tx\tstate\n1\t0\tBAD KIND\n1\t0\tstate\tnovalue\n"
                "1\t0\tstate\tstate=running\n\n1\t0\tstate\tk=bad\\q\n",
                [&](TraceEvent&&) { ++good; });
    reader.feed(std::string(10000, 'z') + "\n", [&](TraceEvent&&) { ++good; });
    reader.feed("5\t1\tprint\ttext=cut off", [&](TraceEvent&&) { ++good; });
    reader.finish();
    EXPECT_EQ(good, 1);
    EXPECT_EQ(reader.malformed(), 8u);
}

TEST(Trace, RandomBytesNeverCrashTheTimeline) {
    std::mt19937 rng(42);
    const std::string alphabet = "0123456789\t\n=\\abcdefghijklmnopqrstuvwxyz-_ ";
    Timeline t;
    TraceReader reader;
    for (int round = 0; round < 2000; ++round) {
        std::string chunk;
        for (int i = 0; i < 64; ++i) chunk += alphabet[rng() % alphabet.size()];
        reader.feed(chunk, [&](TraceEvent&& e) { t.apply(e); });
    }
    reader.finish();
    EXPECT_GT(reader.malformed(), 0u);
}

TEST(Timeline, BuildsLanesSegmentsAndMarkers) {
    Timeline t;
    auto ev = [&](std::int64_t ns, int tid, std::string line) {
        auto e = parse_trace_line(std::to_string(ns) + "\t" + std::to_string(tid) + "\t" + line);
        ASSERT_TRUE(e) << line;
        t.apply(*e);
    };
    ev(100, 0, "thread\tname=MainThread\tdaemon=0\tsource=main thread\tcreator=");
    ev(110, 0, "state\tstate=running");
    ev(120, 1,
       "thread\tname=recv_events\tdaemon=0\tsource=inherited from MainThread\tcreator=MainThread");
    ev(130, 1, "state\tstate=blocked\ton=socket-read\ttarget=-1\tpending=0\ttimeout=0");
    ev(140, 0, "main-end\thow=exit\tcode=0");
    ev(150, 0, "shutdown");
    ev(160, 0, "shutdown-wait\ttarget=1");
    ev(160, 0, "state\tstate=blocked\ton=join\ttarget=1\tpending=-1\ttimeout=0");
    ASSERT_EQ(t.lanes().size(), 2u);
    const Lane* recv = t.lane(1);
    ASSERT_TRUE(recv);
    EXPECT_EQ(recv->name, "recv_events");
    EXPECT_FALSE(recv->daemon);
    EXPECT_EQ(recv->daemon_source, "inherited from MainThread");
    EXPECT_EQ(recv->current()->on, "socket-read");
    EXPECT_EQ(t.main_end_ns(), 140);
    EXPECT_EQ(t.shutdown_waiting_for(), 1);
    t.close_at(500);
    EXPECT_EQ(t.lane(0)->segments.back().t1, 500);
    EXPECT_EQ(t.lane(0)->segments.front().t1, 160);
}
