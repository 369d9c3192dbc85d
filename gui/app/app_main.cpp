// The platform: GLFW window and GL context, Dear ImGui's GLFW + OpenGL3 backends, and the
// main loop, in the order of Dear ImGui's example_glfw_opengl3/main.cpp. The loop sleeps in
// glfwWaitEvents() until input arrives or a run's watcher thread posts an empty event (new
// trace events, the verdict); while a run is live it wakes for the banner's clock.
#include "gui/app/app.hpp"
#include "gui/app/script_driver.hpp"

#include "gui/picture/screenshot.hpp"
#include "gui/text/theme.hpp"
#include "lab/model/catalog.hpp"
#include "lab/term/safe_write.hpp"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <cstdio>
#include <imgui.h>
#include <memory>
#include <optional>
#include <stb_image.h>
#include <thread>

namespace gui {

float font_px(float scale) {
    return 17.0f * scale;
}

Prepared prepare(ImFontAtlas& atlas, float font_scale) {
    Prepared p;
    p.content = lab::load_content(lab::content_dir());
    // the app's, the panes', the timeline's and the room's words
    for (const char* words : {"/ui.toml", "/ui_panes.toml", "/timeline.toml", "/room.toml"})
        if (!p.content.strings.load(lab::content_dir() + words))
            p.content.errors.push_back(p.content.strings.error());
    p.font_choice = find_fonts();
    p.fonts = build_fonts(atlas, p.font_choice, font_px(font_scale), content_texts(p.content));
    try {
        // The server never prints; when its connection cap is hit, the app says so on
        // stderr, once per episode (the line is made now: the strings move on).
        lab::EchoServerOptions options{.tls = true};
        std::string cap_line;
        for (lab::Lang l : {lab::Lang::zh, lab::Lang::en})
            cap_line +=
                "daemonlab: " +
                p.content.strings.format("cli.connection-cap", l,
                                         {{"max", std::to_string(options.max_connections)}}) +
                "\n";
        options.on_event = [cap_line](lab::ServerEvent, std::size_t) {
            std::fputs(cap_line.c_str(), stderr);
        };
        p.server = std::make_unique<lab::EchoServer>(options);
    } catch (const std::exception& e) {
        p.server_error = e.what();
    }
    return p;
}

namespace {

void set_icon(GLFWwindow* window) {
    // <prefix>/share/daemonlab/assets, beside content/ (installed, or linked in the build tree).
    const std::string file = lab::content_dir() + "/../assets/daemonlab.png";
    int w = 0, h = 0, n = 0;
    unsigned char* px = stbi_load(file.c_str(), &w, &h, &n, 4);
    if (!px) return;
    GLFWimage img{w, h, px};
    glfwSetWindowIcon(window, 1, &img);
    stbi_image_free(px);
}

// OpenGL 3.3 core where it exists, else 3.0, else 2.1 (old Mesa, remote X). The window and
// the GLSL version its context speaks; no window when none of them works.
struct Window {
    GLFWwindow* window = nullptr;
    const char* glsl = "#version 130";
};

Window create_window(int width, int height) {
    struct Try {
        int major, minor;
        bool core;
        const char* glsl;
    };
    for (const Try t : {Try{3, 3, true, "#version 330 core"}, Try{3, 0, false, "#version 130"},
                        Try{2, 1, false, "#version 120"}}) {
        glfwDefaultWindowHints();
        glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, t.major);
        glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, t.minor);
        if (t.core) glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
        glfwWindowHint(GLFW_DOUBLEBUFFER, GLFW_TRUE);
        glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE); // full screen stays up on a focus change
        // WM_CLASS names the menu entry (io.github.daemonlab.DaemonLab.desktop): docks and
        // task bars group the window under its icon.
        glfwWindowHintString(GLFW_X11_CLASS_NAME, "io.github.daemonlab.DaemonLab");
        glfwWindowHintString(GLFW_X11_INSTANCE_NAME, "daemonlab");
        if (GLFWwindow* w =
                glfwCreateWindow(width, height, "DaemonLab · 守护线程实验室", nullptr, nullptr))
            return {w, t.glsl};
    }
    return {};
}

// The settings a start uses: the saved ones; for a scripted run the defaults (the locale's
// language, 1440×900), so that a test never depends on the user's. --size over either.
Settings start_settings(const Flags& flags) {
    Settings settings = flags.scripted() ? Settings{} : Settings::load();
    if (flags.scripted()) {
        settings.lang = Settings::locale_lang(); // no saved choice: the locale's
        settings.width = 1440;
        settings.height = 900;
    }
    if (flags.width > 0) {
        settings.width = flags.width;
        settings.height = flags.height;
    }
    return settings;
}

