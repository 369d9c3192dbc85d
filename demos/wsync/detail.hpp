// detail.hpp — what the sync and async clients share: URIs and TLS peer verification.
#pragma once

#include <boost/asio/ssl.hpp>
#include <string>
#include <string_view>

namespace wsync::detail {

struct Uri {
    bool secure = false;
    std::string host, port, target;
};
Uri parse_uri(std::string_view s); // throws ConnectError

// Trust only the configured CA, require the peer to prove itself, and check that its
// certificate names `host` (DNS name or IP address). There is no verify-none mode.
void verify_peer(boost::asio::ssl::context& ctx, SSL* ssl, const std::string& host);

} // namespace wsync::detail
