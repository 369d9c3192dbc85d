// qr_text.hpp — a QR code as text for a terminal (libqrencode's modules, two rows per line in
// UTF-8 half blocks: ▀ ▄ █ and space), so `daemonlab room` shows one a phone can scan.
#pragma once

#include <string>

namespace lab {

// Dark modules are drawn in the terminal's background colour and light ones as blocks in its
// foreground: on a dark terminal (light text) that reads as a normal QR code; `inverted` for
// a light terminal (dark text). With the 4-module quiet zone. "" when it cannot be encoded.
std::string qr_text(const std::string& text, bool inverted = false);

} // namespace lab
