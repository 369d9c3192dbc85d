// The app's plain objects, without a window: the Session (the run on show and the one
// before it) with real demos against a real echo server, and the Quiz (predictions and
// the tally) against verdicts.
#include "gui/app/quiz.hpp"
#include "gui/app/session.hpp"
#include "gui/app/settings.hpp"
#include "gui/picture/png_text.hpp"
#include "gui/text/line_break.hpp"
#include "gui/views/time_map.hpp"
#include "lab/net/echo_server.hpp"
#include "subprocess.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <thread>

namespace ts = testing_support;
using gui::Quiz;
using gui::Session;

namespace {

class SessionTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        setenv("DAEMONLAB_DEMO_DIR", DAEMONLAB_DEMO_DIR, 1);
        server_ = new lab::EchoServer({.tls = true});
    }
    static void TearDownTestSuite() { delete server_; }
    static lab::ServerInfo server() { return {server_->uri(), server_->ca_pem()}; }

    // Polls the session (as the app does every frame) until `done` holds, or 20 s pass.
    static bool poll_until(Session& s, const std::function<bool()>& done) {
        for (int i = 0; i < 2000; ++i) {
            s.poll();
            if (done()) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return false;
    }
    static inline lab::EchoServer* server_ = nullptr;
};

// threaded-client, step by step: the demo stops at its first pause point and stays there.
lab::RunOptions stepping() {
    return {.scenario = "threaded-client", .close = true, .step = true};
}

} // namespace

TEST_F(SessionTest, NothingToShowBeforeTheFirstRun) {
    Session s;
    s.poll();
    EXPECT_FALSE(s.has_run());
    EXPECT_FALSE(s.live());
    EXPECT_FALSE(s.stepping());
    EXPECT_EQ(s.previous(), nullptr);
    EXPECT_FALSE(s.go());
    EXPECT_FALSE(s.run_to_end());
    s.kill(); // nothing to kill: no effect
    EXPECT_FALSE(s.has_run());
}

TEST_F(SessionTest, ANewRunReplacesTheLiveOneWhichDiesAndStaysBeneath) {
    Session s;
    s.start(stepping(), server());
    ASSERT_TRUE(poll_until(s, [&] { return !s.current().paused_at.empty(); }))
        << s.current().output;
    EXPECT_TRUE(s.has_run());
    EXPECT_TRUE(s.live());
    EXPECT_TRUE(s.stepping());
    EXPECT_EQ(s.previous(), nullptr);
    const int first = s.current().pid;
    ASSERT_GT(first, 0);
    ASSERT_TRUE(ts::alive(first));

    s.start({.scenario = "threaded-client", .close = true}, server());
    // The first demo was killed and reaped before the second started; its last state is
    // the previous run.
    EXPECT_FALSE(ts::alive(first)) << "demo " << first << " outlived its run";
    ASSERT_NE(s.previous(), nullptr);
    EXPECT_EQ(s.previous()->pid, first);
    EXPECT_TRUE(s.previous()->options.step);
    EXPECT_TRUE(s.live());
    EXPECT_FALSE(s.stepping());
    EXPECT_NE(s.current().pid, first);

    ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); })) << s.current().output;
    EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::exited) << s.current().output;
    EXPECT_FALSE(s.live());
    EXPECT_FALSE(s.run_to_end()); // nothing live to tell
    EXPECT_TRUE(s.go());          // the demo is ours (a no-op once it has ended)
}

TEST_F(SessionTest, GoAndRunToEndLetTheDemoOn) {
    Session s;
    s.start(stepping(), server());
    ASSERT_TRUE(poll_until(s, [&] { return !s.current().paused_at.empty(); }));
    const std::string first = s.current().paused_at;
    ASSERT_TRUE(s.go());
    ASSERT_TRUE(poll_until(s,
                           [&] {
                               return s.current().finished() || (!s.current().paused_at.empty() &&
                                                                 s.current().paused_at != first);
                           }))
        << "the demo never moved past " << first;
    EXPECT_FALSE(s.current().finished());
    ASSERT_TRUE(s.run_to_end());
    ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); }));
    EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::exited) << s.current().output;
}

TEST_F(SessionTest, KillEndsALiveRun) {
    Session s;
    s.start(stepping(), server());
    ASSERT_TRUE(poll_until(s, [&] { return !s.current().paused_at.empty(); }));
    const int pid = s.current().pid;
    s.kill();
    ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); }));
    EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::killed);
    EXPECT_FALSE(s.live());
    EXPECT_FALSE(ts::alive(pid));
}

