// explicit-close — passed-in, plus the first workaround (python-websockets #1455): main closes the
// connection before it ends. close() runs the closing handshake and joins recv_events, so
// by the time the interpreter shuts down there is no non-daemon thread left to wait for.
// (--no-close turns this back into passed-in.)
// Mirrors demos/python/scenarios/explicit_close.py line for line.
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
