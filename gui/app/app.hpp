// app.hpp — the desktop app. `App` is declared once here and defined across app_*.cpp by
// concern, the way Tracy splits its View:
//
//   app.cpp           start-up, the scenario and its options, runs, step glue, the frame
//   app_toolbar.cpp   title, views, tally, languages, text size, contrast, full screen
//   app_lesson.cpp    the scenario list and the lesson pane
//   app_code.cpp      the code pane (Python | C++), the step's lines lit
//   app_controls.cpp  switches, Run/Kill, step controls, "Will it exit?", the banner
//   app_timeline.cpp  the lab view's layout around the timeline (panes, splitter, rows)
//   app_matrix.cpp    the matrix view, and opening one of its cells
//   app_export.cpp    the legend row's Export buttons, PNG and Chrome trace
//   app_program.cpp   "Your program": a .py file opened or edited, run on CPython
//   app_pages.cpp     the background pages, glossary hovers, the demo's output
//   app_main.cpp      the platform: GLFW window, GL context, the main loop
//
// The scripted runs of the tests (--screenshot, --walk, --export ...) are driven from outside
// the App, by a ScriptDriver (script_driver.hpp) the main loop owns.
//
// The App owns the echo server and a Session (the run on show and the one before it), a
// Quiz (predictions and the tally), the Stepper, the Matrix and the settings; each view
// draws what it is given. Every frame takes a snapshot of the live run and draws it.
#pragma once

#include "gui/app/command.hpp"
#include "gui/app/export_status.hpp"
#include "gui/app/own_program.hpp"
#include "gui/app/python_sweep.hpp"
#include "gui/app/quiz.hpp"
#include "gui/app/session.hpp"
#include "gui/app/settings.hpp"
#include "gui/app/setup_job.hpp"
#include "gui/app/stepper.hpp"
#include "gui/text/fonts.hpp"
#include "gui/views/attach_view.hpp"
#include "gui/views/matrix_view.hpp"
#include "gui/views/room_view.hpp"
#include "gui/views/timeline_view.hpp"
#include "lab/model/lessons.hpp"
#include "lab/net/echo_server.hpp"

#include <array>
#include <functional>
#include <imgui.h>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

struct GLFWwindow;
struct ImFontAtlas;

namespace gui {

enum class View { lab, matrix };
enum class CodeTab { python, cpp };

// What the app needs before its first frame and can make without a window: the content,
// the fonts and their atlas, the echo server. Made on a second thread while the window and
// its GL context are created, which is most of the start-up under a software renderer
// (docs/PERFORMANCE.md).
struct Prepared {
    lab::Content content;
    FontChoice font_choice;
    Fonts fonts;
    std::unique_ptr<lab::EchoServer> server;
    std::string server_error;
};
Prepared prepare(ImFontAtlas& atlas, float font_scale);
float font_px(float scale);

class App {
  public:
    App(GLFWwindow* window, Settings settings, const Flags& flags, Prepared prepared);
    ~App() { matrix_.stop(); }

    // The frame, in the main loop's order.
    void before_frame(); // before ImGui's NewFrame: font rebuilds, freeing the atlas pixels
    void frame();
    void after_render(int fb_w, int fb_h); // reads the back buffer: exports, the walk
    // Seconds between frames when nothing happens: 1/30 while a run or the matrix is live
    // (the "alive for" clock), 0.5 while the demo waits at a step, 0 (sleep) otherwise.
    double frame_interval() const;

    void start_run();
    // "Run on every Python" (app_python.cpp): one interpreter of each version, in turn.
    void run_on_every_python();
    // "Set up real Python" (app_python.cpp): setup-python on a thread, its bar beneath.
    void setup_real_python(const std::string& find_links = {});
    // The lesson on the real websockets 12.0, then 13.0, one above the other.
    void run_on_real_websockets();
    void save_settings();
    void save_settings_if_changed(); // after each frame (not in scripted runs)

  private:
    // The tests' driver (script_driver.hpp) reads what was drawn and presses what a user would.
    friend class ScriptDriver;

    // Texts, in the interface's language.
    std::string t(std::string_view key) const { return content_.strings.get(key, ui_lang()); }
    // A control's label: in 双语, both languages ("运行 / Run"); else as t().
    std::string label(std::string_view key) const { return timeline_text().get(key); }
    std::string f(std::string_view key, const std::vector<lab::Arg>& args) const {
        return content_.strings.format(key, ui_lang(), args);
    }
    lab::Lang ui_lang() const;
    std::vector<lab::Lang> content_langs() const; // the languages content is shown in
    void text_block(const lab::Text& text);       // Markdown, side by side when bilingual
    // A sentence of a page in each language on show, wrapped (dim: in the disabled colour).
    void sentence(std::string_view key, const std::vector<lab::Arg>& args = {}, bool dim = false);

