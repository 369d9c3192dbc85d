// demo.hpp — what every scenario program shares: its options, the server's URI, pause
// points, and the interpreter start-up. A scenario's own file should read like the Python
// it mirrors; everything that is not part of that story lives here.
#pragma once

#include "pyrt/pyrt.hpp"
#include "wsync/client.hpp"

#include <functional>
#include <string>
#include <string_view>

namespace demo {

struct Options {
    std::string uri;                                                 // --uri (from the host)
    wsync::ReceiverPolicy receiver = wsync::ReceiverPolicy::inherit; // --receiver
    bool close = false;                                              // --close / --no-close
    std::string connect_in = "main"; // --connect-in main|worker  (sandbox)
    std::string worker = "daemon";   // --worker none|daemon|non-daemon  (sandbox)
    bool with_block = false;         // --with-block  (sandbox)
    std::string fault;               // --fault segv|abort|garbage|badname (tests of the host)
};

const Options& options();

// The echo server to talk to (the article uses wss://echo.websocket.org).
inline const std::string& URI() {
    return options().uri;
}

// A pause point. In step mode the host holds the demo here until the learner goes on;
// otherwise it only marks the timeline. Names are the ones the lessons refer to.
void step(std::string_view name);

// Parses the arguments (the host's contract: --uri, --receiver, --close, --trace-fd,
// --control-fd, ...), configures wsync, then runs `script` as the interpreter would
// (pyrt::run_main): it never returns.
[[noreturn]] int main(int argc, char** argv, std::string_view scenario, bool close_by_default,
                      std::function<void()> script);

} // namespace demo
