#include "lab/model/lessons.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/lines.hpp"
#include "lab/model/programs.hpp"
#include "lab/model/run_options.hpp"

#include <algorithm>
#include <filesystem>
#include <toml++/toml.h>

namespace lab {
namespace {

// The two words of an [expect] cell.
constexpr std::string_view kExits = "exits", kHangs = "hangs";
namespace fs = std::filesystem;

std::string where(const std::string& file, const toml::source_region& r) {
    return file + ":" + std::to_string(r.begin.line);
}

template <class View>
Text text_of(View n) {
    return {n["zh"].value_or(std::string{}), n["en"].value_or(std::string{})};
}

template <class View>
std::vector<std::string> strings_of(View n) {
    std::vector<std::string> out;
    if (const toml::array* a = n.as_array())
        for (const auto& item : *a)
            if (auto s = item.value<std::string>()) out.push_back(*s);
    return out;
}

std::vector<fs::path> toml_files(const fs::path& dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".toml") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
}

// Parses a file; on a syntax error records "file:line:col: what" and returns false.
bool parse(const fs::path& path, toml::table& out, std::vector<std::string>& errors) {
    try {
        out = toml::parse_file(path.string());
        return true;
    } catch (const toml::parse_error& e) {
        errors.push_back(path.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                         std::to_string(e.source().begin.column) + ": " +
                         std::string(e.description()));
        return false;
    }
}

void need_both(const Text& t, const std::string& what, const std::string& at,
               std::vector<std::string>& errors) {
    if (t.zh.empty() != t.en.empty())
        errors.push_back(at + ": " + what + " has " + (t.zh.empty() ? "English" : "Chinese") +
                         " text but no " + (t.zh.empty() ? "Chinese" : "English") + " twin");
}

} // namespace

const Lesson* Content::lesson(std::string_view id) const {
    for (const Lesson& l : lessons)
        if (l.id == id) return &l;
    return nullptr;
}

std::vector<int> find_lines(std::string_view text, std::string_view needle) {
    std::vector<int> lines;
    if (needle.empty()) return lines;
    for_each_line(text, [&](std::string_view line, int n) {
        if (line.find(needle) != std::string_view::npos) lines.push_back(n);
    });
    return lines;
}

std::optional<bool> Lesson::expects_exit(trace::Receiver receiver, bool close) const {
    auto it = expect.find(receiver);
    if (it == expect.end()) return std::nullopt;
    return it->second[close ? 1 : 0];
}

Content load_content(const std::string& dir_name, const std::string& programs) {
    Content c;
    const fs::path dir(dir_name);
    if (!c.strings.load((dir / "strings.toml").string())) c.errors.push_back(c.strings.error());

    for (const fs::path& path : toml_files(dir / "lessons")) {
        toml::table t;
        if (!parse(path, t, c.errors)) continue;
        const std::string file = path.string();
        Lesson l;
        l.file = file;
        l.id = t["id"].value_or(std::string{});
        if (l.id.empty()) {
            c.errors.push_back(file + ":1: a lesson needs an id");
            continue;
        }
        if (t.contains("python"))
            c.errors.push_back(file +
                               ":1: the program is not kept here but in its own file, "
                               "demos/python/scenarios/" +
                               l.id + ".py (one source)");
        {
            std::string name = l.id;
            std::replace(name.begin(), name.end(), '-', '_');
            l.program =
                (programs.empty() ? fs::path(python_dir()) / "scenarios" : fs::path(programs)) /
                (name + ".py");
            l.python = read_file(l.program);
        }
        l.title = text_of(t["title"]);
        l.summary = text_of(t["summary"]);
        l.why = text_of(t["why"]);
        l.fix = text_of(t["fix"]);
        l.predict = text_of(t["predict"]);
        if (const toml::array* a = t["takeaways"].as_array())
            for (const auto& item : *a) l.takeaways.push_back(text_of(toml::node_view(item)));
        if (const toml::array* a = t["steps"].as_array())
            for (const auto& item : *a) {
                toml::node_view v(item);
                Step s;
                s.pause = v["pause"].value_or(std::string{});
                s.py = strings_of(v["py"]);
                s.cpp = strings_of(v["cpp"]);
                s.text = text_of(v);
                if (auto n = v["threads"]; n) {
                    const std::optional<std::int64_t> k = n.value<std::int64_t>();
                    if (k && *k >= 1 && *k <= 64)
                        s.threads = int(*k);
                    else
                        c.errors.push_back(where(file, item.source()) + ": step " +
                                           std::to_string(l.steps.size() + 1) +
                                           ": threads must be a whole number 1..64");
                }
                l.steps.push_back(std::move(s));
                need_both(l.steps.back().text, "step " + std::to_string(l.steps.size()),
                          where(file, item.source()), c.errors);
            }
        if (const toml::table* e = t["expect"].as_table())
            for (const auto& [key, node] : *e) {
                const std::string name(key.str());
                const auto receiver = trace::parse<trace::Receiver>(name);
                // What a lesson expects is what the matrix runs: the model's policies.
                const auto model = receivers_for(trace::Engine::model);
                if (!receiver || std::find(model.begin(), model.end(), *receiver) == model.end()) {
                    c.errors.push_back(where(file, node.source()) + ": expect." + name +
                                       ": not a receiver policy (inherit, daemon, non-daemon)");
                    continue;
                }
                const toml::array* a = node.as_array();
                std::array<std::string, 2> cell;
                for (std::size_t i = 0; a && i < 2 && i < a->size(); ++i)
                    cell[i] = (*a)[i].value_or(std::string{});
                auto word = [](const std::string& v) { return v == kExits || v == kHangs; };
                if (!a || a->size() != 2 || !word(cell[0]) || !word(cell[1])) {
                    c.errors.push_back(where(file, node.source()) + ": expect." + name +
                                       " must be [\"exits\"|\"hangs\", \"exits\"|\"hangs\"]");
                    continue;
                }
                l.expect[*receiver] = {cell[0] == kExits, cell[1] == kExits};
            }
        for (auto [text, name] : {std::pair{&l.title, "title"},
                                  {&l.summary, "summary"},
                                  {&l.why, "why"},
                                  {&l.fix, "fix"},
                                  {&l.predict, "predict"}})
            need_both(*text, name, file, c.errors);
        c.lessons.push_back(std::move(l));
    }

    for (const fs::path& path : toml_files(dir / "pages")) {
        toml::table t;
        if (!parse(path, t, c.errors)) continue;
        Page p{path.stem().string(), text_of(t["title"]), text_of(t["body"])};
        need_both(p.title, "title", path.string(), c.errors);
        need_both(p.body, "body", path.string(), c.errors);
        c.pages.push_back(std::move(p));
    }

    toml::table g;
    if (fs::exists(dir / "glossary.toml") && parse(dir / "glossary.toml", g, c.errors))
        if (const toml::array* a = g["term"].as_array())
            for (const auto& item : *a) {
                toml::node_view v(item);
                c.glossary.push_back(
                    {v["zh"].value_or(std::string{}),
                     v["en"].value_or(std::string{}),
                     {v["note_zh"].value_or(std::string{}), v["note_en"].value_or(std::string{})}});
            }
    return c;
}

