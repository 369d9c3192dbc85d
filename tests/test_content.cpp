// The teaching content: the real content/ is complete and consistent, and check_content()
// really catches each kind of fault it claims to (proved on broken copies in a temp dir).
#include "lab/model/catalog.hpp"
#include "lab/model/lessons.hpp"
#include "lab/model/programs.hpp"
#include "lab/model/strings.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

using namespace lab;
namespace fs = std::filesystem;

namespace {

const std::string kContent = DAEMONLAB_SOURCE_DIR "/content";

std::string list(const std::vector<std::string>& problems) {
    std::string out;
    for (const std::string& p : problems) out += "\n  " + p;
    return out.empty() ? "\n  (none)" : out;
}

// Some problem contains `needle`.
::testing::AssertionResult has_problem(const std::vector<std::string>& problems,
                                       std::string_view needle) {
    for (const std::string& p : problems)
        if (p.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "no problem mentions \"" << needle << "\"; got:" << list(problems);
}

// Every problem contains `needle` (the fault stays where it was put).
::testing::AssertionResult all_about(const std::vector<std::string>& problems,
                                     std::string_view needle) {
    for (const std::string& p : problems)
        if (p.find(needle) == std::string::npos)
            return ::testing::AssertionFailure()
                   << "unrelated problem (not about \"" << needle << "\"): " << p;
    return ::testing::AssertionSuccess();
}

// Unicode code points in UTF-8 text.
std::size_t code_points(std::string_view s) {
    std::size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

std::size_t words(std::string_view s) {
    std::istringstream in{std::string(s)};
    std::size_t n = 0;
    for (std::string w; in >> w;) ++n;
    return n;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    while (!s.empty() && s.front() == '\n') s.erase(0, 1);
    return s;
}

} // namespace

// ---- the real content -----------------------------------------------------------------

TEST(Content, RealContentPassesTheChecker) {
    Content c = load_content(kContent);
    std::vector<std::string> problems = check_content(c);
    for (const std::string& p : problems) ADD_FAILURE() << p;
    EXPECT_EQ(c.lessons.size(), catalog().size());
    EXPECT_GE(c.pages.size(), 4u);
    EXPECT_GE(c.glossary.size(), 15u);
}

// The app loads its words from several files into one table (gui/app/app_main.cpp, the CLI,
// the room); a key in two of them would mean two wordings, one silently winning.
TEST(Content, EveryKeyIsDefinedOnce) {
    Strings all;
    for (const char* file :
         {"strings.toml", "ui.toml", "ui_panes.toml", "timeline.toml", "room.toml"})
        EXPECT_TRUE(all.load(kContent + "/" + file)) << all.error();
}

TEST(Content, EveryPageAndTermHasBothLanguages) {
    Content c = load_content(kContent);
    for (std::string_view id :
         {"00-where-this-comes-from", "10-daemon-threads", "20-interpreter-exit",
          "30-websockets-13", "40-good-practice", "45-stopping-for-good"}) {
        bool found = false;
        for (const Page& p : c.pages) found |= p.id == id;
        EXPECT_TRUE(found) << "page " << id << " missing";
    }
    for (const Page& p : c.pages) {
        EXPECT_FALSE(p.title.zh.empty()) << p.id << ": title.zh";
        EXPECT_FALSE(p.title.en.empty()) << p.id << ": title.en";
        EXPECT_FALSE(p.body.zh.empty()) << p.id << ": body.zh";
        EXPECT_FALSE(p.body.en.empty()) << p.id << ": body.en";
    }
    for (const Term& t : c.glossary) {
        const std::string name = t.zh + " / " + t.en;
        EXPECT_FALSE(t.zh.empty()) << name << ": zh";
        EXPECT_FALSE(t.en.empty()) << name << ": en";
        EXPECT_FALSE(t.note.zh.empty()) << name << ": note_zh";
        EXPECT_FALSE(t.note.en.empty()) << name << ": note_en";
    }
}

// check_content() only flags a text present in one language; here nothing may be missing in
// both, and the shape fits the lesson view (3–6 steps, 2–3 takeaways, projector-sized steps).
TEST(Content, EveryLessonIsCompleteAndProjectorSized) {
    Content c = load_content(kContent);
    for (const Lesson& l : c.lessons) {
        SCOPED_TRACE(l.file);
        for (auto [text, name] : {std::pair{&l.title, "title"},
                                  {&l.summary, "summary"},
                                  {&l.why, "why"},
                                  {&l.fix, "fix"},
                                  {&l.predict, "predict"}}) {
            EXPECT_FALSE(text->zh.empty()) << name << ".zh";
            EXPECT_FALSE(text->en.empty()) << name << ".en";
        }
        EXPECT_EQ(trimmed(l.predict.zh).find('\n'), std::string::npos) << "predict is one line";
        EXPECT_EQ(trimmed(l.predict.en).find('\n'), std::string::npos) << "predict is one line";
        EXPECT_GE(l.steps.size(), 3u);
        EXPECT_LE(l.steps.size(), 6u);
        EXPECT_GE(l.takeaways.size(), 2u);
        EXPECT_LE(l.takeaways.size(), 3u);
        for (const Text& t : l.takeaways) EXPECT_FALSE(t.zh.empty() || t.en.empty());
        for (std::size_t i = 0; i < l.steps.size(); ++i) {
            const Step& s = l.steps[i];
            EXPECT_FALSE(s.pause.empty()) << "step " << i + 1 << " has no pause point";
            EXPECT_FALSE(s.py.empty()) << "step " << i + 1 << " points at no Python line";
            EXPECT_LE(words(s.text.en), 80u) << "step " << i + 1 << " is too long to project";
            EXPECT_LE(code_points(trimmed(s.text.zh)), 260u)
                << "step " << i + 1 << " is too long to project";
        }
    }
}

// The code pane shows the very file the CPython engine runs, and the C++ demo names it.
TEST(Content, EachLessonShowsItsRealProgram) {
    Content c = load_content(kContent);
    for (const Scenario& s : catalog()) {
        const Lesson* l = c.lesson(s.id);
        ASSERT_NE(l, nullptr) << s.id;
        EXPECT_EQ(l->program, program_path(s.id));
        EXPECT_EQ(l->python, read_file(program_path(s.id))) << s.id;
        EXPECT_NE(l->python.find("import "), std::string::npos) << s.id << ": imports shown";
        const std::string file = fs::path(l->program).filename().string();
        if (s.cpython_only) { // chapter 2: the program is all there is
            EXPECT_TRUE(s.cpp_source.empty()) << s.id;
            continue;
        }
        EXPECT_NE(s.cpp_source.find("Mirrors demos/python/scenarios/" + file), std::string::npos)
            << s.id << ": the C++ demo should name the program it mirrors";
    }
}

// ---- broken copies: the checker must catch each fault ---------------------------------

namespace {

// A minimal lesson that passes the checker; each test breaks one thing in it.
struct FakeLesson {
    std::string id = "passed-in";
    std::string pause = "connect";
    std::string py = "c = client.connect(URI)";
    std::string cpp = "auto c = wsync::connect(URI());";
    std::string step_zh = "主线程建立连接。", step_en = "Main connects.";
    std::string why_zh = "因为如此。", why_en = "Because.";
    std::string expect_inherit = "['hangs', 'exits']";
    std::string extra; // more TOML at the top

    std::string render() const {
        auto kv = [](const char* k, const std::string& v) {
            return v.empty() ? std::string() : std::string(k) + " = '" + v + "'\n";
        };
        std::string s = "id = '" + id + "'\n" + extra;
        for (const char* table : {"title", "summary", "fix", "predict"})
            s += std::string("[") + table + "]\nzh = '文字'\nen = 'Text'\n";
        s += "[why]\n" + kv("zh", why_zh) + kv("en", why_en);
        s += "[[takeaways]]\nzh = '要点'\nen = 'Point'\n";
        s += "[[steps]]\n" + kv("pause", pause) + "py = ['" + py + "']\ncpp = ['" + cpp + "']\n" +
             kv("zh", step_zh) + kv("en", step_en);
        s += "[expect]\n";
        if (!expect_inherit.empty()) s += "inherit = " + expect_inherit + "\n";
        s += "daemon = ['exits', 'exits']\nnon-daemon = ['hangs', 'exits']\n";
        return s;
    }
};

int line_of(const std::string& text, std::string_view needle) {
    std::vector<int> lines = find_lines(text, needle);
    return lines.empty() ? 0 : lines.front();
}

class BrokenContent : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "daemonlab-content-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
        fs::copy(kContent, dir_ / "content", fs::copy_options::recursive);
        fs::copy(fs::path(program_path("passed-in")).parent_path(), dir_ / "programs",
                 fs::copy_options::recursive);
        ASSERT_TRUE(problems().empty()) << "the copy of content/ should start clean";
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    // content/... and programs/... (the lessons' Python programs) of the copy.
    std::string path(const std::string& rel) const {
        return (rel.starts_with("programs/") ? dir_ / rel : dir_ / "content" / rel).string();
    }
    void write(const std::string& rel, const std::string& text) const {
        std::ofstream(path(rel), std::ios::binary | std::ios::trunc) << text;
    }
    Content load() const {
        return load_content((dir_ / "content").string(), (dir_ / "programs").string());
    }
    std::vector<std::string> problems() const { return check_content(load()); }

    fs::path dir_;
};

} // namespace

TEST_F(BrokenContent, TheFakeLessonIsClean) {
    write("lessons/passed-in.toml", FakeLesson{}.render());
    EXPECT_TRUE(problems().empty()) << list(problems());
}

TEST_F(BrokenContent, StepInChineseWithoutEnglish) {
    FakeLesson f;
    f.step_en.clear();
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    const std::string at =
        path("lessons/passed-in.toml") + ":" + std::to_string(line_of(f.render(), "[[steps]]"));
    EXPECT_TRUE(has_problem(p, at + ": step 1 has Chinese text but no English twin"));
    EXPECT_TRUE(has_problem(p, "step 1: needs both zh and en text"));
    EXPECT_TRUE(all_about(p, "passed-in.toml"));
}

TEST_F(BrokenContent, StepInEnglishWithoutChinese) {
    FakeLesson f;
    f.step_zh.clear();
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "step 1 has English text but no Chinese twin"));
    EXPECT_TRUE(all_about(p, "passed-in.toml"));
}

