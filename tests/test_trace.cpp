// The trace protocol: what the demo writes, the host reads back, bad lines included.
#include "demos/trace/trace.hpp"
#include "lab/model/timeline.hpp"
#include "lab/model/trace_parser.hpp"

#include <fcntl.h>
#include <fstream>
#include <gtest/gtest.h>
#include <random>
#include <set>
#include <unistd.h>

using namespace lab;

TEST(Trace, WrittenEventsParseBack) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    trace::open(p[1]);
    trace::emit(2, trace::Kind::message, {{trace::key::text, "tab\there\nnew line \\ end"}});
    trace::emit(
        0, trace::Kind::state,
        {{trace::key::state, "blocked"}, {trace::key::on, "join"}, {trace::key::target, "2"}});
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
    EXPECT_EQ(events[0].kind, trace::Kind::message);
    EXPECT_EQ(events[0].get("text"), "tab\there\nnew line \\ end");
    EXPECT_GT(events[0].t_ns, 0);
    EXPECT_LE(events[0].t_ns, events[1].t_ns);
    EXPECT_EQ(events[1].get_int("target"), 2);
}

TEST(Trace, OverlongTextIsCutNotSplit) {
    int p[2];
    ASSERT_EQ(pipe(p), 0);
    trace::open(p[1]);
    trace::emit(1, trace::Kind::message, {{trace::key::text, std::string(10000, 'x')}});
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

// Random streams of good lines (every kind, some a newer writer's), bad lines, and random
// bytes, cut into random chunks: every good line is applied exactly once, every bad one is
// counted, unknown kinds are counted and not drawn, and no segment ends before it starts.
TEST(Trace, RandomStreamsAreCountedExactly) {
    std::mt19937 rng(42);
    const auto kinds = trace::names<trace::Kind>();
    const auto states = trace::names<trace::State>();
    for (int round = 0; round < 200; ++round) {
        std::string stream;
        std::size_t good = 0, bad = 0, unknown = 0;
        std::int64_t t = 1000;
        for (int i = 0; i < 50; ++i) {
            t += std::int64_t(rng() % 100);
            const std::string head = std::to_string(t) + "\t" + std::to_string(rng() % 4) + "\t";
            switch (rng() % 4) {
            case 0: { // a known kind with a state, and a field this host does not know
                const std::string_view kind = kinds[rng() % kinds.size()];
                const std::string_view state = states[rng() % states.size()];
                stream +=
                    head + std::string(kind) + "\tstate=" + std::string(state) + "\tnew-field=x\n";
                ++good;
                ++unknown;                       // new-field: no kind has it
                if (kind != "state") ++unknown;  // state=: a field of state events only
                if (kind == "thread") ++unknown; // a thread without a source= to name
                if (kind == "state" && state == "blocked") ++unknown; // blocked, on= nothing
                break;
            }
            case 1: // a kind from a newer writer
                stream += head + "from-the-future\ta=b\n";
                ++good;
                ++unknown;
                break;
            case 2: // not the protocol
                stream += std::string(1 + rng() % 20, char('a' + rng() % 26)) + "\n";
                ++bad;
                break;
            default: // a bad escape
                stream += head + "print\ttext=\\q\n";
                ++bad;
            }
        }
        Timeline timeline;
        TraceReader reader;
        std::size_t applied = 0;
        for (std::size_t pos = 0; pos < stream.size();) {
            std::size_t n = 1 + rng() % 97;
            reader.feed(std::string_view(stream).substr(pos, n), [&](TraceEvent&& e) {
                timeline.apply(e);
                ++applied;
            });
            pos += n;
        }
        reader.finish();
        timeline.close_at(t + 1);
        ASSERT_EQ(applied, good);
        ASSERT_EQ(reader.malformed(), bad);
        ASSERT_EQ(timeline.events(), good);
        ASSERT_EQ(timeline.unknown_events(), unknown);
        for (const Lane& l : timeline.lanes())
            for (const Segment& seg : l.segments) ASSERT_GE(seg.t1, seg.t0);
    }
}

TEST(Timeline, BuildsLanesSegmentsAndMarkers) {
    Timeline t;
    auto ev = [&](std::int64_t ns, int tid, std::string line) {
        auto e = parse_trace_line(std::to_string(ns) + "\t" + std::to_string(tid) + "\t" + line);
        ASSERT_TRUE(e) << line;
        t.apply(*e);
    };
    ev(100, 0, "thread\tname=MainThread\tdaemon=0\tsource=main\tcreator=");
    ev(110, 0, "state\tstate=running");
    ev(120, 1, "thread\tname=recv_events\tdaemon=0\tsource=inherited\tcreator=MainThread");
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
    EXPECT_EQ(recv->source, trace::DaemonSource::inherited);
    EXPECT_EQ(recv->creator, "MainThread");
    EXPECT_EQ(recv->current()->on, trace::Wait::socket_read);
    EXPECT_EQ(t.main_end_ns(), 140);
    EXPECT_EQ(t.shutdown_waiting_for(), 1);
    t.close_at(500);
    EXPECT_EQ(t.lane(0)->segments.back().t1, 500);
    EXPECT_EQ(t.lane(0)->segments.front().t1, 160);
}

// The conformance test for writers and the reader: tests/data/trace-v1.golden holds every
// kind of docs/TRACE-PROTOCOL.md, as a second writer would write them, and three lines of a
// newer writer. Every line parses, every kind is known but one, and what a timeline makes of
// the stream is what the protocol says it means.
TEST(Trace, GoldenFileHoldsEveryKind) {
    std::ifstream in(std::string(DAEMONLAB_SOURCE_DIR) + "/tests/data/trace-v1.golden");
    ASSERT_TRUE(in) << "tests/data/trace-v1.golden is missing";
    std::string stream, line;
    while (std::getline(in, line))
        if (!line.starts_with('#')) stream += line + "\n";

    TraceReader reader;
    Timeline t;
    std::set<trace::Kind> seen;
    reader.feed(stream, [&](TraceEvent&& e) {
        if (e.kind) seen.insert(*e.kind);
        t.apply(e);
    });
    reader.finish();
    EXPECT_EQ(reader.malformed(), 0u);
    for (const auto& [kind, name] : trace::Names<trace::Kind>::table)
        EXPECT_TRUE(seen.count(kind)) << "the golden file has no '" << name << "' line";
    EXPECT_EQ(t.unknown_events(), 3u); // the kind, the field and the value from the future

    EXPECT_EQ(t.process().version, 1);
    EXPECT_EQ(t.process().engine, trace::Engine::cpython);
    EXPECT_EQ(t.process().python, "3.11.2");
    EXPECT_EQ(t.process().library_version, "12.0");
    ASSERT_TRUE(t.refusal());
    EXPECT_EQ(t.refusal()->what, trace::Refusal::websockets);
    EXPECT_EQ(t.refusal()->version, "10.4");
    const Lane* recv = t.lane(8);
    ASSERT_TRUE(recv);
    EXPECT_EQ(recv->name, "Thread-1 (recv_events)");
    EXPECT_FALSE(recv->daemon);
    EXPECT_EQ(recv->source, trace::DaemonSource::inherited);
    EXPECT_EQ(recv->creator, "MainThread");
    EXPECT_EQ(recv->creator_tid, 7);
    EXPECT_EQ(recv->site, "websockets/sync/connection.py:88");
    EXPECT_EQ(recv->origin, "prog.py:9");
    EXPECT_EQ(recv->target, "Connection.recv_events");
    EXPECT_EQ(recv->segments[0].on, trace::Wait::ssl_read);
    EXPECT_EQ(recv->segments[0].at, "websockets/sync/connection.py:538");
    EXPECT_EQ(t.lane(9)->source, trace::DaemonSource::explicit_);
    EXPECT_EQ(t.lane(10)->source, trace::DaemonSource::assigned);
    EXPECT_EQ(t.lane(11)->source, trace::DaemonSource::dummy);
    EXPECT_TRUE(t.lane(7)->is_main());
    // Every wait of the protocol, in the worker's lane, in the file's order.
    std::vector<trace::Wait> waits;
    for (const Segment& s : t.lane(10)->segments)
        if (s.on) waits.push_back(*s.on);
    EXPECT_EQ(waits.size(), 9u);
    // A timed wait's deadline and the call that waits; a daemon thread cut off at exit.
    EXPECT_EQ(t.lane(10)->segments[3].deadline, 5000);
    EXPECT_EQ(t.lane(10)->segments[3].call, "work");
    EXPECT_TRUE(t.lane(9)->cut_off);
    EXPECT_EQ(t.lane(9)->cut_off_at, "prog.py:30");
    // The pause, the message with its escapes, how main ended, and the shutdown in order.
    EXPECT_EQ(t.lane(7)->segments[3].state, trace::State::paused);
    EXPECT_EQ(t.lane(7)->segments[3].step, "connect");
    EXPECT_EQ(t.main_end_how(), trace::MainEnd::exception);
    EXPECT_EQ(t.main_exit_code(), 1);
    EXPECT_EQ(t.main_end_ns(), 1340);
    EXPECT_EQ(t.shutdown_ns(), 1360);
    EXPECT_EQ(t.shutdown_waiting_for(), -1); // the exit ended the wait
    std::vector<std::pair<trace::Kind, std::string>> marks;
    for (const Marker& m : t.markers()) marks.emplace_back(m.kind, m.text);
    using K = trace::Kind;
    const std::vector<std::pair<K, std::string>> want = {
        {K::connected, "wss://localhost:8765/"},
        {K::step, "connect"},
        {K::message, "hello\tworld\n"},
        {K::print, "main is done"},
        {K::atexit_register, "ws.close"},
        {K::main_end, "exception"},
        {K::threading_atexit, "_python_exit"},
        {K::shutdown, ""},
        {K::shutdown_wait, ""},
        {K::closed, "1000"},
        {K::atexit, "ws.close"},
        {K::error, "Exception in thread reader"},
        {K::exit, "1"},
        {K::snapshot, "shutdown"}, // daemonlab attach's last line: the stage it saw
        {K::print, "known kind"},
    };
    EXPECT_EQ(marks, want);
    // The writer's own failure is kept apart: not a marker, not unknown.
    ASSERT_EQ(t.tracer_errors().size(), 1u);
    EXPECT_EQ(t.tracer_error_count(), 1u);
    EXPECT_EQ(t.tracer_errors()[0].tid, 9);
    EXPECT_EQ(t.tracer_errors()[0].where, "_enter socket-read");
    EXPECT_EQ(t.tracer_errors()[0].exception, "AttributeError");
    EXPECT_EQ(t.tracer_errors()[0].text, "'NoneType' object has no attribute 'fileno'");
}

// A tracer failing in a loop: every failure counted, the first kMaxTracerErrors kept.
TEST(Timeline, TracerErrorsAreKeptBoundedAndCounted) {
    Timeline t;
    const std::size_t n = Timeline::kMaxTracerErrors + 5;
    for (std::size_t i = 0; i < n; ++i) {
        auto e = parse_trace_line(
            std::to_string(100 + i) +
            "\t3\ttracer-error\twhere=_emit print\texception=OSError\ttext=#" + std::to_string(i));
        ASSERT_TRUE(e);
        t.apply(*e);
    }
    EXPECT_EQ(t.tracer_error_count(), n);
    ASSERT_EQ(t.tracer_errors().size(), Timeline::kMaxTracerErrors);
    EXPECT_EQ(t.tracer_errors().back().text, "#" + std::to_string(Timeline::kMaxTracerErrors - 1));
    EXPECT_EQ(t.unknown_events(), 0u);
    EXPECT_TRUE(t.markers().empty());
}

// The control pipe's words (trace::launch): blanks around a word do not count; anything
// else is not a word, and a demo ignores it (docs/TRACE-PROTOCOL.md, "Control").
TEST(Trace, ControlWordsParseAndOthersAreNotWords) {
    using trace::launch::Control, trace::launch::parse_control;
    EXPECT_EQ(parse_control("go"), Control::go);
    EXPECT_EQ(parse_control("run"), Control::run);
    EXPECT_EQ(parse_control(" go\r"), Control::go);
    EXPECT_EQ(parse_control("\trun "), Control::run);
    for (std::string_view other : {"", " ", "\r", "GO", "go go", "gone", "running", "step", "g o"})
        EXPECT_EQ(parse_control(other), std::nullopt) << "'" << other << "'";
}

// Each enum's names go both ways, and no two values share a name.
TEST(Trace, EveryNameParsesBack) {
    auto check = [](auto e) {
        using E = decltype(e);
        std::set<std::string_view> names;
        for (const auto& [value, name] : trace::Names<E>::table) {
            EXPECT_EQ(trace::parse<E>(name), value) << name;
            EXPECT_EQ(trace::name(value), name);
            EXPECT_TRUE(names.insert(name).second) << "twice: " << name;
        }
    };
    check(trace::Kind{});
    check(trace::State{});
    check(trace::Wait{});
    check(trace::DaemonSource{});
    check(trace::Receiver{});
    check(trace::MainEnd{});
    check(trace::Engine{});
    EXPECT_FALSE(trace::parse<trace::Kind>("from-the-future"));
}

// issue 23: the host's memory does not grow with the trace's volume. A thread looping on a
// short wait merges into one segment with a count; many different states, many threads and
// many markers stay under the caps; the shutdown's markers are never dropped; and the
// timeline says it was thinned.
TEST(Trace, TimelineIsThinnedToBoundMemory) {
    Timeline t;
    std::int64_t ns = 0;
    auto ev = [&](int tid, trace::Kind k, std::vector<std::pair<std::string, std::string>> f) {
        TraceEvent e;
        e.t_ns = ++ns;
        e.tid = tid;
        e.kind = k;
        e.fields = std::move(f);
        t.apply(e);
    };
    using K = trace::Kind;
    ev(1, K::thread, {{"name", "MainThread"}, {"daemon", "0"}, {"source", "main"}});
    ev(2, K::thread, {{"name", "poller"}, {"daemon", "0"}, {"source", "inherited"}});
    for (int i = 0; i < 200'000; ++i) {
        ev(2, K::state,
           {{"state", "blocked"}, {"on", "event"}, {"timeout", "1"}, {"at", "p.py:3"}});
        ev(2, K::state, {{"state", "running"}});
    }
    const Lane* poller = t.lane(2);
    ASSERT_TRUE(poller);
    EXPECT_LE(poller->segments.size(), Timeline::kThinAfter + 2);
    int repeats = 0;
    for (const Segment& s : poller->segments) repeats += s.repeats;
    EXPECT_GT(repeats, 190'000); // counted, not lost
    EXPECT_TRUE(t.thinned().any());

    // Two waits in turn (nothing to merge), thousands of short threads, a flood of prints.
    for (int i = 0; i < 300'000; ++i)
        ev(1, K::state,
           {{"state", "blocked"}, {"on", i % 2 ? "sleep" : "queue-get"}, {"timeout", "1"}});
    for (int tid = 100; tid < 20'100; ++tid) {
        ev(tid, K::thread, {{"name", "w"}, {"daemon", "1"}, {"source", "explicit"}});
        ev(tid, K::state, {{"state", "done"}});
    }
    for (int i = 0; i < 100'000; ++i) ev(1, K::print, {{"text", "progress"}});
    ev(1, K::main_end, {{"how", "return"}, {"code", "0"}});
    ev(1, K::shutdown, {});
    EXPECT_LE(t.segment_count(), Timeline::kMaxSegments + 1);
    std::size_t counted = 0;
    for (const Lane& l : t.lanes()) counted += l.segments.size();
    EXPECT_EQ(counted, t.segment_count());
    EXPECT_LE(t.lanes().size(), Timeline::kMaxLanes);
    EXPECT_LE(t.markers().size(), Timeline::kMaxMarkers + 2);
    EXPECT_GT(t.thinned().lanes, 0u);
    EXPECT_GT(t.thinned().markers, 0u);
    EXPECT_EQ(t.markers().back().kind, K::shutdown); // the shutdown's markers stay
    EXPECT_EQ(t.main_end_ns() >= 0, true);
    EXPECT_TRUE(t.lane(1)->is_main());                             // main is never dropped
    EXPECT_EQ(t.lane(2)->current()->state, trace::State::running); // the current state is right
}
