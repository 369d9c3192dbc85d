// atexit-close — the most common wrong fix: main registers the connection's close() with
// atexit. The interpreter runs atexit handlers only after it has joined every non-daemon
// thread (pyrt::atexit_register models that order), so with an inherited receiver the
// registered close() never runs. Mirrors demos/python/scenarios/atexit_close.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;
using wsync::ClientConnection;

Event got_message;

void reader(std::shared_ptr<ClientConnection> ws) {
    for (const std::string& msg : *ws) {
        print(msg);
        got_message.set();
    }
}

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        demo::step("connect");
        auto ws = wsync::connect(URI());
        auto t = make({.target = [ws] { reader(ws); }, .daemon = true});
        demo::step("start");
        t->start();
        got_message.wait(5);
        demo::step("atexit");
        atexit_register("ws.close", [ws] { ws->close(); });
        if (demo::options().close) {
            demo::step("close");
            ws->close();
        }
        demo::step("main-end");
        print("main is done");
    });
}