TEST_F(BrokenContent, SectionInEnglishWithoutChinese) {
    FakeLesson f;
    f.why_zh.clear();
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "passed-in.toml: why has English text but no Chinese twin"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, SectionInChineseWithoutEnglish) {
    FakeLesson f;
    f.why_en.clear();
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "passed-in.toml: why has Chinese text but no English twin"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, PageBodyWithoutItsTwin) {
    write("pages/90-half.toml", "[title]\nzh = '半页'\nen = 'Half'\n[body]\nzh = '只有中文。'\n");
    write("pages/91-other-half.toml",
          "[title]\nen = 'Other half'\n[body]\nzh = '中文'\nen = 'en'\n");
    Content c = load();
    auto p = check_content(c);
    EXPECT_TRUE(has_problem(p, "90-half.toml: body has Chinese text but no English twin"));
    EXPECT_TRUE(has_problem(p, "91-other-half.toml: title has English text but no Chinese twin"));
    EXPECT_EQ(p.size(), 2u) << list(p);
    EXPECT_EQ(c.pages.size(), load_content(kContent).pages.size() + 2);
}

TEST_F(BrokenContent, PythonLineThatIsNotInTheSnippet) {
    FakeLesson f;
    f.py = "c = client.connect(ELSEWHERE)";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "step 1: python line not found: c = client.connect(ELSEWHERE)"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, CppLineThatIsNotInTheDemo) {
    FakeLesson f;
    f.cpp = "auto c = wsync::connect(ELSEWHERE());";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(
        p, "step 1: C++ line not found in demos/scenarios: auto c = wsync::connect(ELSEWHERE());"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, CppLineFromAnotherDemo) {
    FakeLesson f; // inside_thread.cpp has no "c->close();"; passed_in.cpp has
    f.id = "inside-thread";
    f.py = "ws = client.connect(URI)";
    f.cpp = "c->close();";
    write("lessons/inside-thread.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "inside-thread.toml: step 1: C++ line not found"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, PausePointThatIsNotInTheDemo) {
    FakeLesson f;
    f.pause = "teleport";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "step 1: pause point not in the demo: teleport"));
    EXPECT_TRUE(has_problem(p, "step 1: pause point not marked in the program (# step: teleport)"));
    EXPECT_EQ(p.size(), 2u) << list(p);
}

