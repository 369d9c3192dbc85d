// qr_texture.cpp — libqrencode's modules into a GL_LUMINANCE-free RGBA texture.
#include "gui/picture/qr_texture.hpp"

#include <GL/gl.h>
#include <imgui.h>
#include <qrencode.h>
#include <vector>

namespace gui {

QrTexture::~QrTexture() {
    clear();
}

void QrTexture::clear() {
    if (tex_) glDeleteTextures(1, &tex_);
    tex_ = 0;
    size_ = 0;
    text_.clear();
}

bool QrTexture::set(const std::string& text) {
    if (text == text_ && tex_) return true;
    clear();
    QRcode* qr = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) return false;
    constexpr int kQuiet = 4;
    const int n = qr->width, side = n + 2 * kQuiet;
    std::vector<unsigned char> rgba(std::size_t(side * side * 4), 255); // white
    for (int y = 0; y < n; ++y)
        for (int x = 0; x < n; ++x)
            if (qr->data[y * n + x] & 1) { // bit 0: a dark module
                unsigned char* p = &rgba[std::size_t(((y + kQuiet) * side + x + kQuiet) * 4)];
                p[0] = p[1] = p[2] = 0;
            }
    QRcode_free(qr);
    glGenTextures(1, &tex_);
    glBindTexture(GL_TEXTURE_2D, tex_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, side, side, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba.data());
    size_ = side;
    text_ = text;
    return true;
}

void QrTexture::draw(float side) const {
    if (!tex_) return;
    // Whole modules only, so every module is the same number of pixels.
    const float px = size_ > 0 ? float(int(side / float(size_))) * float(size_) : side;
    ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(tex_)),
                 ImVec2(px > 0 ? px : side, px > 0 ? px : side));
}

} // namespace gui
