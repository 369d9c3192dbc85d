#include "gui/picture/screenshot.hpp"

#include "lab/term/safe_write.hpp"

#include <GL/gl.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stb_image_write.h>
#include <vector>

namespace gui {

std::string write_png_region(const std::string& path, int x, int y, int width, int height,
                             int fb_width, int fb_height) {
    const int x0 = std::clamp(x, 0, fb_width), y0 = std::clamp(y, 0, fb_height);
    const int x1 = std::clamp(x + width, 0, fb_width), y1 = std::clamp(y + height, 0, fb_height);
    const int w = x1 - x0, h = y1 - y0;
    if (w <= 0 || h <= 0) return "nothing to write to " + path + " (empty region)";
    std::vector<unsigned char> pixels(std::size_t(w) * std::size_t(h) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    // OpenGL counts rows from the bottom.
    glReadPixels(x0, fb_height - y1, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL's rows go bottom-up; PNG's top-down.
    const std::size_t row = std::size_t(w) * 4;
    std::vector<unsigned char> flipped(pixels.size());
    for (int r = 0; r < h; ++r)
        std::copy_n(&pixels[std::size_t(h - 1 - r) * row], row, &flipped[std::size_t(r) * row]);
    for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255; // opaque
    // Encoded in memory, then written through a temporary file and rename: a failure leaves
    // no partial PNG and does not destroy an older one.
    std::string png;
    auto append = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), std::size_t(size));
    };
    if (!stbi_write_png_to_func(append, &png, w, h, 4, flipped.data(), int(row)))
        return "cannot encode " + path;
    return lab::write_file_atomic(path, png);
}

std::string write_png(const std::string& path, int width, int height) {
    return write_png_region(path, 0, 0, width, height, width, height);
}

} // namespace gui
