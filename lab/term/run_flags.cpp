#include "lab/term/run_flags.hpp"

#include "lab/model/catalog.hpp"
#include "lab/model/io_wait.hpp"
#include "lab/model/run_limits.hpp"
#include "lab/term/cli_common.hpp"

#include <CLI/CLI.hpp>
#include <cstdio>

namespace lab {
namespace {

std::vector<std::string> scenario_ids() {
    std::vector<std::string> ids;
    for (const Scenario& s : catalog()) ids.emplace_back(s.id);
    return ids;
}

// A word as a POSIX shell reads it back: as it is when it has nothing the shell would
// interpret, else in single quotes (a quote inside as '\'').
std::string shell_word(std::string_view w) {
    const bool plain =
        !w.empty() && w.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "abcdefghijklmnopqrstuvwxyz"
                                          "0123456789_./:=@%+,-") == std::string_view::npos;
    if (plain) return std::string(w);
    std::string q = "'";
    for (char c : w) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

} // namespace

void RunFlags::add_to(CLI::App& cmd, unsigned which) {
    if (which & run_flag::scenario)
        cmd.add_option_function<std::string>(
               "scenario", [this](const std::string& v) { scenario = v; }, "scenario id")
            ->required()
            ->check(CLI::IsMember(scenario_ids()));
    if (which & run_flag::scenario_option)
        cmd.add_option_function<std::string>(
               "--scenario", [this](const std::string& v) { scenario = v; },
               "the scenario to open (see: daemonlab list)")
            ->check(CLI::IsMember(scenario_ids()));
    if (which & run_flag::engine)
        cmd.add_option_function<trace::Engine>(
               "--engine", [this](trace::Engine e) { engine = e; },
               "model: the C++ model of CPython (default); python: the real interpreter, "
               "running the lesson's program")
            ->transform(engines());
    if (which & (run_flag::engine | run_flag::python))
        cmd.add_option_function<std::string>(
               "--python", [this](const std::string& v) { python = v; },
               which & run_flag::engine
                   ? "the interpreter for --engine python (CPython 3.9 to 3.13)"
                   : "the interpreter to run it with (CPython 3.9 to 3.13); all: every one "
                     "found (python3.X on PATH, pyenv, $VIRTUAL_ENV), side by side")
            ->default_str("python3");
    if (which & run_flag::receiver)
        cmd.add_option_function<trace::Receiver>(
               "--receiver", [this](trace::Receiver r) { receiver = r; },
               "websockets' recv_events thread: library (as installed; CPython only, and its "
               "default), inherit (websockets <= 12.0; the model's default), daemon (>= 13.0) "
               "or non-daemon")
            ->transform(choices<trace::Receiver>());
    if (which & run_flag::close) {
        CLI::Option* on = cmd.add_flag_callback(
            "--close", [this] { close = true; }, "close the connection before main ends");
        if (which & run_flag::no_close)
            on->excludes(cmd.add_flag_callback(
                "--no-close", [this] { close = false; }, "do not close it"));
    }
    if (which & run_flag::sandbox) {
        cmd.add_option_function<trace::ConnectIn>(
               "--connect-in", [this](trace::ConnectIn c) { connect_in = c; },
               "sandbox: who calls connect()")
            ->transform(choices<trace::ConnectIn>());
        cmd.add_option_function<trace::Worker>(
               "--worker", [this](trace::Worker w) { worker = w; }, "sandbox: the worker thread")
            ->transform(choices<trace::Worker>());
        cmd.add_flag("--with-block", with_block, "sandbox: use `with connect(...) as ws:`");
    }
    if (which & run_flag::grace) {
        std::string help = "ms a suspected hang must stay still to be confirmed: a decimal "
                           "integer, " +
                           std::to_string(kMinGraceMs) + ".." + std::to_string(kMaxGraceMs) +
                           " (default 300)";
        if (!(which & run_flag::timeout)) // the run's time limit then follows from the grace
            help += "; the run's timeout is " + std::to_string(kDefaultTimeoutMs) +
                    ", or grace + 10000 from a grace of " + std::to_string(kDefaultTimeoutMs) +
                    " on";
        cmd.add_option_function<std::string>(
            "--grace", [this](const std::string& v) { grace = v; }, help);
    }
    if (which & run_flag::io_grace)
        cmd.add_option_function<std::string>(
            "--io-grace", [this](const std::string& v) { io_grace = v; },
            "ms with no data before a wait on I/O (a socket, a pipe, select) whose other end is "
            "outside the program's own process tree is confirmed as a hang: a decimal "
            "integer, " +
                std::to_string(kMinGraceMs) + ".." + std::to_string(kMaxGraceMs) + " (default " +
                std::to_string(kDefaultIoGraceMs) + ")");
    if (which & run_flag::timeout)
        cmd.add_option_function<double>(
               "--timeout", [this](double s) { timeout_s = s; },
               "seconds before a program that has not ended is stopped (when not longer than "
               "the grace: grace + 10 s)")
            ->check(CLI::Range(1.0, 3600.0));
}

std::string RunFlags::options(const RunOptions& base, RunOptions& out) const {
    RunOptions o = base;
    if (scenario) o.scenario = *scenario;
    if (engine) o.engine = *engine;
    if (python) o.python = *python;
    o.receiver = receiver.value_or(default_receiver(o.engine));
    if (close) o.close = *close;
    if (connect_in) o.connect_in = *connect_in;
    if (worker) o.worker = *worker;
    o.with_block = o.with_block || with_block;
    if (grace)
        if (std::string err = parse_grace_ms(*grace, o.grace_ms); !err.empty()) return err;
    if (io_grace)
        if (std::string err = parse_grace_ms(*io_grace, o.io_grace_ms, "--io-grace"); !err.empty())
            return err;
    if (timeout_s) o.timeout_ms = int(*timeout_s * 1000);
    if (std::string err = check_receiver(o); !err.empty()) return err;
    out = std::move(o);
    return {};
}

std::string command_line(const RunOptions& o) {
    const RunOptions def;
    std::string line;
    auto add = [&line](std::string_view word) { (line += ' ') += shell_word(word); };
    const bool explain = !o.program.empty();
    line = explain ? "daemonlab explain" : "daemonlab run";
    if (!explain) add(o.scenario);
    if (o.engine == trace::Engine::cpython && !explain) {
        add("--engine");
        add("python");
    }
    if (o.engine == trace::Engine::cpython && o.python != def.python) {
        add("--python");
        add(o.python);
    }
    if (!explain || o.receiver != default_receiver(trace::Engine::cpython)) {
        add("--receiver");
        add(trace::name(o.receiver));
    }
    if (!explain) add(effective_close(o) ? "--close" : "--no-close");
    if (const Scenario* s = find_scenario(o.scenario); s && s->sandbox && !explain) {
        add("--connect-in");
        add(trace::name(o.connect_in));
        add("--worker");
        add(trace::name(o.worker));
        if (o.with_block) add("--with-block");
    }
    if (o.grace_ms != def.grace_ms) {
        add("--grace");
        add(std::to_string(o.grace_ms));
    }
    if (explain && o.io_grace_ms != def.io_grace_ms) {
        add("--io-grace");
        add(std::to_string(o.io_grace_ms));
    }
    if (explain) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%g", o.timeout_ms / 1000.0);
        if (o.timeout_ms != kExplainTimeoutMs) {
            add("--timeout");
            add(seconds);
        }
        add(o.program);
        if (!o.args.empty()) add("--");
        for (const std::string& a : o.args) add(a);
    }
    if (o.fault != trace::Fault::none) {
        add("--inject-fault");
        add(trace::name(o.fault));
    }
    return line;
}

} // namespace lab
