#include "gui/picture/offscreen.hpp"

#include "lab/term/safe_write.hpp"

#include <GLFW/glfw3.h>
#include <algorithm>
#include <backends/imgui_impl_opengl3.h>
#include <cmath>
#include <imgui.h>
#include <stb_image_write.h>
#include <vector>

#ifndef GL_FRAMEBUFFER
#define GL_FRAMEBUFFER 0x8D40
#define GL_COLOR_ATTACHMENT0 0x8CE0
#define GL_FRAMEBUFFER_COMPLETE 0x8CD5
#define GL_FRAMEBUFFER_BINDING 0x8CA6
#endif

namespace gui {
namespace {

// The framebuffer-object functions are GL 3.0: looked up through GLFW, not linked.
struct Fbo {
    using Gen = void (*)(GLsizei, GLuint*);
    using Bind = void (*)(GLenum, GLuint);
    using Tex2D = void (*)(GLenum, GLenum, GLenum, GLuint, GLint);
    using Status = GLenum (*)(GLenum);
    Gen gen = reinterpret_cast<Gen>(glfwGetProcAddress("glGenFramebuffers"));
    Gen del = reinterpret_cast<Gen>(glfwGetProcAddress("glDeleteFramebuffers"));
    Bind bind = reinterpret_cast<Bind>(glfwGetProcAddress("glBindFramebuffer"));
    Tex2D attach = reinterpret_cast<Tex2D>(glfwGetProcAddress("glFramebufferTexture2D"));
    Status status = reinterpret_cast<Status>(glfwGetProcAddress("glCheckFramebufferStatus"));
    bool ok() const { return gen && del && bind && attach && status; }
};

} // namespace

std::string render_png(const std::string& path, int width, unsigned background,
                       const std::function<float(ImDrawList*)>& paint, const PngText& text) {
    const Fbo gl;
    if (!gl.ok()) return "cannot render off-screen (no framebuffer objects in this OpenGL)";
    ImDrawList list(ImGui::GetDrawListSharedData());
    list._ResetForNewFrame();
    list.PushTextureID(ImGui::GetIO().Fonts->TexID);
    list.PushClipRect(ImVec2(0, 0), ImVec2(float(width), 16384.0f));
    list.AddRectFilled(ImVec2(0, 0), ImVec2(float(width), 16384.0f), background);
    const int height = std::clamp(int(std::ceil(paint(&list))), 1, 16384);
    list.PopClipRect();
    list.PopTextureID();
    list._PopUnusedDrawCmd();

    GLint old_fbo = 0, old_viewport[4] = {};
    glGetIntegerv(GL_FRAMEBUFFER_BINDING, &old_fbo);
    glGetIntegerv(GL_VIEWPORT, old_viewport);
    GLint old_tex = 0;
    glGetIntegerv(GL_TEXTURE_BINDING_2D, &old_tex);
    GLuint tex = 0, fbo = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glBindTexture(GL_TEXTURE_2D, GLuint(old_tex));
    gl.gen(1, &fbo);
    gl.bind(GL_FRAMEBUFFER, fbo);
    gl.attach(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, tex, 0);
    std::string err;
    std::vector<unsigned char> pixels;
    if (gl.status(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE) {
        err = "cannot render off-screen (" + std::to_string(width) + " × " +
              std::to_string(height) + " framebuffer incomplete)";
    } else {
        glViewport(0, 0, width, height);
        glClearColor(0, 0, 0, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        ImDrawList* lists[] = {&list};
        ImDrawData dd;
        dd.Valid = true;
        dd.CmdLists = lists;
        dd.CmdListsCount = 1;
        dd.TotalVtxCount = list.VtxBuffer.Size;
        dd.TotalIdxCount = list.IdxBuffer.Size;
        dd.DisplayPos = ImVec2(0, 0);
        dd.DisplaySize = ImVec2(float(width), float(height));
        dd.FramebufferScale = ImVec2(1, 1);
        ImGui_ImplOpenGL3_RenderDrawData(&dd);
        pixels.resize(std::size_t(width) * std::size_t(height) * 4);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
    }
    gl.bind(GL_FRAMEBUFFER, GLuint(old_fbo));
    gl.del(1, &fbo);
    glDeleteTextures(1, &tex);
    glViewport(old_viewport[0], old_viewport[1], old_viewport[2], old_viewport[3]);
    if (!err.empty()) return err;

    // GL's rows go bottom-up; PNG's top-down. Opaque.
    const std::size_t row = std::size_t(width) * 4;
    std::vector<unsigned char> flipped(pixels.size());
    for (int r = 0; r < height; ++r)
        std::copy_n(&pixels[std::size_t(height - 1 - r) * row], row,
                    &flipped[std::size_t(r) * row]);
    for (std::size_t i = 3; i < flipped.size(); i += 4) flipped[i] = 255;
    std::string png;
    auto append = [](void* ctx, void* data, int size) {
        static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), std::size_t(size));
    };
    if (!stbi_write_png_to_func(append, &png, width, height, 4, flipped.data(), int(row)))
        return "cannot encode " + path;
    return lab::write_file_atomic(path, add_png_text(png, text));
}

} // namespace gui