    // app.cpp: the scenario, its options, runs, steps.
    void select(const std::string& id);
    lab::RunOptions options() const;
    void on_new_run(); // the timeline and the steps follow the run now on show
    void restart_steps();
    std::string run_label(const lab::RunState& s) const;
    // The receiver switch means something for this run: not for a program of the user's that
    // does not use websockets, nor for a chapter-2 lesson (there the switch is its fix).
    bool receiver_meant(const lab::RunOptions& o) const;
    // The run on show was made with other switches than the next run's: its results are
    // drawn greyed, labelled "previous settings".
    bool shown_is_stale() const;
    std::string current_label() const; // the timeline's caption of the run on show
    void stale_overlay(ImVec2 a, ImVec2 b) const;
    void compare_engines(); // the same settings on the other engine, one above the other
    void request_run();     // Run pressed: asks first when it would end a paused run
    std::optional<lab::Outcome> expected_outcome(const lab::RunOptions& o) const;
    const lab::Lesson* step_lesson() const; // the lesson the steps come from
    const lab::RunState* step_run() const;  // the run the steps are matched against
    // Each language on show, " / " between (in 双语 "第 2/4 步 / Step 2/4").
    std::string in_langs(const std::function<std::string(lab::Lang)>& one) const;
    std::string step_caption() const; // "Step 2/4" or ""
    std::string step_status() const;  // skipped steps, then what the demo does now
    std::string step_status(lab::Lang l) const;
    std::string step_state(lab::Lang l) const; // what the demo does now, in step mode
    std::vector<lab::Skipped> skipped() const; // steps the run on show passed over, and why
    std::string skip_note(std::size_t step, lab::Lang l) const; // "— not reached: ..." or ""
    std::vector<StepMark> step_marks(const lab::RunState& run, bool current) const;
    bool step_card_shown() const; // the lesson pane opens with the step on show
    void next_step();
    void prev_step();
    void run_to_end();
    void keys();
    void change_text_size(float by);
    void rebuild_fonts();

