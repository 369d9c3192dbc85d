// cli_common.cpp — what the terminal commands share: their words, statuses and choices.
#include "lab/term/cli_common.hpp"

#include <iostream>

namespace lab {

void Ui::say(std::string_view key, const std::vector<Arg>& args, std::string_view indent) const {
    for (Lang l : langs) std::cout << indent << strings.format(key, l, args) << "\n";
}

bool load_strings(Ui& ui) {
    // The terminal's words, and the labels it shares with the app (steps, skipped steps).
    bool ok = true;
    for (const char* file : {"/strings.toml", "/ui.toml", "/ui_panes.toml"})
        if (!ui.strings.load(content_dir() + file)) {
            std::cerr << "daemonlab: " << ui.strings.error() << "\n";
            ok = false;
        }
    return ok || !ui.strings.all().empty(); // partial content still serves
}

std::vector<Lang> parse_lang(const std::string& s) {
    if (s == "zh") return {Lang::zh};
    if (s == "both") return {Lang::zh, Lang::en};
    return {Lang::en};
}

void add_lang(CLI::App& cmd, std::string& lang) {
    cmd.add_option("--lang", lang, "zh, en or both")->check(CLI::IsMember({"zh", "en", "both"}));
}

int status_for(Outcome o) {
    switch (o) {
    case Outcome::exited:
        return 0;
    case Outcome::hung:
        return 3;
    case Outcome::crashed:
        return 4;
    case Outcome::killed:
    case Outcome::timed_out:
        return 5;
    case Outcome::error:
        return 2;
    case Outcome::running:
    case Outcome::failed:
        break;
    }
    return 1;
}

CLI::CheckedTransformer engines() {
    std::map<std::string, trace::Engine> m;
    for (const auto& [value, name] : trace::Names<trace::Engine>::table)
        m.emplace(std::string(name), value);
    m.emplace("python", trace::Engine::cpython);
    CLI::CheckedTransformer t(m);
    t.description("model|python");
    return t;
}

// What every status means, for run's and explain's --help (README says the same).
const char* const kExitStatus =
    "Exit status: 0 the program exited (whatever its own exit code), 1 failure (it could not "
    "start, or --trace-out could not be written), 2 bad input (scenario, file, flag or value; "
    "a program with a syntax error), 3 it hung, 4 it crashed (killed by a signal of its own), "
    "5 it was stopped (by the host, or the time limit: still running, not a hang), 130 Ctrl+C "
    "ended the command itself (the demo dies with it).";

} // namespace lab