std::vector<std::string> check_content(const Content& c) {
    std::vector<std::string> problems = c.errors;
    for (const Scenario& s : catalog()) {
        const Lesson* l = c.lesson(s.id);
        if (!l) {
            problems.push_back("scenario " + std::string(s.id) + " has no lesson in lessons/");
            continue;
        }
        if (l->python.empty())
            problems.push_back(l->file + ": its program " + l->program + " is missing or empty");
        // The C++ mirrors the program: the same pause points, in the same order.
        std::vector<std::string> py_points, cpp_points;
        for (const auto& [name, line] : pause_points(l->python))
            if (std::find(py_points.begin(), py_points.end(), name) == py_points.end())
                py_points.push_back(name);
        for_each_line(s.cpp_source, [&](std::string_view line, int) {
            constexpr std::string_view call = "demo::step(\"";
            if (std::size_t at = line.find(call); at != std::string_view::npos) {
                std::string_view rest = line.substr(at + call.size());
                std::string name(rest.substr(0, rest.find('"')));
                if (std::find(cpp_points.begin(), cpp_points.end(), name) == cpp_points.end())
                    cpp_points.push_back(name);
            }
        });
        // A chapter-2 lesson has no C++ demo: its program is the only one, and its steps name
        // no C++ lines (it runs on CPython only).
        if (s.cpython_only) cpp_points = py_points;
        if (py_points != cpp_points) {
            auto join = [](const std::vector<std::string>& v) {
                std::string out;
                for (const std::string& n : v) out += (out.empty() ? "" : ", ") + n;
                return out;
            };
            problems.push_back(l->file + ": the program's pause points (" + join(py_points) +
                               ") are not the C++ demo's (" + join(cpp_points) + ")");
        }
        if (l->steps.empty()) problems.push_back(l->file + ": no steps");
        for (trace::Receiver receiver : kMatrixReceivers)
            if (!l->expects_exit(receiver, false) || !l->expects_exit(receiver, true))
                problems.push_back(l->file + ": expect." + std::string(trace::name(receiver)) +
                                   " is missing: say what the demo does without and with close()");
        for (std::size_t i = 0; i < l->steps.size(); ++i) {
            const Step& st = l->steps[i];
            const std::string at = l->file + ": step " + std::to_string(i + 1);
            if (st.text.zh.empty() || st.text.en.empty())
                problems.push_back(at + ": needs both zh and en text");
            for (const std::string& py : st.py)
                if (find_lines(l->python, py).empty())
                    problems.push_back(at + ": python line not found: " + py);
            if (s.cpython_only && !st.cpp.empty())
                problems.push_back(at + ": a CPython-only lesson has no C++ demo: drop cpp");
            for (const std::string& cpp : st.cpp)
                if (!s.cpython_only && find_lines(s.cpp_source, cpp).empty())
                    problems.push_back(at + ": C++ line not found in demos/scenarios: " + cpp);
            if (!s.cpython_only && !st.pause.empty() &&
                find_lines(s.cpp_source, "demo::step(\"" + st.pause + "\")").empty())
                problems.push_back(at + ": pause point not in the demo: " + st.pause);
            if (!st.pause.empty() && !l->python.empty() &&
                std::none_of(py_points.begin(), py_points.end(),
                             [&](const std::string& n) { return n == st.pause; }))
                problems.push_back(
                    at + ": pause point not marked in the program (# step: " + st.pause + ")");
        }
    }
    for (const Lesson& l : c.lessons)
        if (!find_scenario(l.id)) problems.push_back(l.file + ": no scenario called " + l.id);
    return problems;
}

} // namespace lab