    // app_toolbar.cpp
    void toolbar();
    void tally_controls(const std::string& tally);
    void note_item(const std::string& what) { // where a toolbar item was drawn
        toolbar_items_.push_back({what, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    }
    void note_control(const std::string& what) { // where a control of the lab view was drawn
        control_items_.push_back({what, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
    }
    void toggle_fullscreen();
    // app_lesson.cpp
    void scenario_list();
    void lesson_pane();
    void step_card(const lab::Lesson& lesson);
    // app_code.cpp
    void code_pane();
    // app_controls.cpp
    void controls();
    void sandbox_controls();
    void step_controls();
    void predict_controls();
    void engine_controls();
    bool cpython_only_lesson() const; // the scenario on show is chapter 2 (no C++ model)
    void rerun_popup();
    void banner(float max_h); // at most max_h high: scrolls within when longer
    bool banner_has_run() const;
    std::vector<std::string> banner_lines() const; // every language shown
    std::vector<std::string> banner_lines(lab::Lang l) const;
    std::string prediction_line(lab::Lang l) const;
    // app_python.cpp
    void python_controls();
    std::string python_label(const PythonChoice& c) const;
    const PythonChoice* picked() const; // the entry of next_.python, or null
    void note_python(const std::string& what);
    void setup_status();
    void sweep(std::vector<lab::Interpreter> todo);
    std::vector<lab::Interpreter> real_pair() const;
    void sweep_launch();
    void sweep_tick();
    std::vector<RunView> sweep_views() const; // the sweep's runs, when on show
    bool sweep_timeline(const TimelineText& text, float height);
    // app_program.cpp
    bool own_program() const { return next_.scenario == kOwnProgram; }
    void own_program_pane();
    lab::RunOptions own_options(); // writes edited code to a private temp file first
    // app_pages.cpp
    void page_pane();
    void glossary_hook(); // hover definitions of glossary terms in prose (markdown's hook)
    void output_pane();   // the demo's own stdout and stderr
    // app_timeline.cpp
    void lab_view();
    void lab_content();
    void top_panes(float top_h, bool with_code); // scenarios | lesson (| code)
    void lower_part();                           // controls, banner, legend, timeline
    float timeline_floor() const;
    void splitter(float total);
    TimelineText timeline_text() const;
    RunView run_view(const lab::RunState& run, bool current) const;
    // app_matrix.cpp
    void matrix_pane();
    void open_cell(std::size_t i);
    // app_export.cpp
    void export_row();
    void export_png();
    void export_trace();
    void write_requested_png(int fb_w, int fb_h);
    std::string export_settings(const lab::RunState& run, lab::Lang l,
                                const std::string& date) const;

    GLFWwindow* window_;
    Settings settings_;
    std::string saved_; // the settings a user sets, as last saved (save_settings_if_changed)
    lab::Content content_;
    std::string notice_;
    FontChoice font_choice_;
    Fonts fonts_;
    bool fonts_dirty_ = false;

    std::unique_ptr<lab::EchoServer> server_;
    std::string server_error_;
    Session session_;
    Quiz quiz_;

    // The switches of the next run, as the controls set them: the scenario on show (a
    // catalog id, or kOwnProgram), engine, receiver, close (always set), the sandbox's
    // worker, connect_in and with-block, step mode and the interpreter. options() is the run
    // they make.
    lab::RunOptions next_;
    std::string python_; // the Python on show (lesson or the demo's header comment)

    // "Your program" (app_program.cpp): the scenario list's last entry.
    static constexpr const char* kOwnProgram = "*your-program";
    OwnProgram own_;

    // The CPython interpreters the picker offers (found once), and the sweep over them.
    std::optional<std::vector<PythonChoice>> pythons_;
    PythonSweep sweep_;
    SetupJob setup_;
    bool setup_seen_ = false; // the picker lists what the last set-up made
    struct PlacedPython {     // where the picker and its button were drawn (--screenshot's JSON)
        std::string what;
        ImVec2 min, max;
    };
    std::vector<PlacedPython> python_items_;

    bool confirm_rerun_ = false; // the "end the paused run?" popup is asked for
    bool compare_next_ = false;  // when the run on show ends, run it on the other engine
    int page_ = -1;              // a background page on show instead of the lesson, or -1
    bool show_output_ = false;

    // Panes.
    View view_ = View::lab;
    CodeTab code_tab_ = CodeTab::python;
    std::optional<CodeTab> want_tab_; // select this tab next frame
    TimelineView timeline_;
    float bottom_fixed_h_ = 0; // controls + banner + legend, as last drawn
    // The controls and banner folded into a scrolling strip (lower_part): once folded for a
    // window size and text size, they stay folded, or a folded banner (shorter) would unfold
    // them the next frame and the layout would flip every frame.
    bool bottom_fold_ = false;
    std::array<float, 3> fold_key_{};
    Matrix matrix_;
    RoomView room_;     // the workshop room (room_view.hpp)
    AttachView attach_; // a running Python process (attach_view.hpp)

    // Step by step.
    bool user_moved_ = false; // Prev/Next pressed since the run began
    Stepper stepper_;
    int last_shown_ = -2;
    // Frames in which the code pane still brings the step's lines into view (the layout may
    // settle in the frames after a step change: the banner grows, the pane shrinks).
    static constexpr int kScrollFrames = 12;
    int scroll_code_ = 0;
    bool scroll_lesson_ = false;
    struct Drawn { // what the code pane drew this frame
        std::optional<CodeTab> tab;
        int step = -1;
        std::vector<int> hot, pause_lines;
        std::vector<int> off; // lines the switches turn off (dimmed)
    } drawn_;
    struct CodeBox {          // where the code pane drew (for --screenshot's JSON)
        ImVec4 pane;          // the code's scrolling region, screen pixels
        float line_step = 0;  // from one line of code to the next
        float text_right = 0; // the rightmost edge of any text drawn in it
    } code_box_;

    // Presentation.
    struct Placed { // where a toolbar item was drawn (for --screenshot's JSON)
        std::string what;
        ImVec2 min, max;
    };
    std::vector<Placed> toolbar_items_;
    std::vector<Placed> control_items_; // Run, Will it exit?, the exports (what nothing may cover)
    float tally_extra_w_ = 0;           // the tally's help and reset beside it, as last drawn
    unsigned room_fixed_seen_ = 0;      // RoomView::fixed_version() saved in settings_
    ImVec4 banner_rect_{0, 0, 0, 0};
    float banner_full_h_ = 0;               // the banner's own height, as last drawn (unfolded)
    std::vector<std::string> matrix_small_; // each matrix cell's small text, as drawn
    float bottom_reserve_ = 0;              // the bottom's height kept while the banner changes
    float layout_key_[3] = {0, 0, 0};       // ... for this width, height and text size
    bool fullscreen_ = false;
    int windowed_[4] = {100, 100, 1440, 900}; // x, y, w, h to go back to

    // Export.
    std::string export_dir_;
    std::string png_request_; // write the timeline here after this frame is drawn
    ExportStatus status_;     // the line under the buttons
    nlohmann::json exports_ = nlohmann::json::array();
};

} // namespace gui
