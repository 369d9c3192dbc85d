// widgets.hpp — small widgets the panes share (Dear ImGui 1.86 has none of these).
#pragma once

#include <imgui.h>
#include <string>
#include <string_view>

namespace gui {

// A box behind content whose height is known only once it is laid out: begin_card() lays
// the content out on the draw list's front channel, end_card() fills the box behind it
// (the full width, rounded; an accent bar on the left if asked) and moves below it.
struct Card {
    ImDrawList* dl;
    ImVec2 p;
};
Card begin_card(ImVec2 inset);
void end_card(const Card& c, ImU32 bg, ImU32 accent = 0);

// The width of `t` in the current font (what line_break.hpp's wrapping measures with).
float text_width(std::string_view t);

// A heading over a part of the lesson (Dear ImGui 1.86 has no SeparatorText).
void section(const std::string& label);

// Continues on the same line when an item `w` wide still fits, else starts a new one.
void same_line_if_fits(float w);

// The width of a button with this label.
float button_width(const std::string& label);

// A button drawn "on" (pressed look) when `on`.
bool toggle_button(const std::string& label, bool on);

// A tooltip now: its text wrapped (line_break.hpp) at about 30 characters of text, so that
// no tooltip runs out of the window at a projector's text size. '\n' starts a new line.
void tooltip(const std::string& text);

// A tooltip over the last item while it is hovered (also when disabled, if asked).
void tip(const std::string& text, bool when_disabled = false);

// Wrapped text that follows the Chinese line-breaking rules (line_break.hpp), unlike
// ImGui::TextWrapped: no line starts with ，。：； and the like.
void text_wrapped(const std::string& text);

// A list entry whose label wraps (line_break.hpp) in the width it has, so a projector's
// large text never cuts a title off: a Selectable as tall as the wrapped label.
bool wrapped_selectable(const std::string& label, const char* id, bool selected);

// Text in the palette's colour for a pause point (the step on show, the waiting demo).
void pause_text(const std::string& text);

} // namespace gui
