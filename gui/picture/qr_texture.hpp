// qr_texture.hpp — a QR code (libqrencode) as an OpenGL texture, drawn crisp at any size.
#pragma once

#include <string>

namespace gui {

class QrTexture {
  public:
    QrTexture() = default;
    ~QrTexture(); // frees the texture (needs the GL context, as every texture here)
    QrTexture(const QrTexture&) = delete;
    QrTexture& operator=(const QrTexture&) = delete;

    // Encodes `text` (error correction M) and uploads it; one texel per module, with the
    // 4-module quiet zone the standard asks for. Returns false when it cannot be encoded.
    bool set(const std::string& text);
    void clear();
    unsigned id() const { return tex_; }
    int modules() const { return size_; } // the side, quiet zone included; 0 when empty
    const std::string& text() const { return text_; }
    // Draws it `side` pixels square at the cursor (nearest filtering: no blur).
    void draw(float side) const;

  private:
    unsigned tex_ = 0;
    int size_ = 0;
    std::string text_;
};

} // namespace gui