TEST_F(SessionTest, AnOpenedRunIsNotLiveAndTheLiveOneDies) {
    Session s;
    s.start(stepping(), server());
    ASSERT_TRUE(poll_until(s, [&] { return !s.current().paused_at.empty(); }));
    const int pid = s.current().pid;
    lab::RunState finished;
    finished.options.scenario = "passed-in";
    finished.verdict.outcome = lab::Outcome::hung;
    s.open(finished);
    EXPECT_FALSE(ts::alive(pid));
    EXPECT_TRUE(s.has_run());
    EXPECT_FALSE(s.live());
    EXPECT_EQ(s.current().options.scenario, "passed-in");
    ASSERT_NE(s.previous(), nullptr);
    EXPECT_EQ(s.previous()->pid, pid);
    EXPECT_FALSE(s.go()); // no process behind an opened run
    s.poll();             // and nothing replaces its state
    EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::hung);
}

// ---- Quiz ---------------------------------------------------------------------------------

namespace {

lab::RunState ended(lab::Outcome o) {
    lab::RunState s;
    s.options.scenario = "threaded-client";
    s.verdict.outcome = o;
    return s;
}

} // namespace

TEST(Quiz, AnAnswerBeforeTheRunIsJudgedByItsVerdict) {
    Quiz q;
    q.predict(true, /*live=*/false);
    EXPECT_EQ(q.pending(false), true);
    EXPECT_FALSE(q.said().has_value()); // no run yet
    q.run_started();
    EXPECT_EQ(q.said(), true);
    EXPECT_FALSE(q.pending(false).has_value()); // the next run has no answer yet
    q.score(ended(lab::Outcome::running), "a");
    EXPECT_FALSE(q.right().has_value()); // no verdict yet
    EXPECT_EQ(q.total(), 0);
    q.score(ended(lab::Outcome::hung), "a");
    EXPECT_EQ(q.right(), false);
    EXPECT_EQ(q.total(), 1);
    EXPECT_EQ(q.right_count(), 0);
    EXPECT_EQ(q.answers().at("a"), true);
    q.score(ended(lab::Outcome::hung), "a"); // once per run
    EXPECT_EQ(q.total(), 1);

    q.predict(false, false);
    q.run_started();
    q.score(ended(lab::Outcome::hung), "b");
    EXPECT_EQ(q.right(), true);
    EXPECT_EQ(q.total(), 2);
    EXPECT_EQ(q.right_count(), 1);
}

TEST(Quiz, ALiveRunWithoutAnAnswerTakesOneThenTheNextRunDoes) {
    Quiz q;
    q.run_started(); // nobody bet
    EXPECT_FALSE(q.said().has_value());
    q.predict(true, /*live=*/true);
    EXPECT_EQ(q.said(), true);
    EXPECT_EQ(q.pending(true), true);
    q.predict(false, true); // the live run has its answer: this one is for the next run
    EXPECT_EQ(q.said(), true);
    EXPECT_EQ(q.pending(true), true);
    EXPECT_EQ(q.pending(false), false);
    q.score(ended(lab::Outcome::exited), "a");
    EXPECT_EQ(q.right(), true);
    q.run_started();
    EXPECT_EQ(q.said(), false);
    EXPECT_FALSE(q.right().has_value());
}

TEST(Quiz, OnlyExitsAndHangsAreJudged) {
    for (lab::Outcome o : {lab::Outcome::killed, lab::Outcome::crashed, lab::Outcome::failed}) {
        Quiz q;
        q.predict(true, false);
        q.run_started();
        q.score(ended(o), "a");
        EXPECT_FALSE(q.right().has_value()) << lab::to_string(o);
        EXPECT_EQ(q.total(), 0);
        EXPECT_TRUE(q.answers().empty());
    }
}

TEST(Quiz, AnOpenedRunIsNotJudged) {
    Quiz q;
    q.predict(true, false);
    q.run_started();
    q.run_opened(); // a matrix cell replaces the run on show
    EXPECT_FALSE(q.said().has_value());
    q.score(ended(lab::Outcome::exited), "a");
    EXPECT_EQ(q.total(), 0);
}

