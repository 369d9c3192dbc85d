// theme.hpp — the app's colours in one place: the usual dark theme, and a high-contrast one
// (black on white, saturated state colours, solid highlights) that stays readable on a
// washed-out projector. Views read palette(); apply_theme() switches it and ImGui's style.
#pragma once

#include "lab/model/verdict.hpp"

#include <imgui.h>
#include <string>

namespace gui {

struct Palette {
    bool high_contrast = false;
    // Thread states in the timeline (and the legend).
    ImU32 running, socket, message, join, paused, other;
    // Timeline furniture.
    ImU32 lane_bg, axis_bg, header_bg, header_text, lane_text, axis_text, tick, hint;
    ImU32 break_text; // a break's chip on the axis ("paused 9.6 s"), on caption_plate
    ImU32 badge_daemon, badge_non_daemon;
    ImU32 main_end, exit_ok, exit_bad, now_line, join_arrow, caption_plate, connected, message_dot;
    ImU32 step_badge, step_badge_text, step_badge_current;
    ImU32 accent_hung, accent_exited, accent_running, accent_other;
    // Banner backgrounds and its text.
    ImU32 banner_idle, banner_waiting, banner_exited, banner_hung, banner_other, banner_text;
    // Lesson and code.
    ImVec4 section;                // headings over the lesson's parts
    ImU32 code_hot, code_hot_text; // a highlighted line of code (text 0: unchanged)
    ImU32 code_comment, pause_arrow, step_card;
    ImU32 md_link, md_code, md_strong, md_em, md_heading, md_code_bg, md_block_bg, md_block_text;
    // Messages.
    ImVec4 notice, error, ok, wrong;
    // Matrix cells.
    ImU32 cell_pending, cell_running, cell_text;
    ImVec4 clear_color; // behind everything
};

const Palette& palette();

// Where a verdict's colour is shown: each surface has its own shades of the same meaning
// (the banner's background, a matrix cell's, the timeline header's accent).
enum class OutcomeUse { banner, cell, accent };
// The one outcome → colour rule: exited green, hung red, running blue (the banner: its idle
// colour), anything else (killed, timed out, failed) amber.
ImU32 outcome_color(lab::Outcome o, OutcomeUse use);
// "normal" or "high-contrast": sets palette() and ImGui's style (call before ScaleAllSizes).
void apply_theme(const std::string& theme);

} // namespace gui
