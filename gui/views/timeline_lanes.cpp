// A thread's row on the timeline (LaneRow): its label and daemon badge, its state bars, its
// point events and the lesson's step badges, and what hovering them says.
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "gui/views/timeline_context.hpp"
#include "lab/model/chain.hpp"

#include <algorithm>
#include <cmath>

namespace gui {

std::vector<std::string> LaneRow::label_lines(const lab::Lane& lane, const TimelineText& text,
                                              float width) {
    // A traced child process's thread says its pid: "MainThread (pid 4242)".
    std::vector<std::string> lines{lab::lane_label(lane)};
    ImFont* f = ImGui::GetFont();
    const float fs = ImGui::GetFontSize();
    for (lab::Lang l : text.langs) {
        std::string badge = lane.is_main() ? text.strings->get("daemon.main", l)
                                           : lab::describe_daemon(lane, *text.strings, l);
        // Wrapped to the label column: a long badge takes two lines, not a clipped one.
        const char* p = badge.c_str();
        const char* end = p + badge.size();
        while (p < end) {
            const char* cut = f->CalcWordWrapPositionA(fs / f->FontSize, p, end, width);
            if (cut == p) cut = p + 1;
            std::string piece(p, cut);
            while (!piece.empty() && piece.back() == ' ') piece.pop_back();
            lines.push_back(piece);
            p = cut;
            while (p < end && *p == ' ') ++p;
        }
    }
    return lines;
}

void LaneRow::draw(const TimelineContext& ctx, const lab::Lane& lane, float y, float h,
                   const std::vector<std::string>& label) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const float dim = ctx.dim, line = ImGui::GetTextLineHeight();
    const ImVec2 label_a(ctx.left, y), bar_a(ctx.bar_x0(), y), bar_b(ctx.bar_x1(), y + h);
    // Label: the name, and a badge saying daemon or not (and why, on hover).
    for (std::size_t i = 0; i < label.size(); ++i) {
        const ImVec2 p(label_a.x + 6, label_a.y + 2 + line * float(i));
        const ImU32 c = i == 0        ? pal.lane_text
                        : lane.daemon ? pal.badge_daemon
                                      : pal.badge_non_daemon;
        dl->AddText(p, with_alpha(c, dim), label[i].c_str());
        ctx.note("lane", label[i],
                 rect4(p, ImVec2(p.x + ImGui::CalcTextSize(label[i].c_str()).x, p.y + line)),
                 rect4(label_a, ImVec2(bar_a.x, bar_b.y)));
    }

    dl->AddRectFilled(bar_a, bar_b, pal.lane_bg);
    dl->PushClipRect(bar_a, ImVec2(bar_b.x, bar_b.y), true);
    const lab::Segment* hovered = segments(ctx, lane, bar_a, bar_b);
    const StepMark* hovered_step = markers(ctx, lane, bar_a, bar_b);
    dl->PopClipRect();
    if (ctx.interactive) tips(ctx, lane, label_a, bar_a, bar_b, hovered, hovered_step);
}

// The state bars; returns the segment under the mouse, if any.
const lab::Segment* LaneRow::segments(const TimelineContext& ctx, const lab::Lane& lane,
                                      ImVec2 bar_a, ImVec2 bar_b) const {
    ImDrawList* dl = ctx.dl;
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const float dim = ctx.dim;
    const ImVec2 mouse = ctx.mouse();
    const double run_end = run_end_ms(run);
    const lab::Segment* hovered = nullptr;
    for (const lab::Segment& s : lane.segments) {
        ImU32 c = state_color(s);
        if (!c) continue;
        const double a = map.shown(ms_since(run, s.t0)),
                     b = map.shown(s.t1 < 0 ? run_end : ms_since(run, s.t1));
        if (b < vp.t0 || a > vp.t1) continue;
        float xa = std::max(bar_a.x, vp.x(a)), xb = std::min(bar_b.x, std::max(vp.x(b), xa + 1.5f));
        float pad = s.state == lab::ThreadState::running ? 3 : 6;
        dl->AddRectFilled(ImVec2(xa, bar_a.y + pad), ImVec2(xb, bar_b.y - pad), with_alpha(c, dim),
                          2);
        if (mouse.x >= xa && mouse.x < xb && mouse.y >= bar_a.y && mouse.y < bar_b.y) hovered = &s;
    }
    return hovered;
}

