// async_client.hpp — an asyncio-style client: coroutines on an event loop that the calling
// thread runs itself. No background thread exists, so there is no daemon flag to get wrong.
//
//   async def client():                            awaitable<void> client() {
//       async with connect(URI) as ws:                 auto ws = co_await aio::connect(URI());
//           async for msg in ws:                       while (auto msg = co_await ws->recv())
//               print(msg)                                 print(*msg);
//   asyncio.run(client())                          aio::run(client);
#pragma once

#include <utility> // before Asio's awaitable.hpp, which uses std::exchange

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace wsync::aio {

template <class T>
using awaitable = boost::asio::awaitable<T>;

class Connection {
  public:
    struct Impl;
    explicit Connection(std::unique_ptr<Impl> impl);
    ~Connection();

    // The next message; std::nullopt once the connection has closed.
    awaitable<std::optional<std::string>> recv();
    awaitable<void> send(std::string message);
    // The closing handshake. Safe to call twice.
    awaitable<void> close();

  private:
    std::unique_ptr<Impl> impl_;
};

// websockets.connect(uri): TCP, TLS (verified like the sync client), handshake.
awaitable<std::shared_ptr<Connection>> connect(std::string uri);

// asyncio.run(main()): an event loop on the calling thread, until main() finishes.
// An exception from main() comes out of run().
void run(std::function<awaitable<void>()> main);

} // namespace wsync::aio
