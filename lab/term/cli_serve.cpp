// cli_serve.cpp — `daemonlab serve`: the echo server alone, on loopback, until a signal.
#include "lab/term/cli_common.hpp"

#include "lab/net/echo_server.hpp"

#include <cerrno>
#include <csignal>
#include <iostream>
#include <memory>
#include <pthread.h>
#include <system_error>

namespace lab {
namespace {

int cmd_serve(int port, bool tls, int max_connections, const Ui& ui) {
    if (port < 0 || port > 65535) {
        std::cerr << "daemonlab serve: --port must be 0..65535\n";
        return 2;
    }
    EchoServerOptions options{
        .tls = tls, .port = std::uint16_t(port), .max_connections = std::size_t(max_connections)};
    // The server never prints; what it has to say goes to stderr, once per episode.
    options.on_event = [&ui](ServerEvent e, std::size_t value) {
        if (e != ServerEvent::connection_cap_reached) return;
        for (Lang l : ui.langs)
            std::cerr << "daemonlab serve: "
                      << ui.strings.format("cli.connection-cap", l,
                                           {{"max", std::to_string(value)}})
                      << "\n";
    };
    std::unique_ptr<EchoServer> started;
    try {
        started = std::make_unique<EchoServer>(options);
    } catch (const std::system_error& e) {
        // Only a taken port falls back to a free one; anything else is the user's to fix.
        if (e.code().value() == EACCES) {
            for (Lang l : ui.langs)
                std::cerr << "daemonlab serve: "
                          << ui.strings.format("cli.port-denied", l,
                                               {{"port", std::to_string(port)}})
                          << "\n";
            return 2;
        }
        throw;
    }
    EchoServer& server = *started;
    if (server.fell_back())
        ui.say("cli.port-taken", {{"port", std::to_string(port)}, {"uri", server.uri()}});
    ui.say("cli.serving", {{"uri", server.uri()}});
    if (tls) std::cout << server.ca_pem();
    std::cout.flush();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    int sig = 0;
    sigwait(&set, &sig);
    server.stop();
    return 0;
}

} // namespace

Command add_serve_command(CLI::App& app) {
    struct State {
        int port = 0;
        bool tls = false, no_tls = false;
        int max_connections = 512;
    };
    auto s = std::make_shared<State>();
    auto* serve = app.add_subcommand("serve", "the echo server alone, on loopback");
    serve->add_option("--port", s->port, "port (0: any free)");
    serve
        ->add_option("--max-connections", s->max_connections,
                     "connections at once; more are closed at once, and said (default 512)")
        ->check(CLI::Range(1, 100000));
    auto* t1 = serve->add_flag("--tls", s->tls, "wss:// (the default)");
    auto* t2 = serve->add_flag("--no-tls", s->no_tls, "ws://");
    t1->excludes(t2);
    return {serve,
            [s](const Ui& ui) { return cmd_serve(s->port, !s->no_tls, s->max_connections, ui); }};
}

} // namespace lab
