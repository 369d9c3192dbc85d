// threaded-client — the reporter's program (issue #1455). The thread is a daemon, but its
// connection is opened in __init__, which runs in the main thread: so recv_events is created
// by the main thread and, up to websockets 12.0, copies its daemon flag (False).
// Mirrors demos/python/scenarios/threaded_client.py line for line.
#include "demos/scenarios/demo.hpp"

using namespace pyrt;
using demo::URI;

Event got_message;

class ThreadedClient : public Thread {
  public:
    ThreadedClient() : Thread({.name = "ThreadedClient"}) {
        set_daemon(true);
        demo::step("connect");
        ws = wsync::connect(URI());
        demo::step("start");
        start();
    }
    std::shared_ptr<wsync::ClientConnection> ws;

  protected:
    void run() override {
        for (const std::string& msg : *ws) {
            print(msg);
            got_message.set();
        }
    }
};

int main(int argc, char** argv) {
    demo::main(argc, argv, [] {
        auto ws_client = make<ThreadedClient>();
        got_message.wait(5);
        if (demo::options().close) {
            demo::step("close");
            ws_client->ws->close();
        }
        demo::step("main-end");
        print("main is done");
        exit();
    });
}
