#include "gui/picture/png_text.hpp"

#include <array>
#include <cstdint>

namespace gui {
namespace {

constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";

std::uint32_t crc32(const std::string& bytes) {
    static const std::array<std::uint32_t, 256> table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t n = 0; n < 256; ++n) {
            std::uint32_t c = n;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

void put32(std::string& out, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) out.push_back(char((v >> s) & 0xFF));
}

std::uint32_t get32(const std::string& s, std::size_t at) {
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + std::size_t(i)]);
    return v;
}

std::string printable(const std::string& s, std::size_t max) {
    std::string out;
    for (unsigned char c : s) {
        if (out.size() >= max) break;
        out.push_back(c >= 0x20 && c < 0x7F ? char(c) : c == '\n' ? '\n' : '?');
    }
    return out;
}

} // namespace

std::string add_png_text(const std::string& png, const PngText& text) {
    const std::size_t sig = sizeof kSignature - 1, ihdr_end = sig + 8 + 13 + 4;
    if (png.size() < ihdr_end || png.compare(0, sig, kSignature, sig) != 0 ||
        png.compare(sig + 4, 4, "IHDR") != 0)
        return {};
    std::string chunks;
    for (const auto& [key, value] : text) {
        std::string k = printable(key, 79);
        std::erase(k, '\n');
        if (k.empty()) continue;
        const std::string body = "tEXt" + k + std::string(1, '\0') + printable(value, 1 << 16);
        put32(chunks, std::uint32_t(body.size() - 4));
        chunks += body;
        put32(chunks, crc32(body));
    }
    return png.substr(0, ihdr_end) + chunks + png.substr(ihdr_end);
}

PngText read_png_text(const std::string& png) {
    PngText out;
    const std::size_t sig = sizeof kSignature - 1;
    if (png.size() < sig || png.compare(0, sig, kSignature, sig) != 0) return out;
    for (std::size_t at = sig; at + 12 <= png.size();) {
        const std::uint32_t len = get32(png, at);
        if (at + 12 + len > png.size()) break;
        if (png.compare(at + 4, 4, "tEXt") == 0) {
            const std::string body = png.substr(at + 8, len);
            if (crc32(png.substr(at + 4, len + 4)) == get32(png, at + 8 + len)) {
                const std::size_t nul = body.find('\0');
                if (nul != std::string::npos)
                    out.emplace_back(body.substr(0, nul), body.substr(nul + 1));
            }
        }
        at += 12 + len;
    }
    return out;
}

} // namespace gui
