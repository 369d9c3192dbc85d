#include "screenshot.hpp"

#include <GL/gl.h>
#include <algorithm>
#include <stb_image_write.h>
#include <vector>

namespace gui {

std::string write_png(const std::string& path, int width, int height) {
    std::vector<unsigned char> pixels(std::size_t(width) * std::size_t(height) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    // OpenGL's rows go bottom-up; PNG's top-down.
    const std::size_t row = std::size_t(width) * 4;
    std::vector<unsigned char> flipped(pixels.size());
    for (int y = 0; y < height; ++y)
        std::copy_n(&pixels[std::size_t(height - 1 - y) * row], row,
                    &flipped[std::size_t(y) * row]);
    for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255; // opaque
    if (!stbi_write_png(path.c_str(), width, height, 4, flipped.data(), int(row)))
        return "cannot write " + path;
    return {};
}

} // namespace gui
