// qr_text.cpp — a QR code in UTF-8 half blocks (see qr_text.hpp).
#include "lab/term/qr_text.hpp"

#include <qrencode.h>
#include <vector>

namespace lab {

std::string qr_text(const std::string& text, bool inverted) {
    QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) return {};
    constexpr int kQuiet = 4;
    const int n = qr->width, side = n + 2 * kQuiet;
    // light[y][x]: true where the module is light (the quiet zone is light).
    std::vector<bool> light(std::size_t(side * (side + 1)), true); // one spare row: side is odd
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            if (qr->data[y * n + x] & 1)
                light[std::size_t((y + kQuiet) * side + x + kQuiet)] = false;
    QRcode_free(qr);
    // A block is drawn where the module should show in the terminal's foreground colour.
    auto ink = [&](int x, int y) {
        const bool l = y < side ? light[std::size_t(y * side + x)] : true;
        return inverted ? !l : l;
    };
    std::string out;
    for (int y = 0; y < side; y += 2) {
        for (int x = 0; x < side; ++x) {
            const bool top = ink(x, y), bottom = ink(x, y + 1);
            out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
        }
        out += "\n";
    }
    return out;
}

} // namespace lab
