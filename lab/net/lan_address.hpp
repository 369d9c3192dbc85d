// lan_address.hpp — which address of this machine others on the LAN can reach (the room's
// default address).
#pragma once

#include <optional>
#include <string>

namespace lab {

// The IPv4 address of the interface the default route goes through (what phones on the same
// Wi-Fi can reach), or nothing when there is no default route.
std::optional<std::string> default_lan_address();

} // namespace lab