TEST(Quiz, TheScoreCanStartAgain) {
    Quiz q;
    q.predict(true, false);
    q.run_started();
    q.score(ended(lab::Outcome::exited), "a");
    ASSERT_EQ(q.total(), 1);
    q.predict(false, false); // for the next run: kept
    q.reset();
    EXPECT_EQ(q.total(), 0);
    EXPECT_EQ(q.right_count(), 0);
    EXPECT_TRUE(q.answers().empty());
    EXPECT_FALSE(q.said().has_value());
    q.score(ended(lab::Outcome::exited), "a"); // the run on show is not judged again
    EXPECT_EQ(q.total(), 0);
    EXPECT_EQ(q.pending(false), false);
    q.run_started();
    q.score(ended(lab::Outcome::hung), "b");
    EXPECT_EQ(q.total(), 1);
    EXPECT_EQ(q.right_count(), 1);
}

// The GUI keeps a confirmed hang alive (keep_hung_ms): the verdict is `hung` at once, the
// process lives on and its lanes keep growing, until Kill (the verdict stays `hung`, ended by
// the user) — and the Session's end leaves no orphan either.
TEST_F(SessionTest, AHangKeptAliveLivesOnUntilKill) {
    Session s;
    s.start({.scenario = "passed-in", .keep_hung_ms = 60000}, server());
    ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); })) << s.current().output;
    ASSERT_EQ(s.current().verdict.outcome, lab::Outcome::hung) << s.current().output;
    EXPECT_GE(s.current().verdict.hang_confirmed_ns, 0);
    EXPECT_FALSE(s.current().verdict.waiting_on.empty());
    const int pid = s.current().pid;
    ASSERT_GT(pid, 0);
    // Still running well after the confirmation, still live for the app, lanes open.
    std::this_thread::sleep_for(std::chrono::milliseconds(800));
    s.poll();
    EXPECT_TRUE(ts::alive(pid)) << "the hung demo was killed at confirmation";
    EXPECT_TRUE(s.live());
    EXPECT_TRUE(s.hung_alive());
    EXPECT_TRUE(s.current().alive);
    EXPECT_LT(s.current().verdict.exit_seen_ns, 0);
    EXPECT_GT(s.current().now_ns - s.current().verdict.hang_confirmed_ns, 700'000'000);

    s.kill();
    ASSERT_TRUE(poll_until(s, [&] { return !s.current().alive; }));
    EXPECT_FALSE(ts::alive(pid));
    EXPECT_FALSE(s.live());
    EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::hung);
    EXPECT_EQ(s.current().verdict.killed_by, lab::KilledBy::user);
    EXPECT_GE(s.current().verdict.exit_seen_ns, s.current().verdict.hang_confirmed_ns);
}

TEST_F(SessionTest, AHangKeptAliveEndsAtItsLimitAndWithTheSession) {
    int pid = -1;
    {
        Session s;
        s.start({.scenario = "passed-in", .keep_hung_ms = 700}, server());
        ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); }));
        ASSERT_EQ(s.current().verdict.outcome, lab::Outcome::hung);
        const std::int64_t confirmed = s.current().verdict.hang_confirmed_ns;
        ASSERT_TRUE(poll_until(s, [&] { return !s.current().alive; }));
        EXPECT_EQ(s.current().verdict.outcome, lab::Outcome::hung);
        EXPECT_EQ(s.current().verdict.killed_by, lab::KilledBy::hang); // the limit: DaemonLab
        const double kept_ms = double(s.current().verdict.exit_seen_ns - confirmed) / 1e6;
        EXPECT_GE(kept_ms, 650);
        EXPECT_LT(kept_ms, 5000);

        // Another, kept a minute: the Session's end (the app quitting) must end it.
        s.start({.scenario = "passed-in", .keep_hung_ms = 60000}, server());
        ASSERT_TRUE(poll_until(s, [&] { return s.current().finished(); }));
        ASSERT_TRUE(s.hung_alive());
        pid = s.current().pid;
        ASSERT_TRUE(ts::alive(pid));
    }
    EXPECT_FALSE(ts::alive(pid)) << "demo " << pid << " outlived the Session";
}

// The terminal's runs keep the fast verdict: killed at confirmation, by the hang rule, and the
// verdict told only once the process is gone. (That the kill is sent at the very tick of the
// confirmation is the Watch's, tested with a clock of its own: test_run_life.cpp.)
TEST_F(SessionTest, WithoutKeepHungTheHangIsKilledAtConfirmation) {
    lab::Run run({.scenario = "passed-in"}, server());
    const lab::Verdict v = run.wait(); // wakes on the verdict: no sleeping
    ASSERT_EQ(v.outcome, lab::Outcome::hung);
    const lab::RunState st = run.snapshot();
    EXPECT_FALSE(st.alive);
    EXPECT_FALSE(ts::alive(st.pid));
    EXPECT_EQ(st.verdict.killed_by, lab::KilledBy::hang);
    EXPECT_GE(st.verdict.hang_confirmed_ns, 0);
    EXPECT_GE(st.verdict.exit_seen_ns, st.verdict.hang_confirmed_ns);
}

