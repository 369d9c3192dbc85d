// offscreen.hpp — draws an ImGui draw list into an off-screen framebuffer of any size and
// reads it back: the export renders the whole timeline that way, not a grab of the pane.
// Call between frames with the GL context current (App::after_render); the window's back
// buffer and viewport are left as they were.
#pragma once

#include "gui/picture/png_text.hpp"

#include <functional>
#include <string>

struct ImDrawList;

namespace gui {

// paint(dl) draws from (0, 0), `width` wide, as tall as it needs, and returns its height.
// The picture is `width` × that height (at most 16384), on `background`; it is encoded as a
// PNG with `text` as tEXt chunks and written through lab::write_file_atomic. "" or an error
// naming the file.
std::string render_png(const std::string& path, int width, unsigned background,
                       const std::function<float(ImDrawList*)>& paint, const PngText& text);

} // namespace gui
