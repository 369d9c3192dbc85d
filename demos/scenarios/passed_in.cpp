// passed-in — main opens the connection and hands it to a daemon thread. The daemon
// thread only reads; recv_events was created by main and, up to 12.0, is not a daemon.
// Mirrors demos/python/scenarios/passed_in.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;
using wsync::ClientConnection;

Event got_message;

void ws(std::shared_ptr<ClientConnection> sock) {
    for (const std::string& msg : *sock) {
        print(msg);
        got_message.set();
    }
}

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        demo::step("connect");
        auto c = wsync::connect(URI());
        auto t = make({.target = [c] { ws(c); }, .daemon = true});
        demo::step("start");
        t->start();
        got_message.wait(5);
        if (demo::options().close) {
            demo::step("close");
            c->close();
        }
        demo::step("main-end");
        print("main is done");
    });
}