TEST_F(BrokenContent, PausePointOfAnotherDemo) {
    FakeLesson f; // other demos pause at "close"; inside-thread never does
    f.id = "inside-thread";
    f.py = "ws = client.connect(URI)";
    f.cpp = "auto ws = wsync::connect(URI());";
    f.pause = "close";
    write("lessons/inside-thread.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "inside-thread.toml: step 1: pause point not in the demo: close"));
    EXPECT_TRUE(
        has_problem(p, "inside-thread.toml: step 1: pause point not marked in the program"));
    EXPECT_EQ(p.size(), 2u) << list(p);
}

TEST_F(BrokenContent, ExpectationThatIsNotExitsOrHangs) {
    FakeLesson f;
    f.expect_inherit = "['hangs', 'maybe']";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "passed-in.toml:"));
    EXPECT_TRUE(has_problem(p, "expect.inherit must be"));
    EXPECT_TRUE(has_problem(p, "expect.inherit is missing"));
    EXPECT_TRUE(all_about(p, "passed-in.toml"));
}

TEST_F(BrokenContent, ExpectationMissing) {
    FakeLesson f;
    f.expect_inherit = "";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "passed-in.toml: expect.inherit is missing"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, ScenarioWithoutALesson) {
    fs::remove(path("lessons/with-block.toml"));
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "scenario with-block has no lesson in lessons/"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, LessonWithoutAScenario) {
    FakeLesson f;
    f.id = "no-such-scenario";
    write("lessons/no-such-scenario.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "no-such-scenario.toml: no scenario called no-such-scenario"));
    EXPECT_EQ(p.size(), 1u) << list(p);
}

TEST_F(BrokenContent, TomlSyntaxErrorIsNamedAndTheRestStillLoads) {
    write("lessons/passed-in.toml", "id = 'passed-in'\n[title]\nzh = \"未闭合的字符串\n");
    Content c = load();
    EXPECT_TRUE(has_problem(c.errors, path("lessons/passed-in.toml") + ":3:"));
    EXPECT_EQ(c.errors.size(), 1u) << list(c.errors);
    EXPECT_EQ(c.lesson("passed-in"), nullptr);
    EXPECT_EQ(c.lessons.size(), catalog().size() - 1);
    for (const Scenario& s : catalog())
        if (s.id != "passed-in") {
            EXPECT_NE(c.lesson(s.id), nullptr) << s.id;
        }
    auto p = check_content(c);
    EXPECT_TRUE(has_problem(p, "scenario passed-in has no lesson"));
    EXPECT_EQ(p.size(), 2u) << list(p); // the syntax error and the missing lesson
}

TEST_F(BrokenContent, TomlSyntaxErrorInAPage) {
    write("pages/90-broken.toml", "[title]\nzh = '标题'\nen = 'Title'\n\n[body\nzh = 'x'\n");
    Content c = load();
    EXPECT_TRUE(has_problem(c.errors, path("pages/90-broken.toml") + ":5:"));
    EXPECT_EQ(c.errors.size(), 1u) << list(c.errors);
    EXPECT_EQ(c.pages.size(), load_content(kContent).pages.size());
    EXPECT_EQ(c.lessons.size(), catalog().size());
}

TEST_F(BrokenContent, TomlSyntaxErrorInTheGlossary) {
    write("glossary.toml", "[[term]]\nzh = '守护线程'\nen = daemon thread\n");
    Content c = load();
    EXPECT_TRUE(has_problem(c.errors, path("glossary.toml") + ":3:"));
    EXPECT_TRUE(c.glossary.empty());
    EXPECT_EQ(c.lessons.size(), catalog().size());
}

// One source: a lesson that keeps its program inline is told where the program lives.
TEST_F(BrokenContent, AProgramKeptInsideTheLesson) {
    FakeLesson f;
    f.extra = "python = '''\nc = client.connect(URI)\n'''\n";
    write("lessons/passed-in.toml", f.render());
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "demos/python/scenarios/passed-in.py (one source)")) << list(p);
}

