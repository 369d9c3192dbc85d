// "Your program", the scenario list's last entry: a .py file of the user's, opened from a
// path (no file dialog) or typed and edited in the pane, run on CPython under the tracer
// with the same banner and timeline as the lessons. Nothing runs until the user presses Run.
// Edited code is written, on Run, to a private file (a 0700 directory from mkdtemp in
// $XDG_RUNTIME_DIR, else /tmp; the file 0600), removed once its run has ended.
#include "gui/app/app.hpp"

#include "gui/text/widgets.hpp"
#include "lab/model/catalog.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <imgui.h>
#include <imgui_stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

namespace gui {

namespace {

constexpr std::size_t kMaxProgram = 1 << 20; // 1 MiB: a program to read, not a data file

// Reads a regular file of at most kMaxProgram bytes; "" and `error` set otherwise.
std::string read_program(const std::string& path, std::string& error) {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (path.empty()) {
        error = "no file given";
        return {};
    }
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) {
        error = path + ": no such file";
        return {};
    }
    if (!fs::is_regular_file(st)) {
        error = path + ": not a regular file";
        return {};
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        error = path + ": " + std::strerror(errno);
        return {};
    }
    std::string text;
    char buf[8192];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) {
        text.append(buf, std::size_t(n));
        if (text.size() > kMaxProgram) {
            ::close(fd);
            error = path + ": larger than 1 MiB";
            return {};
        }
    }
    ::close(fd);
    return text;
}

// A private directory for the edited copy: mkdtemp under $XDG_RUNTIME_DIR (the user's own,
// 0700) when it is set and ours, else under /tmp (mkdtemp makes it 0700 either way).
std::string private_dir(std::string& error) {
    std::string base = "/tmp";
    if (const char* x = std::getenv("XDG_RUNTIME_DIR"); x && *x == '/') {
        struct stat st {};
        if (::stat(x, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::getuid()) base = x;
    }
    std::string tmpl = base + "/daemonlab-program-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
        error = "cannot make a private directory in " + base + ": " + std::strerror(errno);
        return {};
    }
    return tmpl;
}

} // namespace

void App::open_own_program() {
    own_error_.clear();
    std::string text = read_program(own_path_, own_error_);
    if (!own_error_.empty()) return;
    own_code_ = std::move(text);
    own_opened_ = std::filesystem::absolute(own_path_).string();
    own_edited_ = false;
}

lab::RunOptions App::own_options() {
    lab::RunOptions o = options();
    own_error_.clear();
    if (!own_edited_ && !own_opened_.empty()) {
        // As opened: the file itself runs (read again by Python; it may have been saved since).
        o.program = own_opened_;
        if (read_program(own_opened_, own_error_).empty() && !own_error_.empty()) o.program.clear();
        return o;
    }
    if (own_code_.empty()) {
        own_error_ = t("ui.own.empty");
        o.program.clear();
        return o;
    }
    remove_own_temp();
    own_temp_dir_ = private_dir(own_error_);
    if (own_temp_dir_.empty()) {
        o.program.clear();
        return o;
    }
    const std::string file = own_temp_dir_ + "/program.py";
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    bool ok = fd >= 0;
    for (std::size_t done = 0; ok && done < own_code_.size();) {
        const ssize_t n = ::write(fd, own_code_.data() + done, own_code_.size() - done);
        if (n <= 0)
            ok = false;
        else
            done += std::size_t(n);
    }
    if (fd >= 0) ok = ::close(fd) == 0 && ok;
    if (!ok) {
        own_error_ = file + ": " + std::strerror(errno);
        remove_own_temp();
        o.program.clear();
        return o;
    }
    o.program = file;
    return o;
}

void App::remove_own_temp() {
    if (own_temp_dir_.empty()) return;
    ::unlink((own_temp_dir_ + "/program.py").c_str());
    ::rmdir(own_temp_dir_.c_str());
    own_temp_dir_.clear();
}

// In the code pane's place: the path field, Open, and the code, editable. The code runs only
// on Run (said above the editor).
void App::own_program_pane() {
    ImGui::TextWrapped("%s", t("ui.own.note").c_str());
    const std::string open = t("ui.own.open");
    ImGui::SetNextItemWidth(std::max(80.0f, ImGui::GetContentRegionAvail().x - button_width(open) -
                                                ImGui::GetStyle().ItemSpacing.x));
    const bool enter = ImGui::InputTextWithHint("##path", t("ui.own.path_hint").c_str(), &own_path_,
                                                ImGuiInputTextFlags_EnterReturnsTrue);
    ImGui::SameLine();
    if (ImGui::Button(open.c_str()) || enter) open_own_program();
    tip(t("ui.own.open.tip"));
    if (!own_opened_.empty())
        ImGui::TextDisabled(
            "%s",
            f(own_edited_ ? "ui.own.edited" : "ui.own.opened", {{"file", own_opened_}}).c_str());
    ImGui::PushFont(fonts_.mono);
    if (ImGui::InputTextMultiline("##code", &own_code_, ImGui::GetContentRegionAvail(),
                                  ImGuiInputTextFlags_AllowTabInput)) {
        own_edited_ = true;
    }
    ImGui::PopFont();
}

} // namespace gui
