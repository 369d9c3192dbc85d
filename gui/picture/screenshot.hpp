// screenshot.hpp — the window's pixels as a PNG (what the tests and the README show), and a
// part of them (the timeline, for the Export button).
#pragma once

#include <string>

namespace gui {

// Reads the current back buffer (width × height) and writes it as PNG. "" or an error.
std::string write_png(const std::string& path, int width, int height);

// Reads a rectangle of the back buffer and writes it as PNG. (x, y) is its top-left corner in
// framebuffer pixels counted from the top, as the screen is; fb_height is the framebuffer's
// height. The rectangle is clipped to the framebuffer. "" or an error naming the file.
std::string write_png_region(const std::string& path, int x, int y, int width, int height,
                             int fb_width, int fb_height);

} // namespace gui
