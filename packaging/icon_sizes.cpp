// icon_sizes IN.png OUT_DIR SIZE...: writes OUT_DIR/<SIZE>.png, IN scaled down to SIZE×SIZE,
// for the hicolor icon theme. Build-time only; stb (image, resize, write) is already a build
// dependency of the app, so making the icons needs nothing more than the app does.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: icon_sizes IN.png OUT_DIR SIZE...\n");
        return 2;
    }
    int w = 0, h = 0, n = 0;
    unsigned char* in = stbi_load(argv[1], &w, &h, &n, 4);
    if (!in) {
        std::fprintf(stderr, "icon_sizes: cannot read %s: %s\n", argv[1], stbi_failure_reason());
        return 1;
    }
    int status = 0;
    for (int i = 3; i < argc; ++i) {
        char* end = nullptr;
        const long size = std::strtol(argv[i], &end, 10);
        if (*argv[i] == '\0' || *end != '\0' || size < 8 || size > 1024) {
            std::fprintf(stderr, "icon_sizes: bad size '%s' (8..1024)\n", argv[i]);
            status = 2;
            continue;
        }
        const int s = int(size);
        std::vector<unsigned char> out(std::size_t(s) * std::size_t(s) * 4);
        // sRGB-aware, alpha-weighted: the rounded corners stay clean at 16 px.
        if (!stbir_resize_uint8_srgb(in, w, h, 0, out.data(), s, s, 0, 4, 3, 0)) {
            std::fprintf(stderr, "icon_sizes: cannot scale to %d\n", s);
            status = 1;
            continue;
        }
        const std::string path = std::string(argv[2]) + "/" + std::to_string(s) + ".png";
        if (!stbi_write_png(path.c_str(), s, s, 4, out.data(), s * 4)) {
            std::fprintf(stderr, "icon_sizes: cannot write %s\n", path.c_str());
            status = 1;
        }
    }
    stbi_image_free(in);
    return status;
}
