// cli_matrix.cpp — `daemonlab matrix`: every scenario × receiver × close, run in parallel.
#include "lab/term/cli_common.hpp"

#include "lab/model/catalog.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/run/matrix.hpp"
#include "lab/term/run_flags.hpp"
#include "lab/term/terminal.hpp"

#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

namespace lab {
namespace {

using nlohmann::json;

int cmd_matrix(bool as_json, int jobs, const RunOptions& every, const Ui& ui) {
    EchoServer server({.tls = true});
    const ServerInfo info{server.uri(), server.ca_pem()};
    std::vector<RunOptions> cells = matrix_cells(every.grace_ms, every.engine);
    for (RunOptions& c : cells) c.python = every.python;
    MatrixRun matrix(std::move(cells), info, jobs);
    matrix.wait();
    std::vector<RunState> results;
    for (MatrixRun::Cell& c : matrix.cells()) results.push_back(std::move(*c.result));
    const double wall_ms = matrix.wall_ms();

    if (as_json) {
        json out = json::array();
        for (const RunState& st : results) out.push_back(run_json(st, ui.strings));
        std::cout << json{{"wall_ms", wall_ms}, {"runs", out}}.dump(2, ' ', false,
                                                                    json::error_handler_t::replace)
                  << "\n";
    } else {
        ui.say("cli.matrix.title");
        // One column per receiver, split by close; one row per scenario (matrix_cells' order).
        constexpr std::size_t kCloses = std::size(kMatrixCloses),
                              kPerRow = std::size(kMatrixReceivers) * kCloses;
        constexpr std::size_t kCell = 11; // columns for one verdict
        std::cout << "\n" << pad_to("", 20);
        for (trace::Receiver r : kMatrixReceivers)
            std::cout << pad_to(std::string(trace::name(r)), kCell * kCloses);
        std::cout << "\n" << pad_to("", 20);
        for (std::size_t i = 0; i < std::size(kMatrixReceivers); ++i)
            for (bool close : kMatrixCloses)
                std::cout << pad_to(close ? "close" : "no-close", kCell);
        std::cout << "\n";
        for (std::size_t i = 0; i + kPerRow <= results.size(); i += kPerRow) {
            std::cout << pad_to(results[i].options.scenario, 20);
            for (std::size_t j = i; j < i + kPerRow; ++j)
                std::cout << pad_to(std::string(to_string(results[j].verdict.outcome)), kCell);
            std::cout << "\n";
        }
        std::printf("\n%zu runs in %.0f ms\n", results.size(), wall_ms);
    }
    bool all_judged = std::all_of(results.begin(), results.end(), [](const RunState& s) {
        return s.verdict.outcome == Outcome::exited || s.verdict.outcome == Outcome::hung;
    });
    return all_judged ? 0 : 1;
}

} // namespace

Command add_matrix_command(CLI::App& app, std::string& lang) {
    struct State {
        RunFlags flags;
        bool as_json = false;
        int jobs = default_matrix_jobs();
    };
    auto s = std::make_shared<State>();
    auto* matrix = app.add_subcommand(
        "matrix", "every chapter-1 scenario × receiver policy × close (chapter 2 has no receiver: "
                  "run its lessons with daemonlab run ID --engine python [--close])");
    matrix->add_flag("--json", s->as_json, "print JSON");
    matrix->add_option("--jobs", s->jobs, "runs at once")->check(CLI::Range(1, 64));
    s->flags.add_to(*matrix, run_flag::engine | run_flag::grace);
    add_lang(*matrix, lang);
    return {matrix, [s](const Ui& ui) {
                RunOptions every; // what every cell shares: the engine and the grace
                if (std::string err = s->flags.options({}, every); !err.empty()) {
                    std::cerr << "daemonlab matrix: " << err << "\n";
                    return 2;
                }
                return cmd_matrix(s->as_json, s->jobs, every, ui);
            }};
}

} // namespace lab
