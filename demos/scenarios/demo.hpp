// demo.hpp — what every scenario program shares: its options, the server's URI, pause
// points, and the interpreter start-up. A scenario's own file should read like the Python
// it mirrors; everything that is not part of that story lives here.
#pragma once

#include "demos/pyrt/pyrt.hpp"
#include "demos/wsync/client.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace demo {

struct Options {
    std::string uri;                                                 // --uri (from the host)
    wsync::ReceiverPolicy receiver = wsync::ReceiverPolicy::inherit; // --receiver
    bool close = false;                                              // --close / --no-close
    trace::ConnectIn connect_in = trace::ConnectIn::main; // --connect-in main|worker (sandbox)
    trace::Worker worker = trace::Worker::daemon;         // --worker none|daemon|non-daemon
    bool with_block = false;                              // --with-block  (sandbox)
    trace::Fault fault = trace::Fault::none; // --fault segv|abort|garbage (tests of the host)
};

const Options& options();

// The echo server to talk to (issue #1455's program uses wss://echo.websocket.org).
inline const std::string& URI() {
    return options().uri;
}

// A pause point. In step mode the host holds the demo here until the learner goes on;
// otherwise it only marks the timeline. Names are the ones the lessons refer to.
void step(std::string_view name);

// Parses the arguments (the host's contract: --uri, --receiver, --close, --trace-fd,
// --control-fd, ...), configures wsync, then runs `script` as the interpreter would
// (pyrt::run_main): it never returns.
[[noreturn]] int run(int argc, char** argv, std::string_view scenario,
                     std::function<void()> script);

#ifdef DAEMONLAB_SCENARIO
// The scenario is the one this program was built as (demos/CMakeLists.txt, from catalog.hpp).
[[noreturn]] inline int main(int argc, char** argv, std::function<void()> script) {
    run(argc, argv, DAEMONLAB_SCENARIO, std::move(script));
}
#endif

} // namespace demo
