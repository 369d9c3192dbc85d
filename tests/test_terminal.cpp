// Text for a terminal: columns, and the lessons' Markdown drawn with a terminal's means.
#include "lab/term/terminal.hpp"
#include "subprocess.hpp"

#include <gtest/gtest.h>

using namespace lab;

TEST(Terminal, DisplayWidthCountsColumnsNotBytes) {
    const struct {
        const char* text;
        std::size_t columns;
    } cases[] = {
        {"", 0},
        {"recv_events", 11},
        {"主线程", 6},                     // CJK: two each
        {"非守护，继承自 MainThread", 25}, // full-width comma too
        {"█▓▒░▁·^", 7},                    // the timeline's glyphs: one each (3 bytes in UTF-8)
        {"（≤ 12.0）", 10},                // full-width parentheses, narrow ≤
        {"e\xcc\x81", 1},                  // e + combining acute
        {"\xff\xfe", 2},                   // invalid bytes: one each
    };
    for (const auto& c : cases) EXPECT_EQ(display_width(c.text), c.columns) << c.text;
    EXPECT_EQ(display_width(pad_to("主线程", 10)), 10u);
    EXPECT_EQ(pad_to("long enough", 3), "long enough");
}

TEST(Terminal, InlineMarkdownIsStyledOnATtyAndPlainElsewhere) {
    const std::string md = "the **main thread** calls `connect()`, **not** `t`";
    EXPECT_EQ(render_inline(md, false), "the main thread calls connect(), not t");
    EXPECT_EQ(render_inline(md, true), "the \033[1mmain thread\033[22m calls \033[36mconnect()"
                                       "\033[39m, \033[1mnot\033[22m \033[36mt\033[39m");
    // Markers without a partner, and empty pairs, stay as they are.
    EXPECT_EQ(render_inline("2 ** 3 and a lone ` tick", false), "2 ** 3 and a lone ` tick");
    EXPECT_EQ(render_inline("****", false), "****");
    EXPECT_EQ(render_inline("**主线程**执行", false), "主线程执行");
}

// Step mode through a pipe (not a terminal): the lesson's text is plain, no ** or `.
TEST(Terminal, StepModeInAPipePrintsPlainWords) {
    auto r = testing_support::run({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run",
                                   "threaded-client", "--step", "--lang", "en", "--grace", "150"},
                                  60);
    EXPECT_EQ(r.exit_code, 3) << r.out;
    const std::size_t step = r.out.find("Step 1/");
    ASSERT_NE(step, std::string::npos) << r.out;
    const std::string text = r.out.substr(step, r.out.find("Python", step) - step);
    EXPECT_EQ(text.find("**"), std::string::npos) << text;
    EXPECT_EQ(text.find('`'), std::string::npos) << text;
    EXPECT_EQ(text.find('\033'), std::string::npos) << text;
}

// A step the run does not reach is said, in its place, with the reason.
TEST(Terminal, AStepNotReachedIsSaidWithTheReason) {
    testing_support::Interactive in({std::string(DAEMONLAB_BIN_DIR) + "/daemonlab", "run",
                                     "threaded-client", "--step", "--lang", "en", "--grace",
                                     "150"});
    for (int i = 0; i < 4; ++i) in.type(""); // Enter
    const testing_support::Result r = in.finish(60);
    const std::size_t two = r.out.find("── Step 2/4"), three = r.out.find("── Step 3/4"),
                      four = r.out.find("── Step 4/4");
    ASSERT_NE(three, std::string::npos) << r.out;
    EXPECT_LT(two, three);
    EXPECT_LT(three, four);
    const std::string line = r.out.substr(three, r.out.find('\n', three) - three);
    EXPECT_NE(line.find("(close) — not reached: if CLOSE: is false with these switches"),
              std::string::npos)
        << line;
}
