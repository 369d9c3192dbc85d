// sandbox — every knob at once. Where connect() runs decides who creates recv_events;
// the worker's own flag decides whether the worker keeps the program alive; close and the
// with-block decide whether recv_events is still running when main ends.
// Mirrors demos/python/scenarios/sandbox.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;
using wsync::ClientConnection;

Event got_message;

void receive(ClientConnection& ws) {
    const auto& o = demo::options();
    for (const std::string& msg : ws) {
        print(msg);
        got_message.set();
        if (o.close || o.with_block || o.worker == trace::Worker::none) break;
    }
}

void session() {
    const auto& o = demo::options();
    demo::step("connect");
    if (o.with_block) {
        wsync::With ws(wsync::connect(URI()));
        receive(*ws);
        demo::step("close");
    } else {
        auto ws = wsync::connect(URI());
        receive(*ws);
        if (o.close) {
            demo::step("close");
            ws->close();
        }
    }
}

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        const auto& o = demo::options();
        if (o.worker == trace::Worker::none) {
            session();
        } else if (o.connect_in == trace::ConnectIn::worker) {
            auto t = make({.target = session, .daemon = o.worker == trace::Worker::daemon});
            demo::step("start");
            t->start();
            got_message.wait(5);
        } else {
            demo::step("connect");
            auto ws = wsync::connect(URI());
            auto t = make(
                {.target = [ws] { receive(*ws); }, .daemon = o.worker == trace::Worker::daemon});
            demo::step("start");
            t->start();
            got_message.wait(5);
            if (o.close || o.with_block) {
                demo::step("close");
                ws->close();
            }
        }
        demo::step("main-end");
        print("main is done");
    });
}