// ---- line breaking (gui/line_break) --------------------------------------------------------

namespace {
// Every character 1 wide, a space 0.5: easy to reason about.
float unit_width(std::string_view t) {
    float w = 0;
    for (std::size_t i = 0; i < t.size(); i += gui::utf8_length(static_cast<unsigned char>(t[i])))
        w += t[i] == ' ' ? 0.5f : 1.0f;
    return w;
}
bool starts_with_closing(const std::string& line) {
    return !line.empty() && gui::no_line_start(gui::decode_utf8(line, 0));
}
} // namespace

TEST(LineBreak, NoLineStartsWithClosingPunctuationAtAnyWidth) {
    // A lesson's sentence, full of the punctuation that used to start lines.
    const std::string text = "主线程结束后，解释器会等待（join）每一个非守护线程：这里的 "
                             "recv_events 在读套接字，服务器不断开连接，进程就一直不退出。"
                             "继承（≤ 12.0）：它是非守护线程！对吗？是的。";
    int broken = 0;
    for (float wrap = 3; wrap <= 40; wrap += 1) {
        const std::vector<std::string> lines = gui::wrap_lines(text, wrap, unit_width);
        std::string joined;
        for (const std::string& l : lines) joined += l;
        EXPECT_EQ(joined, text) << "width " << wrap; // nothing lost or doubled
        broken += int(lines.size()) - 1;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            EXPECT_FALSE(starts_with_closing(lines[i])) << "width " << wrap << ": " << lines[i];
            EXPECT_NE(lines[i], "。") << "width " << wrap; // no lone full stop
        }
        for (const std::string& l : lines) { // no line ends with opening punctuation
            std::size_t q = l.size();
            while (q > 0 && l[q - 1] == ' ') --q;
            if (q == 0) continue;
            --q;
            while (q > 0 && (static_cast<unsigned char>(l[q]) & 0xC0) == 0x80) --q;
            EXPECT_FALSE(gui::no_line_end(gui::decode_utf8(l, q))) << "width " << wrap << ": " << l;
        }
    }
    EXPECT_GT(broken, 40); // it did wrap, many times
}

TEST(LineBreak, EnglishBreaksBetweenWordsAndKeepsCurlyQuotesInTheWord) {
    const std::string text = "switch to \u201cdaemon\u201d and it doesn\u2019t wait";
    for (float wrap = 8; wrap <= 30; wrap += 1)
        for (const std::string& l : gui::wrap_lines(text, wrap, unit_width)) {
            EXPECT_FALSE(l.starts_with("\u2019")) << l;
            EXPECT_FALSE(l.starts_with("t ")) << l; // "doesn’t" stays whole
            EXPECT_FALSE(l.starts_with("\u201d")) << l;
        }
}

// A word wider than the line (a URL in a code comment on a projector) is cut between its
// characters instead of running out of the pane; nothing is lost, every line fits.
TEST(LineBreak, AWordWiderThanTheLineIsCutBetweenCharacters) {
    const std::string text =
        "# from https://github.com/python-websockets/websockets/issues/1455 ok";
    for (float wrap = 6; wrap <= 30; wrap += 1) {
        const std::vector<std::string> lines = gui::wrap_lines(text, wrap, unit_width);
        std::string joined;
        for (const std::string& l : lines) {
            joined += l;
            std::string_view v = l;
            while (v.ends_with(' ')) v.remove_suffix(1);
            EXPECT_LE(unit_width(v), wrap) << "width " << wrap << ": " << l;
        }
        EXPECT_EQ(joined, text) << "width " << wrap;
        ASSERT_GE(lines.size(), 2u); // the URL starts a line of its own
        EXPECT_EQ(lines[0], "# from ") << "width " << wrap;
        EXPECT_TRUE(lines[1].starts_with("h")) << "width " << wrap << ": " << lines[1];
    }
}

// Spaces that align a comment hang past the line's end: the code before them stays whole.
TEST(LineBreak, TrailingSpacesDoNotPushAWordToTheNextLine) {
    const std::string text = "def session():                    # connect, receive";
    for (float wrap = 14; wrap <= 30; wrap += 1) { // "def session():" is 13.5 wide
        const std::vector<std::string> lines = gui::wrap_lines(text, wrap, unit_width);
        ASSERT_FALSE(lines.empty());
        EXPECT_TRUE(lines[0].starts_with("def session():")) << "width " << wrap << ": " << lines[0];
    }
}

