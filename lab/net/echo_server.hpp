// echo_server.hpp — the local WebSocket echo server the demos talk to (host side).
//
// Boost.Beast, ws:// or wss://, bound to 127.0.0.1 only. Like the public echo service in
// issue #1455 it greets each client with one text message as soon as the handshake is
// done, then echoes every message back. It never closes an idle connection on a timer: a
// client that does not close stays connected, which is exactly what the lesson needs (a
// hung demo is kept up to 10 minutes, a paused step forever). Only when it is full does the
// connection idle longest make room for a new one, so that nobody holding every slot can
// keep the next client out (docs/RELIABILITY.md, issue 23 item 9). Accepting is
// lab/net/listener (close-on-exec, the cap, backoff when out of descriptors).
// For wss:// it makes a small CA and a server certificate in memory at start-up
// (lab/tls_certs); demos verify against ca_pem(). No private key is ever on disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace lab {

// Faults a test can inject (issue: reliability).
enum class ServerFault {
    none,
    drop_mid_stream, // after the greeting and one echo, drop the TCP connection (no close frame)
    untrusted_cert,  // present a certificate from a CA nobody is given
    no_handshake,    // accept TCP, never answer the WebSocket/TLS handshake
};

// Something the host may want to tell its user (the server itself never prints).
enum class ServerEvent {
    connection_cap_reached, // `value` = the cap; new connections are closed at once until
                            // one ends (told once per episode, at most every 10 s)
};

struct EchoServerOptions {
    bool tls = true;
    std::uint16_t port = 0; // 0: any free port; a taken port falls back to a free one (other
                            // errors, e.g. EACCES for a port below 1024, throw system_error)
    ServerFault fault = ServerFault::none;
    // At most this many connections at once: each may buffer up to 1 MiB. When full, the
    // open (greeted) connection idle longest is closed to make room for a new one; when every
    // one is still in its handshake, the new one is accepted and closed at once, and
    // on_event(connection_cap_reached) is told.
    std::size_t max_connections = 512;
    // From accept to the WebSocket greeting (TLS handshake + opening handshake) at most this
    // long; a client that connects and never speaks is closed.
    int handshake_timeout_ms = 10'000;
    // Called on the server's thread; keep it short.
    std::function<void(ServerEvent, std::size_t value)> on_event = {};
};

class EchoServer {
  public:
    // Listens and serves at once, on its own thread. Throws std::system_error (a
    // runtime_error) with a clear message and the errno if it cannot listen at all.
    explicit EchoServer(EchoServerOptions options = {});
    ~EchoServer(); // stop()
    EchoServer(const EchoServer&) = delete;
    EchoServer& operator=(const EchoServer&) = delete;

    std::uint16_t port() const;
    bool tls() const;
    bool fell_back() const;            // the wanted port was taken, another one is used
    std::string uri() const;           // "wss://localhost:PORT/" or "ws://localhost:PORT/"
    const std::string& ca_pem() const; // the CA demos must trust (empty without TLS)

    std::size_t connections_accepted() const;
    std::size_t connections_open() const;
    std::size_t messages_echoed() const;
    std::size_t connections_evicted() const; // closed to make room when full

    // Closes the listener and every connection, joins the server thread. Idempotent.
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace lab
