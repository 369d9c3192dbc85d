// inside-thread — the daemon thread's own target calls connect(). recv_events is created
// by a daemon thread, so even when it copies its creator's flag it is a daemon.
// Mirrors demos/python/scenarios/inside_thread.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;

Event got_message;

void ws() {
    demo::step("connect");
    auto ws = wsync::connect(URI());
    for (const std::string& msg : *ws) {
        print(msg);
        got_message.set();
        if (demo::options().close) ws->close();
    }
}

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        auto t = make({.target = ws, .daemon = true});
        demo::step("start");
        t->start();
        got_message.wait(5);
        demo::step("main-end");
        print("main is done");
    });
}