// ---- the timeline's time map (gui/time_map) ------------------------------------------------

TEST_F(SessionTest, AStepRunsPausesCollapseAndRunsLineUpAtMainsEnd) {
    Session s;
    s.start(stepping(), server());
    // Three pauses of 300 ms each, then on to the end.
    for (int i = 0; i < 3; ++i) {
        ASSERT_TRUE(poll_until(s, [&] { return !s.current().paused_at.empty(); }));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        auto steps = [&] {
            return std::count_if(
                s.current().timeline.markers().begin(), s.current().timeline.markers().end(),
                [](const lab::Marker& m) { return m.kind == lab::MarkKind::step; });
        };
        const auto before = steps();
        ASSERT_TRUE(s.go());
        ASSERT_TRUE(poll_until(s, [&] { return steps() > before || s.current().finished(); }));
    }
    ASSERT_TRUE(s.run_to_end());
    ASSERT_TRUE(poll_until(s, [&] { return s.current().finished() && !s.current().alive; }));
    const lab::RunState& run = s.current();
    ASSERT_GE(run.timeline.main_end_ns(), 0);
    const gui::TimeMap real = gui::TimeMap::of(run, false, true);
    const gui::TimeMap folded = gui::TimeMap::of(run, true, true);
    EXPECT_TRUE(real.breaks().empty());
    ASSERT_GE(folded.breaks().size(), 3u);
    double hidden = 0, shown = 0;
    for (const gui::TimeBreak& b : folded.breaks()) {
        EXPECT_FALSE(b.hang);
        EXPECT_GT(b.real1 - b.real0, 60);
        hidden += b.real1 - b.real0;
        shown += b.length;
    }
    EXPECT_GT(hidden, 800); // the ~900 ms of pauses
    // The pauses are out of the folded axis: what they took, less the breaks' own marks.
    EXPECT_LT(shown, hidden / 4);
    EXPECT_NEAR(folded.hi() - folded.lo(), (real.hi() - real.lo()) - hidden + shown, 1.0);
    // Both line up main's end at 0, and the map is monotonic and invertible outside breaks.
    const double main_end = double(run.timeline.main_end_ns() - run.spawned_ns) / 1e6;
    EXPECT_NEAR(folded.shown(main_end), 0, 1e-6);
    EXPECT_NEAR(real.shown(main_end), 0, 1e-6);
    double last = -1e18;
    for (double t = 0; t < real.hi() + main_end; t += 7) {
        const double v = folded.shown(t);
        EXPECT_GE(v, last);
        last = v;
    }
    const double after = main_end + 0.1; // no break there
    EXPECT_NEAR(folded.real(folded.shown(after)), after, 1e-6);
}

// The axis's tick labels at every zoom the wheel allows (timeline_view.cpp: 50 µs to an
// hour across the pane): each with its unit, and no two neighbours alike, far from the origin
// too (a run kept alive for minutes, zoomed in on one wait).
TEST(TimeMap, TickLabelsTellNeighboursApartAtEveryZoom) {
    EXPECT_EQ(gui::tick_label(752.905, 0.005), "+752.905 ms");
    EXPECT_EQ(gui::tick_label(-2.5, 0.5), "-2.5 ms");
    EXPECT_EQ(gui::tick_label(0, 0.01), "0.00 ms");
    EXPECT_EQ(gui::tick_label(2, 1), "+2.00 ms");
    EXPECT_EQ(gui::tick_label(-27000, 10000), "-27 s");
    EXPECT_EQ(gui::tick_label(1500, 500), "+1500 ms");
    EXPECT_EQ(gui::tick_label(2500, 1000), "+2.5 s");
    for (double step = 0.005; step <= 2'000'000; step *= 10)
        for (double m : {1.0, 2.0, 5.0})
            for (double from : {-2.04, 0.0, 752.885, 26450.0, 1'800'000.0}) {
                const double s = step * m;
                std::string last;
                for (int i = 0; i < 12; ++i) {
                    const double t = (std::ceil(from / s) + i) * s;
                    const std::string label = gui::tick_label(t, s);
                    EXPECT_TRUE(label.ends_with(" ms") || label.ends_with(" s")) << label;
                    EXPECT_NE(label, last) << "step " << s << " ms from " << from;
                    last = label;
                }
            }
}

