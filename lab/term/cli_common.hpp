// cli_common.hpp — what the terminal commands share (lab/term/cli_*.cpp): the words they
// print in, the exit statuses, CLI11's choices from the protocol's names, and the run
// report (timeline, verdict, JSON). Not a public interface: cli.hpp is.
#pragma once

#include "demos/trace/protocol.hpp"
#include "lab/model/run_options.hpp"
#include "lab/model/strings.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct Ui {
    Strings strings;
    std::vector<Lang> langs = {Lang::en};

    // One line per language ("both" prints Chinese, then English).
    void say(std::string_view key, const std::vector<Arg>& args = {},
             std::string_view indent = "") const;
};

// A subcommand, declared on the CLI; run() after parsing, when sub->parsed().
struct Command {
    CLI::App* sub = nullptr;
    std::function<int(const Ui&)> run;
};

// The terminal's words (content/strings.toml, ui_panes.toml); false when none could be read.
bool load_strings(Ui& ui);
// --lang zh|en|both, declared on `cmd`, into `lang`.
void add_lang(CLI::App& cmd, std::string& lang);
std::vector<Lang> parse_lang(const std::string& s);

// The exit status for a run's outcome (cli.hpp).
int status_for(Outcome o);
// What every status means, for run's and explain's --help (README says the same).
extern const char* const kExitStatus;
// explain's time limit when --timeout is not given.
inline constexpr int kExplainTimeoutMs = 30'000;

// --engine: the protocol's names, and "python" for the real interpreter as people say it.
CLI::CheckedTransformer engines();

// CLI11's choices for an option of enum type E, from the protocol's one table of names.
template <class E>
CLI::CheckedTransformer choices(std::initializer_list<E> allowed = {}) {
    std::map<std::string, E> m;
    std::string shown;
    for (const auto& [value, name] : trace::Names<E>::table)
        if (!name.empty() && (allowed.size() == 0 ||
                              std::find(allowed.begin(), allowed.end(), value) != allowed.end())) {
            m.emplace(std::string(name), value);
            shown += (shown.empty() ? "" : "|") + std::string(name);
        }
    CLI::CheckedTransformer t(m);
    t.description(shown); // "inherit|daemon|non-daemon", not the enum's numbers
    return t;
}

// ---- the report of a run (cli_report.cpp) --------------------------------------------------

struct RuntimeVersions {
    std::string python, websockets;
};
// What the run really used: the trace's account first, then the check before it.
RuntimeVersions versions(const RunState& st);
// The threads as a text timeline, one row per thread, in the GUI's legend as glyphs.
void print_timeline(const RunState& st, const Ui& ui);
// The verdict, its reasons, and the demo's output when it went wrong.
void print_verdict(const RunState& st, const Ui& ui);
// The run as `--json` prints it.
nlohmann::json run_json(const RunState& st, const Strings& strings);

// ---- the commands ------------------------------------------------------------------------

Command add_run_command(CLI::App& app, std::string& lang);     // cli_run.cpp
Command add_explain_command(CLI::App& app, std::string& lang); // cli_explain.cpp
Command add_attach_command(CLI::App& app, std::string& lang);  // cli_attach.cpp
Command add_matrix_command(CLI::App& app, std::string& lang);  // cli_matrix.cpp
Command add_serve_command(CLI::App& app);                      // cli_serve.cpp
Command add_setup_python_command(CLI::App& app);               // cli_setup.cpp
// Runs `opt` live and prints its report (terminal or JSON); the exit status. (cli_run.cpp)
int cmd_run(const RunOptions& opt, bool as_json, const std::string& trace_out, const Ui& ui);

} // namespace lab
