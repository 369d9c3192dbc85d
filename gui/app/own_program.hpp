// own_program.hpp — the state of "Your program": the path typed, the code in the editor (a
// file opened, maybe edited, or typed), and the private temp copy edited code runs from. No
// drawing here (app_program.cpp draws the pane); a RunOptions::program is made on Run.
#pragma once

#include <string>

namespace gui {

class OwnProgram {
  public:
    OwnProgram() = default;
    OwnProgram(const OwnProgram&) = delete;
    OwnProgram& operator=(const OwnProgram&) = delete;
    ~OwnProgram() { remove_temp(); }

    std::string path;    // the path field
    std::string code;    // the code as in the editor (opened, maybe edited)
    bool edited = false; // changed since opened (or typed): runs from a private temp copy

    // Reads `path` (a regular file of at most 1 MiB) into the editor; false with error() set.
    bool open();
    // The file a run runs: the file as opened (read again by Python: it may have been saved
    // since), or the edited code written to a private file (a 0700 directory from mkdtemp in
    // $XDG_RUNTIME_DIR, else /tmp; the file 0600). "" with error() set when it cannot;
    // `empty_message` is the error for no code at all.
    std::string prepare(const std::string& empty_message);
    // Removes the temp copy (its run has ended). Nothing when there is none.
    void remove_temp();
    bool has_temp() const { return !temp_dir_.empty(); }
    // The code names websockets: the receiver switch means something for it.
    bool uses_websockets() const { return code.find("websockets") != std::string::npos; }

    const std::string& opened() const { return opened_; } // absolute, "" for typed code
    const std::string& error() const { return error_; }   // why opening or writing failed
    // A run of `program` is what Run would run now: any, once edited (it runs from a new copy
    // each time); else the file as opened.
    bool runs(const std::string& program) const;
    // The name of what Run would run now: the opened file's name ("(edited)" after it once
    // changed), or "program.py" for code typed in.
    std::string name() const;
    // The name a reader knows the program of a run by: the opened file's name, "(edited)"
    // after it, or "program.py" for code typed in.
    std::string name_of(const std::string& program) const;

  private:
    std::string opened_;
    std::string error_;
    std::string temp_dir_; // the private directory of the temp copy while it runs
};

} // namespace gui
