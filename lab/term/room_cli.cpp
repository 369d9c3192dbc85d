// room_cli.cpp — `daemonlab room`: opens a room, prints its URL, and takes the presenter's
// commands on stdin (ask, run, tally, csv, quit). Runs are real runs, as `daemonlab run`.
#include "lab/term/room_cli.hpp"

#include "lab/model/catalog.hpp"
#include "lab/net/echo_server.hpp"
#include "lab/room/room.hpp"
#include "lab/room/room_run.hpp"
#include "lab/room/room_server.hpp"
#include "lab/run/runner.hpp"
#include "lab/term/qr_text.hpp"
#include "lab/term/room_store.hpp"
#include "lab/term/run_flags.hpp"
#include "lab/term/safe_write.hpp"

#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace lab {
namespace {

struct Options {
    std::string listen = "lan";
    int port = 0;
    std::string code;
    std::size_t max_attendees = 500;
    RunFlags run; // --grace: the rounds' runs, as `daemonlab run` takes it
    std::string lang = "both";
    std::string qr = "dark"; // the terminal's background: dark, light; or none
};

// The revealed round at the terminal: the answer, its reason, the class's accuracy.
void print_reveal(const RoomRound& r, const Strings& strings, const std::vector<Lang>& langs) {
    for (Lang l : langs) {
        const std::string answer =
            to_string(r.answer) == "other" ? "answer-other" : std::string(to_string(r.answer));
        std::cout << strings.format("cli.room.revealed", l,
                                    {{"answer", strings.get("page." + answer, l)},
                                     {"reason", l == Lang::zh ? r.reason.zh : r.reason.en}})
                  << "\n";
    }
    for (Lang l : langs)
        std::cout << (r.accuracy() ? strings.format("cli.room.accuracy", l,
                                                    {{"right", std::to_string(r.right())},
                                                     {"voters", std::to_string(r.voters())},
                                                     {"pct", r.percent()}})
                                   : strings.get("page.class-none", l))
                  << "\n";
}

// --listen as an address: lan (the default route's; loopback, and said, when there is none),
// loopback, or the address given.
std::string listen_address(const std::string& listen, const std::function<void()>& no_lan) {
    if (listen == "loopback") return "127.0.0.1";
    if (listen != "lan") return listen;
    if (auto a = default_lan_address()) return *a;
    no_lan();
    return "127.0.0.1";
}

using Say = std::function<void(std::string_view, const std::vector<Arg>&)>;

// "ask SCENARIO [inherit|daemon|non-daemon] [close|no-close]" (a chapter-2 lesson: [fix|no-fix]):
// the next round's run, or nothing when the scenario is not one (said).
std::optional<RunOptions> parse_ask(std::istringstream& in, const RunOptions& every,
                                    const Say& say) {
    RunOptions r = every;
    in >> r.scenario;
    const Scenario* sc = find_scenario(r.scenario);
    if (!sc) {
        say("cli.room.bad-scenario", {{"id", r.scenario}});
        return std::nullopt;
    }
    // Chapter 2 runs on the real interpreter only; its switch is the lesson's fix.
    if (sc->cpython_only) r.engine = trace::Engine::cpython;
    for (std::string w; in >> w;) {
        if (w == "close" || w == "fix")
            r.close = true;
        else if (w == "no-close" || w == "no-fix")
            r.close = false;
        else if (auto rec = trace::parse<trace::Receiver>(w);
                 rec && effective_receiver(r.engine, *rec) == *rec) // not library
            r.receiver = *rec;
        else
            say("cli.room.unknown", {{"cmd", w}});
    }
    return r;
}

int run_room(const Options& o) {
    RunOptions every; // what every round's run shares (checked before the room opens)
    if (std::string bad = o.run.options({}, every); !bad.empty()) {
        std::cerr << "daemonlab room: " << bad << "\n";
        return 2;
    }
    std::string err;
    const Strings strings = room_strings(&err);
    if (!err.empty()) std::cerr << "daemonlab: " << err;
    std::vector<Lang> langs = o.lang == "zh"   ? std::vector<Lang>{Lang::zh}
                              : o.lang == "en" ? std::vector<Lang>{Lang::en}
                                               : std::vector<Lang>{Lang::zh, Lang::en};
    auto say = [&](std::string_view key, const std::vector<Arg>& args = {}) {
        for (Lang l : langs) std::cout << strings.format(key, l, args) << "\n";
        std::cout.flush();
    };

    const std::string address = listen_address(o.listen, [&] { say("cli.room.no-lan"); });
    Room room({.max_attendees = o.max_attendees});
    // The rounds of earlier rooms (closed, or an earlier run of the app or of this command).
    if (std::string bad = load_room_history(room); !bad.empty())
        std::cerr << "daemonlab room: " << bad << "\n";
    std::unique_ptr<RoomServer> server;
    try {
        server = std::make_unique<RoomServer>(
            room,
            RoomServerOptions{.address = address, .port = std::uint16_t(o.port), .code = o.code});
    } catch (const std::exception& e) {
        std::cerr << "daemonlab room: " << e.what() << "\n";
        return 2;
    }
    std::cout << server->url() << "\n";
    if (o.qr != "none") std::cout << qr_text(server->url(), o.qr == "light");
    say("cli.room.open", {{"url", server->url()}, {"code", server->code()}});
    if (address == "127.0.0.1" || address == "::1") say("cli.room.loopback");
    say("cli.room.help");

    std::unique_ptr<EchoServer> echo; // made at the first run
    std::optional<RunOptions> asked;
    std::string line;
    while (std::getline(std::cin, line)) {
        std::istringstream in(line);
        std::string cmd;
        if (!(in >> cmd)) continue;
        if (cmd == "quit" || cmd == "exit") break;
        if (cmd == "help") {
            say("cli.room.help");
        } else if (cmd == "ask") {
            std::optional<RunOptions> next = parse_ask(in, every, say);
            if (!next) continue;
            RunOptions r = *next;
            asked = r;
            // A new setup while votes are open is asked by set_question itself (one round).
            if (!room.set_question(room_question(r, strings))) room.open_vote();
            const RoomSnapshot s = room.snapshot();
            for (Lang l : langs)
                std::cout << strings.format("cli.room.asked", l,
                                            {{"round", std::to_string(s.round)},
                                             {"title", l == Lang::zh ? s.question.title.zh
                                                                     : s.question.title.en},
                                             {"setup", l == Lang::zh ? s.question.setup.zh
                                                                     : s.question.setup.en}})
                          << "\n";
            std::cout.flush();
        } else if (cmd == "tally") {
            const RoomSnapshot s = room.snapshot();
            say("cli.room.tally", {{"voters", std::to_string(s.voters())},
                                   {"exits", std::to_string(s.said_exits)},
                                   {"hangs", std::to_string(s.said_hangs)},
                                   {"here", std::to_string(s.attendees)}});
        } else if (cmd == "run") {
            if (!asked) {
                say("cli.room.no-round");
                continue;
            }
            room.start_run();
            if (!echo) echo = std::make_unique<EchoServer>(EchoServerOptions{.tls = true});
            Run run(*asked, {echo->uri(), echo->ca_pem()});
            run.wait();
            const RunState st = run.snapshot();
            room.reveal(room_answer(st.verdict.outcome), room_reason(st, strings));
            if (std::string bad = save_room_history(room); !bad.empty())
                std::cerr << "daemonlab room: history not saved: " << bad << "\n";
            print_reveal(*room.snapshot().last, strings, langs);
            std::cout.flush();
        } else if (cmd == "csv") {
            std::string file;
            std::getline(in >> std::ws, file);
            if (file.empty()) {
                say("cli.room.unknown", {{"cmd", line}});
                continue;
            }
            // A new file renamed over the old one: a failure leaves the old one whole.
            if (std::string bad = write_file_atomic(file, room.history_csv()); !bad.empty())
                std::cerr << "daemonlab room: cannot write " << bad << "\n";
            else
                say("cli.room.saved", {{"file", file}});
        } else {
            say("cli.room.unknown", {{"cmd", cmd}});
            say("cli.room.help");
        }
    }
    server->stop();
    say("cli.room.closed");
    return 0;
}

} // namespace

RoomCommand add_room_command(CLI::App& app) {
    auto opts = std::make_shared<Options>();
    auto* sub = app.add_subcommand(
        "room", "a workshop room: attendees vote from their phones (commands on stdin)");
    sub->add_option("--listen", opts->listen,
                    "lan (the default route's address), loopback, or an IP address of this machine")
        ->default_str("lan");
    sub->add_option("--port", opts->port, "port (0: any free)")->check(CLI::Range(0, 65535));
    sub->add_option("--code", opts->code,
                    "the room code (6 of 2-9, A-Z without I and O); random by default");
    sub->add_option("--max-attendees", opts->max_attendees, "how many phones may join")
        ->check(CLI::Range(1, 5000));
    opts->run.add_to(*sub, run_flag::grace);
    sub->add_option("--qr", opts->qr,
                    "the QR code for phones, for a dark or a light terminal, or none")
        ->check(CLI::IsMember({"dark", "light", "none"}))
        ->default_str("dark");
    sub->add_option("--lang", opts->lang, "zh, en or both")
        ->check(CLI::IsMember({"zh", "en", "both"}));
    return {sub, [opts] { return run_room(*opts); }};
}

} // namespace lab
