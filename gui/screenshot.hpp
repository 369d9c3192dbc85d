// screenshot.hpp — the window's pixels as a PNG (what the tests and the README show).
#pragma once

#include <string>

namespace gui {

// Reads the current back buffer (width × height) and writes it as PNG. "" or an error.
std::string write_png(const std::string& path, int width, int height);

} // namespace gui
