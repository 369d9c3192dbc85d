// lessons.hpp — the teaching content, loaded from content/ (TOML; prose is Markdown).
//
//   content/strings.toml          every UI label and message, zh + en (strings.hpp)
//   content/lessons/<id>.toml     one lesson per scenario (format below); its program is the
//                                 real file demos/python/scenarios/<id>.py (programs.hpp)
//   content/pages/<nn>-<id>.toml  intro pages: title + body, zh + en
//   content/glossary.toml         [[term]] zh, en, note_zh, note_en
//
// A lesson file:
//   id = "threaded-client"                  # the program: demos/python/scenarios/<id>.py
//   [title]   zh = "..." en = "..."
//   [summary] zh/en   [why] zh/en   [fix] zh/en   [predict] zh/en (a one-line reason)
//   [[takeaways]] zh/en
//   [[steps]]
//   pause = "connect"                       # the pause point: `# step: connect` in the
//                                           # program, demo::step("connect") in the C++
//   py  = ["self.ws = client.connect(URI)"] # text found on the Python lines it covers
//   cpp = ["ws = wsync::connect(URI());"]   # text found on the C++ lines it covers
//   zh = "..." en = "..."
//   threads = 2                             # optional: threads alive at this pause point
//   [expect]                                # what the lesson's rules say the demo does,
//   inherit = ["hangs", "exits"]            # per receiver policy: [without close(),
//   daemon = ["exits", "exits"]             #  with close()]; the matrix's "predicted"
//   non-daemon = ["hangs", "exits"]
// Lines are named by their text, not numbers, so editing a program cannot make a lesson
// point at the wrong line silently: check_content() reports any text it cannot find.
#pragma once

#include "demos/trace/protocol.hpp"
#include "lab/model/strings.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct Text {
    std::string zh, en;
    const std::string& in(Lang l) const { return l == Lang::zh ? zh : en; }
    bool empty() const { return zh.empty() && en.empty(); }
};

struct Step {
    std::string pause;
    std::vector<std::string> py, cpp; // line texts
    Text text;
    // What the text claims about threads at this pause point, when it does: how many threads
    // are alive there (the lanes a run draws at that pause, with the lesson's default
    // switches). tests/test_matrix_run.cpp runs every lesson step by step and checks it.
    std::optional<int> threads;
};

struct Lesson {
    std::string id;
    std::string file;
    Text title, summary, why, fix, predict;
    std::string program; // the path of its Python program
    std::string python;  // ... and its text: what the code pane shows and the engine runs
    std::vector<Step> steps;
    std::vector<Text> takeaways;
    // receiver policy → {without close(), with close()}: true for "exits", false for "hangs".
    std::map<trace::Receiver, std::array<bool, 2>> expect;

    // What the lesson says the demo does with these switches (its scenario's other options
    // at their defaults); nothing when the lesson does not say.
    std::optional<bool> expects_exit(trace::Receiver receiver, bool close) const;
};

struct Page {
    std::string id;
    Text title, body;
};

struct Term {
    std::string zh, en;
    Text note;
};

struct Content {
    Strings strings;
    std::vector<Lesson> lessons;
    std::vector<Page> pages;
    std::vector<Term> glossary;
    std::vector<std::string> errors; // "file:line: what is wrong", one per problem

    const Lesson* lesson(std::string_view id) const;
};

// Loads everything it can. A broken file is reported in errors and skipped; the rest loads.
// The lessons' programs come from `programs` (default: python_dir()/scenarios).
Content load_content(const std::string& dir, const std::string& programs = {});

// The 1-based numbers of the lines of `text` that contain `needle` (empty: none).
std::vector<int> find_lines(std::string_view text, std::string_view needle);

// Consistency: every scenario has a lesson and a program; every text has both languages;
// every step's py/cpp text is found in the program / the demo's source; every pause point
// is marked in both (`# step: name`, demo::step("name")), and the program and its C++
// mirror mark the same pause points. Returns the problems found.
std::vector<std::string> check_content(const Content& c);

} // namespace lab