// The thread's point events: connected, messages, atexit tags, the lesson's step badges;
// returns the step badge under the mouse, if any.
const StepMark* LaneRow::markers(const TimelineContext& ctx, const lab::Lane& lane, ImVec2 bar_a,
                                 ImVec2 bar_b) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const float dim = ctx.dim;
    const ImVec2 mouse = ctx.mouse();
    const float h = bar_b.y - bar_a.y, line = ImGui::GetTextLineHeight();
    auto sx = [&](std::int64_t ns) { return vp.x(map.shown_ns(run, ns)); };
    // Point events of this thread.
    const StepMark* hovered_step = nullptr;
    const float r = std::max(8.0f, std::min(line * 0.5f, h / 4 - 1));
    struct Badge {
        float x; // its moment
        const StepMark* sm;
    };
    std::vector<Badge> badges;
    for (const lab::Marker& m : run.timeline.markers()) {
        if (m.tid != lane.tid) continue;
        const double t = map.shown(ms_since(run, m.t));
        if (t < vp.t0 || t > vp.t1) continue;
        float x = sx(m.t), cy = bar_a.y + h / 2;
        switch (m.kind) {
        case lab::MarkKind::connected:
            dl->AddQuadFilled(ImVec2(x, cy - 7), ImVec2(x + 7, cy), ImVec2(x, cy + 7),
                              ImVec2(x - 7, cy), with_alpha(pal.connected, dim));
            break;
        case lab::MarkKind::message:
            dl->AddCircleFilled(ImVec2(x, cy), 5, with_alpha(pal.message_dot, dim));
            break;
        case lab::MarkKind::atexit_register:
        case lab::MarkKind::atexit: { // a small "atexit" tag; its caption is beneath the lanes
            const ImVec2 a(x - 5, bar_a.y + 2), b(x + 5, bar_b.y - 2);
            if (m.kind == lab::MarkKind::atexit)
                dl->AddRectFilled(a, b, with_alpha(pal.exit_ok, dim), 3);
            else
                dl->AddRect(a, b, with_alpha(pal.main_end, dim), 3, 0, 2.5f);
            break;
        }
        case lab::MarkKind::step: {
            // A lesson step: a numbered badge where the demo reached its pause point.
            const StepMark* sm = nullptr;
            for (const StepMark& c : *ctx.steps)
                if (c.t_ns == m.t && c.tid == m.tid) sm = &c;
            if (!sm) { // a pause point the lesson does not talk about
                dl->AddTriangleFilled(ImVec2(x - 5, bar_a.y), ImVec2(x + 5, bar_a.y),
                                      ImVec2(x, bar_a.y + 7), with_alpha(pal.paused, dim));
                break;
            }
            badges.push_back({x, sm});
            break;
        }
        default:
            break;
        }
    }
    // The step badges, laid out: in time order along the lane's top, each clear of the one
    // before and of the lines drawn across the lanes (main's end, the join arrow), moved right
    // with a leader to its moment when it has to be; never piled on one another.
    std::stable_sort(badges.begin(), badges.end(),
                     [](const Badge& p, const Badge& q) { return p.x < q.x; });
    float taken = -1e9f;
    std::vector<float> lines;
    if (run.timeline.main_end_ns() >= 0) lines.push_back(sx(run.timeline.main_end_ns()) + 2);
    for (const lab::Marker& m : run.timeline.markers())
        if (m.kind == lab::MarkKind::shutdown_wait) lines.push_back(sx(m.t) + 4);
    for (const Badge& bd : badges) {
        float x = std::max(bd.x, taken + 2 * r + 3);
        for (bool moved = true; moved;) {
            moved = false;
            for (float l : lines)
                if (std::abs(x - l) < r + 5) {
                    x = std::max(x, l + r + 5) + 0.5f; // only ever right: it ends
                    moved = true;
                }
        }
        taken = x;
        const ImVec2 c(x, bar_a.y + 1 + r);
        const ImU32 col = with_alpha(pal.step_badge, dim);
        dl->AddLine(ImVec2(bd.x, bar_a.y), ImVec2(bd.x, bar_b.y), col, 1.5f);
        if (x - bd.x > 1) dl->AddLine(ImVec2(bd.x, bar_a.y + 1), ImVec2(c.x - r, c.y), col, 1.5f);
        dl->AddCircleFilled(c, r, col);
        if (bd.sm->current) dl->AddCircle(c, r + 2.5f, pal.step_badge_current, 0, 2.5f);
        const std::string num = std::to_string(bd.sm->number);
        ImFont* f = ImGui::GetFont();
        const float fs = r * 1.5f;
        const ImVec2 ts = f->CalcTextSizeA(fs, 1e9f, 0, num.c_str());
        dl->AddText(f, fs, ImVec2(c.x - ts.x / 2, c.y - ts.y / 2),
                    with_alpha(pal.step_badge_text, dim), num.c_str());
        ctx.note("step", num, rect4(ImVec2(c.x - r, c.y - r), ImVec2(c.x + r, c.y + r)),
                 rect4(bar_a, bar_b));
        if (std::abs(mouse.x - c.x) <= r && std::abs(mouse.y - c.y) <= r) hovered_step = bd.sm;
    }
    return hovered_step;
}

void LaneRow::tips(const TimelineContext& ctx, const lab::Lane& lane, ImVec2 label_a, ImVec2 bar_a,
                   ImVec2 bar_b, const lab::Segment* hovered, const StepMark* hovered_step) const {
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const TimelineText& text = *ctx.text;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    const double run_end = run_end_ms(run);
    if (hovered_step) {
        tooltip(text.format("ui.tip.step",
                            {{"n", std::to_string(hovered_step->number)},
                             {"pause", hovered_step->pause},
                             {"at", fmt_ms(ms_since(run, hovered_step->t_ns) - map.origin())}}));
    } else if (hovered) {
        // Times as the axis counts them: from its origin (main's end, or the first event).
        double a = ms_since(run, hovered->t0) - map.origin(),
               b = (hovered->t1 < 0 ? run_end : ms_since(run, hovered->t1)) - map.origin();
        std::string tip;
        for (lab::Lang l : text.langs) {
            if (!tip.empty()) tip += "\n";
            tip += text.strings->format(
                "ui.tip.segment", l,
                {{"state", lab::describe_wait(*hovered, run.timeline, *text.strings, l)},
                 {"from", fmt_ms(a)},
                 {"to", fmt_ms(b)},
                 {"dur", fmt_ms(b - a)}});
        }
        tooltip(lane.name + " — " + tip);
    } else if (mouse.x >= label_a.x && mouse.x < bar_a.x && mouse.y >= bar_a.y &&
               mouse.y < bar_b.y) {
        std::string tip;
        for (lab::Lang l : text.langs) {
            if (!tip.empty()) tip += "\n\n";
            tip += text.strings->format("ui.tip.lane", l,
                                        {{"name", lane.name},
                                         {"daemon", lab::describe_daemon(lane, *text.strings, l)},
                                         {"creator", lane.creator.empty() ? "—" : lane.creator}});
        }
        tooltip(tip);
    }
}

} // namespace gui
