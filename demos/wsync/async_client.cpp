#include "demos/wsync/async_client.hpp"

#include "demos/pyrt/pyrt.hpp"
#include "demos/trace/trace.hpp"
#include "demos/wsync/client.hpp"
#include "demos/wsync/detail.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

namespace wsync::aio {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;
using net::use_awaitable;

struct Connection::Impl {
    ssl::context tls{ssl::context::tls_client};
    std::unique_ptr<websocket::stream<beast::tcp_stream>> plain;
    std::unique_ptr<websocket::stream<ssl::stream<beast::tcp_stream>>> secure;
    beast::flat_buffer buffer;
    bool closed = false;

    template <class F>
    decltype(auto) visit(F&& f) {
        return secure ? f(*secure) : f(*plain);
    }
};

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Connection::~Connection() = default;

namespace {
int ident() {
    return pyrt::current_thread().ident();
}
} // namespace

awaitable<std::shared_ptr<Connection>> connect(std::string uri_text) {
    const detail::Uri uri = detail::parse_uri(uri_text);
    auto ex = co_await net::this_coro::executor;
    auto impl = std::make_unique<Connection::Impl>();
    tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(tcp::v4(), uri.host, uri.port, use_awaitable);
    auto open = [&](auto& ws) -> awaitable<void> {
        co_await beast::get_lowest_layer(ws).async_connect(endpoints, use_awaitable);
        beast::get_lowest_layer(ws).socket().set_option(tcp::no_delay(true));
        if constexpr (requires { ws.next_layer().native_handle(); }) {
            detail::verify_peer(impl->tls, ws.next_layer().native_handle(), uri.host);
            co_await ws.next_layer().async_handshake(ssl::stream_base::client, use_awaitable);
        }
        co_await ws.async_handshake(uri.host + ":" + uri.port, uri.target, use_awaitable);
    };
    try {
        if (uri.secure) {
            impl->secure =
                std::make_unique<websocket::stream<ssl::stream<beast::tcp_stream>>>(ex, impl->tls);
            co_await open(*impl->secure);
        } else {
            impl->plain = std::make_unique<websocket::stream<beast::tcp_stream>>(ex);
            co_await open(*impl->plain);
        }
    } catch (const boost::system::system_error& e) {
        throw ConnectError(std::string("connect failed: ") + e.what());
    }
    trace::emit(ident(), trace::Kind::connected, {{trace::key::uri, uri_text}});
    co_return std::make_shared<Connection>(std::move(impl));
}

awaitable<std::optional<std::string>> Connection::recv() {
    Impl& m = *impl_;
    if (m.closed) co_return std::nullopt;
    beast::error_code ec;
    m.buffer.consume(m.buffer.size());
    co_await m.visit(
        [&](auto& ws) { return ws.async_read(m.buffer, net::redirect_error(use_awaitable, ec)); });
    if (ec) {
        m.closed = true;
        trace::emit(ident(), trace::Kind::closed,
                    {{trace::key::code, ec == websocket::error::closed ? "1000" : "1006"},
                     {trace::key::reason, ec.message()}});
        co_return std::nullopt;
    }
    std::string msg = beast::buffers_to_string(m.buffer.data());
    trace::emit(ident(), trace::Kind::message, {{trace::key::text, msg}});
    co_return msg;
}

awaitable<void> Connection::send(std::string message) {
    co_await impl_->visit([&](auto& ws) {
        ws.text(true);
        return ws.async_write(net::buffer(message), use_awaitable);
    });
}

awaitable<void> Connection::close() {
    Impl& m = *impl_;
    if (m.closed) co_return;
    m.closed = true;
    beast::error_code ec;
    co_await m.visit([&](auto& ws) {
        return ws.async_close(websocket::close_code::normal,
                              net::redirect_error(use_awaitable, ec));
    });
    trace::emit(ident(), trace::Kind::closed,
                {{trace::key::code, "1000"}, {trace::key::reason, ""}});
}

void run(std::function<awaitable<void>()> main) {
    net::io_context loop{1};
    std::exception_ptr failure;
    net::co_spawn(loop, main(), [&](std::exception_ptr e) { failure = e; });
    {
        // The loop thread sits in epoll, waiting on the socket, between messages.
        pyrt::Blocked b(trace::Wait::socket_read);
        loop.run();
    }
    if (failure) std::rethrow_exception(failure);
}

} // namespace wsync::aio
