// with-block — the recommended form: the with-block closes the connection when it is
// left, however it is left, so recv_events has ended before the program does.
// Mirrors demos/python/scenarios/with_block.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        demo::step("connect");
        {
            wsync::With websocket(wsync::connect(URI()));
            auto message = websocket->recv();
            print(message.value_or(""));
            if (demo::options().close) websocket->close();
            demo::step("close");
        }
        demo::step("main-end");
        print("main is done");
    });
}
