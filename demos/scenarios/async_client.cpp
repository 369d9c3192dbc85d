// async-client — a workaround from a write-up of issue #1455: the asyncio client, run
// entirely inside a daemon thread. The event loop lives in that thread; there is no receiver
// thread at all, so nothing but the daemon thread holds the connection, and the program
// exits. (The receiver policy does not apply here: there is no recv_events.)
// Mirrors demos/python/scenarios/async_client.py line for line.
#include "demos/wsync/async_client.hpp"
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using namespace wsync;
using demo::URI;

Event got_message;

aio::awaitable<void> read_messages() {
    demo::step("connect");
    auto ws = co_await aio::connect(URI());
    while (auto msg = co_await ws->recv()) {
        print(*msg);
        got_message.set();
        if (demo::options().close) co_await ws->close();
    }
    co_await ws->close();
}

void ws() {
    aio::run(read_messages);
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
