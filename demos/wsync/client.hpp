// client.hpp — a synchronous WebSocket client modelled on websockets.sync.client
// (websockets 11.0+), on Boost.Beast and OpenSSL.
//
//   ws = connect("wss://localhost:PORT/")    auto ws = wsync::connect("wss://localhost:PORT/");
//   ws.send("hi"); msg = ws.recv()           ws->send("hi"); auto msg = ws->recv();
//   for msg in ws: print(msg)                for (const std::string& msg : *ws) print(msg);
//   ws.close()                               ws->close();
//   with connect(uri) as ws: ...             { wsync::With ws(wsync::connect(uri)); ... }
//
// As in websockets, constructing the connection starts a background thread, recv_events,
// that reads frames until the connection closes and hands messages to recv(). Whether that
// thread is a daemon is the library version's choice, modelled by ReceiverPolicy:
//   inherit     websockets <= 12.0: Thread(target=self.recv_events), no daemon argument,
//               so it copies the flag of the thread that called connect()
//   daemon      websockets >= 13.0: Thread(target=self.recv_events, daemon=True)
//   non_daemon  daemon=False, to see what a non-daemon receiver does everywhere
#pragma once

#include "demos/pyrt/pyrt.hpp"

#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace wsync {

using ReceiverPolicy = trace::Receiver; // inherit, daemon, non_daemon (library: inherit)

// Process-wide settings, made once by the demo's main before any connection: which
// "version" of the library this is, and the CA certificate (PEM) that wss:// servers must
// chain to. An empty CA means wss:// connections fail verification: there is no
// verify-none mode.
void configure(ReceiverPolicy policy, std::string ca_pem);
ReceiverPolicy receiver_policy();

// websockets.exceptions.ConnectionClosed; ok() for ConnectionClosedOK (code 1000 or 1001).
class ConnectionClosed : public std::runtime_error {
  public:
    ConnectionClosed(int code, std::string reason);
    int code() const { return code_; }
    bool ok() const { return code_ == 1000 || code_ == 1001; }

  private:
    int code_;
};

// InvalidURI, InvalidHandshake, TLS failures, timeouts: anything that stops connect().
class ConnectError : public std::runtime_error {
    using std::runtime_error::runtime_error;
};

class ClientConnection {
  public:
    struct Impl;
    explicit ClientConnection(std::unique_ptr<Impl> impl); // starts recv_events
    ~ClientConnection(); // does not close: like Python, an unclosed connection stays open
    ClientConnection(const ClientConnection&) = delete;
    ClientConnection& operator=(const ClientConnection&) = delete;

    // Next message. Blocks (reported as waiting for a "message"). Throws ConnectionClosed
    // once the connection is closed and no message is left; std::nullopt on timeout.
    std::optional<std::string> recv(std::optional<double> timeout_s = std::nullopt);
    void send(std::string_view message);
    // Closing handshake, then join recv_events. Safe to call twice, from any thread.
    void close(int code = 1000, std::string_view reason = "");

    // for msg in ws: ends when the connection closes normally, throws if it closes with
    // an error (as websockets does).
    class iterator {
      public:
        using value_type = std::string;
        using difference_type = std::ptrdiff_t;
        iterator() = default;
        explicit iterator(ClientConnection* ws) : ws_(ws) { ++*this; }
        const std::string& operator*() const { return msg_; }
        iterator& operator++();
        void operator++(int) { ++*this; }
        bool operator==(std::default_sentinel_t) const { return ws_ == nullptr; }

      private:
        ClientConnection* ws_ = nullptr;
        std::string msg_;
    };
    iterator begin() { return iterator(this); }
    std::default_sentinel_t end() { return {}; }

    // The background receiver thread (self.recv_events_thread).
    std::shared_ptr<pyrt::Thread> recv_events_thread() const;

  private:
    std::unique_ptr<Impl> impl_;   // handed over at construction...
    std::shared_ptr<Impl> shared_; // ... then shared with recv_events, which may outlive us
};

// client.connect(uri): TCP, TLS for wss:// (peer verified against the configured CA, host
// name checked), the opening handshake; then a ClientConnection. Reported while it runs as
// the thread being blocked on "connect". Throws ConnectError.
std::shared_ptr<ClientConnection> connect(std::string_view uri, double open_timeout_s = 10);

// `with connect(uri) as ws:` — closes the connection when the scope ends.
class With {
  public:
    explicit With(std::shared_ptr<ClientConnection> ws) : ws_(std::move(ws)) {}
    ~With() {
        try {
            ws_->close();
        } catch (...) {
        }
    }
    With(const With&) = delete;
    With& operator=(const With&) = delete;
    ClientConnection* operator->() const { return ws_.get(); }
    ClientConnection& operator*() const { return *ws_; }

  private:
    std::shared_ptr<ClientConnection> ws_;
};

} // namespace wsync
