// sandbox — every knob at once. Where connect() runs decides who creates recv_events;
// the worker's own flag decides whether the worker keeps the program alive; close and the
// with-block decide whether recv_events is still running when main ends.
//
//   got_message = Event()
//
//   def receive(ws):
//       for msg in ws:
//           print(msg)
//           got_message.set()
//           if CLOSE or WITH_BLOCK or WORKER is None:
//               break                  # one message is enough
//
//   def session():                     # connect, receive, maybe close
//       if WITH_BLOCK:
//           with client.connect(URI) as ws:
//               receive(ws)
//       else:
//           ws = client.connect(URI)
//           receive(ws)
//           if CLOSE:
//               ws.close()
//
//   if WORKER is None:                 # no thread: main does it all
//       session()
//   elif CONNECT_IN == "worker":       # the worker connects: it creates recv_events
//       t = Thread(target=session, daemon=(WORKER == "daemon"))
//       t.start()
//       got_message.wait(timeout=5)
//   else:                              # main connects, the worker only reads
//       ws = client.connect(URI)
//       t = Thread(target=receive, args=(ws,), daemon=(WORKER == "daemon"))
//       t.start()
//       got_message.wait(timeout=5)
//       if CLOSE or WITH_BLOCK:       # leaving a with-block closes too
//           ws.close()
//   print("main is done")
#include "demo.hpp"

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