// ---- PNG metadata (gui/png_text) -----------------------------------------------------------

TEST(PngText, ChunksGoAfterTheHeaderAndReadBack) {
    // The smallest PNG: 1 × 1, grey (a real file's bytes).
    const std::string png("\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR\0\0\0\x01\0\0\0\x01\x08\x00\0\0\0"
                          "\x3a\x7e\x9b\x55\0\0\0\x0aIDAT\x78\x9c\x63\x68\0\0\0\x82\0\x81"
                          "\x4c\x17\xd7\xdf\0\0\0\0IEND\xae\x42\x60\x82",
                          67);
    const std::string out =
        gui::add_png_text(png, {{"daemonlab:scenario", "passed-in"}, {"Description", "hung\x01"}});
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.size(), png.size() + 12 + 28 + 12 + 17);
    const gui::PngText back = gui::read_png_text(out);
    ASSERT_EQ(back.size(), 2u);
    EXPECT_EQ(back[0], (std::pair<std::string, std::string>{"daemonlab:scenario", "passed-in"}));
    EXPECT_EQ(back[1].second, "hung?"); // control bytes are not written
    EXPECT_EQ(out.substr(out.size() - 12), png.substr(png.size() - 12)); // IEND stays last
    EXPECT_TRUE(gui::add_png_text("not a png", {{"a", "b"}}).empty());
}

// ---- settings: the export folder and the hang limit are remembered -------------------------

TEST(Settings, ExportFolderAndHangLimitAreRemembered) {
    const std::string home = std::string(DAEMONLAB_TEST_DIR) + "/settings-home";
    std::filesystem::remove_all(home);
    std::filesystem::create_directories(home);
    setenv("XDG_CONFIG_HOME", home.c_str(), 1);
    gui::Settings s = gui::Settings::load();
    EXPECT_EQ(s.keep_hung_s, 30); // the default limit
    EXPECT_TRUE(s.export_dir.empty());
    s.export_dir = "/srv/工作坊/exports";
    s.keep_hung_s = 45;
    ASSERT_TRUE(s.save()) << gui::Settings::path();
    const gui::Settings back = gui::Settings::load();
    EXPECT_EQ(back.export_dir, "/srv/工作坊/exports");
    EXPECT_EQ(back.keep_hung_s, 45);
    // Out of range in the file: clamped, not trusted.
    std::ofstream(gui::Settings::path()) << "keep_hung_s = 100000\n";
    EXPECT_EQ(gui::Settings::load().keep_hung_s, 600);
    unsetenv("XDG_CONFIG_HOME");
}

// Issue 24: the Export settings' slider showed "30 秒 / -1941471472 s" in 双语: its format,
// made from "{n} 秒 / {n} s" with n = "%d", had two conversions and ImGui passes one value.
// The slider's label is now text with the value in it, made printf-safe.
TEST(PrintfLiteral, PrintsTheTextAsItIs) {
    for (const std::string text : {"30 秒 / 30 s", "100% / %d %s %n", "", "%"}) {
        const std::string fmt = gui::printf_literal(text);
        char buf[128];
        std::snprintf(buf, sizeof buf, fmt.c_str(), 12345); // one int, as ImGui passes
        EXPECT_EQ(std::string(buf), text);
    }
}

// Issue 24: an answer belongs to one run. One given for the next run is cleared when its
// settings change; none is highlighted that the next run would not count.
TEST(Quiz, AnAnswerForTheNextRunIsClearedWhenItsSettingsChange) {
    Quiz q;
    q.next_settings("threaded-client|inherit|no-close|model");
    q.predict(true, /*undecided=*/false);
    q.next_settings("threaded-client|inherit|no-close|model"); // the next frame: same settings
    EXPECT_EQ(q.pending(false), true);
    q.next_settings("threaded-client|daemon|no-close|model"); // the receiver switch moved
    EXPECT_FALSE(q.pending(false).has_value());
    q.run_started();
    EXPECT_FALSE(q.said().has_value()); // nothing to judge, and nothing was shown
    // A decided run (a hang kept alive) takes no answer: it goes to the next run.
    q.score(ended(lab::Outcome::hung), "a");
    q.predict(false, /*undecided=*/false);
    EXPECT_FALSE(q.said().has_value());
    EXPECT_EQ(q.pending(false), false);
    q.run_started();
    q.score(ended(lab::Outcome::hung), "b");
    EXPECT_EQ(q.right(), true);
    EXPECT_EQ(q.total(), 1);
}
