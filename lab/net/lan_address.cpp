// lan_address.cpp — the address phones on the same Wi-Fi can reach (see lan_address.hpp).
#include "lab/net/lan_address.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sstream>
#include <unistd.h>

namespace lab {

std::optional<std::string> default_lan_address() {
    // /proc/net/route: the line whose destination is 00000000 names the default interface.
    // (Read with O_CLOEXEC: a demo spawned meanwhile must not inherit even this.)
    std::string text;
    if (int fd = ::open("/proc/net/route", O_RDONLY | O_CLOEXEC); fd >= 0) {
        char buf[4096];
        for (ssize_t n; text.size() < (1 << 20) && (n = ::read(fd, buf, sizeof buf)) > 0;)
            text.append(buf, std::size_t(n));
        ::close(fd);
    }
    std::istringstream f(text);
    std::string line, iface;
    std::getline(f, line); // header
    while (std::getline(f, line)) {
        std::istringstream ss(line);
        std::string name, dest;
        if (ss >> name >> dest && dest == "00000000") {
            iface = name;
            break;
        }
    }
    if (iface.empty()) return std::nullopt;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return std::nullopt;
    std::optional<std::string> out;
    for (ifaddrs* a = list; a; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && iface == a->ifa_name) {
            char buf[INET_ADDRSTRLEN];
            const auto* in = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            if (inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf)) out = buf;
            break;
        }
    freeifaddrs(list);
    return out;
}

} // namespace lab