// Until the next frame is due: at once when scripted or while the layout settles (frames
// after an event), else the app's own interval (a live run, a countdown), else the next event.
void wait_events(App& app, bool scripted, int& settle) {
    if (scripted) {
        glfwPollEvents();
    } else if (settle > 0) {
        glfwPollEvents();
        --settle;
    } else if (const double dt = app.frame_interval(); dt > 0) {
        glfwWaitEventsTimeout(dt);
        settle = 1;
    } else {
        glfwWaitEvents();
        settle = 2;
    }
}

// A scripted run's end: the window as a PNG and its description beside it, both through the
// safe path (never via a link). 0, or 1 when either could not be written (said).
int write_shot(const std::string& png, const std::string& description, int w, int h) {
    int rc = 0;
    if (const std::string err = write_png(png, w, h); !err.empty()) {
        std::fprintf(stderr, "daemonlab: %s\n", err.c_str());
        rc = 1;
    }
    if (const std::string err = lab::write_file_atomic(png + ".json", description); !err.empty()) {
        std::fprintf(stderr, "daemonlab: %s\n", err.c_str());
        rc = 1;
    }
    return rc;
}

} // namespace

int run_app(Flags flags) {
    glfwSetErrorCallback([](int code, const char* what) {
        std::fprintf(stderr, "daemonlab: GLFW %d: %s\n", code, what);
    });
    if (!glfwInit()) {
        std::fprintf(stderr, "daemonlab: cannot open a window (no display?). The terminal tool "
                             "works: daemonlab list\n");
        return 1;
    }
    const bool scripted = flags.scripted();
    const Settings settings = start_settings(flags);
    // Content, fonts and the echo server are made while the window is (see Prepared). The
    // atlas outlives the ImGui context that uses it.
    auto atlas = std::make_unique<ImFontAtlas>();
    std::optional<Prepared> prepared;
    std::thread preparing(
        [&, scale = flags.font_scale > 0 ? flags.font_scale : settings.font_scale] {
            prepared = prepare(*atlas, scale);
        });
    const Window win = create_window(settings.width, settings.height);
    preparing.join();
    GLFWwindow* window = win.window;
    if (!window) {
        glfwTerminate();
        std::fprintf(stderr, "daemonlab: no usable OpenGL context\n");
        return 1;
    }
    glfwMakeContextCurrent(window);
    glfwSwapInterval(1);
    set_icon(window);
    IMGUI_CHECKVERSION();
    ImGui::CreateContext(atlas.get());
    ImGui::GetIO().IniFilename = nullptr; // layout lives in settings.toml
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init(win.glsl);

    int rc = 0;
    {
        App app(window, settings, flags, std::move(*prepared));
        ScriptDriver script(flags);
        static std::string logged; // the clipboard of a scripted run (a captureless callback)
        if (scripted) {
            ImGui::GetIO().SetClipboardTextFn = [](void*, const char* text) { logged += text; };
        }
        if (flags.setup_python) app.setup_real_python(flags.find_links);
        if (flags.run && flags.real_pair)
            app.run_on_real_websockets();
        else if (flags.run && flags.every_python)
            app.run_on_every_python();
        else if (flags.run)
            app.start_run();
        const double started = glfwGetTime();
        int settle = 3; // frames to draw after an event, so ImGui's layout settles
        while (!glfwWindowShouldClose(window)) {
            wait_events(app, scripted, settle);

            app.before_frame();
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplGlfw_NewFrame();
            if (scripted) script.before_frame(app); // --script's key or click, as input
            ImGui::NewFrame();
            // Scripted: the texts ImGui draws in the app's window this frame, for the JSON's
            // "text". ImGui's log ends with that window and hands its text to the clipboard
            // function, which the scripted run points here.
            if (scripted) {
                logged.clear();
                ImGui::LogToClipboard();
            }
            app.frame();
            if (scripted) {
                ImGui::LogFinish();
                script.drawn_text(logged);
            }
            if (!scripted) app.save_settings_if_changed();
            ImGui::Render();
            int w = 0, h = 0;
            glfwGetFramebufferSize(window, &w, &h);
            glViewport(0, 0, w, h);
            const ImVec4 bg = palette().clear_color;
            glClearColor(bg.x, bg.y, bg.z, bg.w);
            glClear(GL_COLOR_BUFFER_BIT);
            ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
            app.after_render(w, h);
            script.after_render(app, w, h);
            if (scripted && script.ready(app, (glfwGetTime() - started) * 1000)) {
                rc = write_shot(flags.screenshot, script.describe(app).dump(2) + "\n", w, h);
                break;
            }
            glfwSwapBuffers(window);
        }
        if (!scripted) app.save_settings();
    } // the App's destructor kills a live demo and stops the echo server
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return rc;
}

} // namespace gui