TEST_F(BrokenContent, AProgramThatIsMissing) {
    fs::remove(path("programs/passed_in.py"));
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "passed_in.py is missing or empty")) << list(p);
}

// The C++ demo mirrors the program: a pause point only one of them marks is caught.
TEST_F(BrokenContent, APausePointTheProgramDoesNotMark) {
    std::string src = read_file(path("programs/passed_in.py"));
    const std::size_t at = src.find("  # step: start");
    ASSERT_NE(at, std::string::npos);
    src.erase(at, std::string("  # step: start").size());
    write("programs/passed_in.py", src);
    auto p = problems();
    EXPECT_TRUE(has_problem(p, "pause point not marked in the program (# step: start)")) << list(p);
    EXPECT_TRUE(has_problem(p, "are not the C++ demo's (connect, start, close, main-end)"))
        << list(p);
}

TEST_F(BrokenContent, AKeyDefinedTwiceIsRefused) {
    write("a.toml", "[\"ui.same\"]\nzh = '第一处'\nen = 'first'\n");
    write("b.toml", "[\"ui.other\"]\nzh = '别处'\nen = 'other'\n\n[\"ui.same\"]\nzh = '第二处'\nen "
                    "= 'second'\n");
    Strings s;
    ASSERT_TRUE(s.load(path("a.toml"))) << s.error();
    EXPECT_FALSE(s.load(path("b.toml")));
    EXPECT_NE(s.error().find(path("b.toml") + ":5: 'ui.same' is already defined at " +
                             path("a.toml") + ":1"),
              std::string::npos)
        << s.error();
    EXPECT_EQ(s.get("ui.same", Lang::en), "first");  // the first wording stays
    EXPECT_EQ(s.get("ui.other", Lang::en), "other"); // and the rest of the file still loads
    EXPECT_TRUE(s.load(path("a.toml"))) << "re-reading one file is not a duplicate";
}
