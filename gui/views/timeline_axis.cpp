// The timeline's header and axis rows, and the small helpers its rows share
// (timeline_context.hpp).
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "gui/views/timeline_context.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {

ImU32 with_alpha(ImU32 c, float a) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    v.w *= a;
    return ImGui::ColorConvertFloat4ToU32(v);
}

void zigzag(ImDrawList* dl, float x, float y0, float y1, ImU32 c) {
    const float w = 3;
    std::vector<ImVec2> pts;
    bool left = true;
    for (float y = y0; y < y1; y += 5, left = !left) pts.emplace_back(x + (left ? -w : w), y);
    pts.emplace_back(x, y1);
    dl->AddPolyline(pts.data(), int(pts.size()), c, 0, 1.5f);
}

void RunHeaderRow::draw(const TimelineContext& ctx, ImVec2 a, ImVec2 b, const RunView& rv,
                        ImU32 color) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    ImFont* big = ctx.text->big;
    dl->AddRectFilled(a, b, pal.header_bg);
    dl->AddRectFilled(a, ImVec2(a.x + 6, b.y), color);
    // The verdict first, large, in the verdict's colour: the comparison at a glance.
    ImFont* f = big ? big : ImGui::GetFont();
    float fs = big ? big->FontSize : ImGui::GetFontSize();
    ImVec2 vs = f->CalcTextSizeA(fs, 1e9f, 0, rv.verdict.c_str());
    // Too wide for the header (双语 at a projector's text size in a narrow column): smaller,
    // down to 60 % of the size, rather than cut off.
    if (const float room = b.x - 4 - (a.x + 14); vs.x > room && vs.x > 0) {
        fs = std::max(fs * room / vs.x, fs * 0.6f);
        vs = f->CalcTextSizeA(fs, 1e9f, 0, rv.verdict.c_str());
    }
    const ImVec2 vp(a.x + 14, a.y + (b.y - a.y - vs.y) / 2);
    dl->AddText(f, fs, vp, color, rv.verdict.c_str());
    ctx.note("verdict", rv.verdict, rect4(vp, ImVec2(vp.x + vs.x, vp.y + vs.y)), rect4(a, b));
    // Then the run's settings, as far as they fit.
    const float x = vp.x + vs.x + ImGui::GetFontSize();
    if (x < b.x - 20) {
        const ImVec2 ls = ImGui::CalcTextSize(rv.label.c_str());
        const ImVec2 lp(x, a.y + (b.y - a.y - ls.y) / 2);
        dl->PushClipRect(ImVec2(x, a.y), ImVec2(b.x - 4, b.y), true);
        dl->AddText(lp, pal.header_text, rv.label.c_str());
        dl->PopClipRect();
        ctx.note("header", rv.label, rect4(lp, ImVec2(lp.x + ls.x, lp.y + ls.y)),
                 rect4(a, ImVec2(b.x - 4, b.y)));
    }
}

// The axis: its origin, and this run's own scale when it has one; the breaks on it.
void AxisRow::draw(const TimelineContext& ctx, float y, float h) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const TimeMap& map = *ctx.map;
    const float x0 = ctx.left, bar_x0 = ctx.bar_x0(), bar_x1 = ctx.bar_x1();
    // The breaks' chips first, then the ticks' labels around them.
    dl->AddRectFilled(ImVec2(bar_x0, y), ImVec2(bar_x1, y + h), pal.axis_bg);
    dl->ChannelsSplit(2);
    dl->ChannelsSetCurrent(1);
    const std::vector<std::pair<float, float>> chips = break_labels(ctx, y, h);
    dl->ChannelsSetCurrent(0);
    ticks(ctx, ImVec2(bar_x0, y), ImVec2(bar_x1, y + h), chips);
    dl->ChannelsMerge();
    std::string note = ctx.text->get(map.origin() > 0 && ctx.run->timeline.main_end_ns() >= 0 &&
                                             std::abs(map.shown(map.origin())) < 1e-9
                                         ? "timeline.origin.main"
                                         : "timeline.origin.start");
    dl->PushClipRect(ImVec2(x0, y), ImVec2(bar_x0 - 4, y + h), true);
    dl->AddText(ImVec2(x0 + 6, y + 2), pal.hint, note.c_str());
    dl->PopClipRect();
    if (ctx.interactive && ImGui::IsMouseHoveringRect(ImVec2(x0, y), ImVec2(bar_x1, y + h)))
        tooltip(ctx.text->get("ui.timeline.hint"));
}

void AxisRow::ticks(const TimelineContext& ctx, ImVec2 a, ImVec2 b,
                    const std::vector<std::pair<float, float>>& chips) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const Viewport& vp = ctx.vp;
    const TimeMap& map = *ctx.map;
    dl->PushClipRect(a, b, true);
    // A tick every 1, 2 or 5 × 10^k ms, about every 90 px, at round times since the origin,
    // in each stretch between two breaks (a break hides time: the labels jump over it).
    const double span = vp.t1 - vp.t0, target = span * 90.0 / std::max(1.0f, vp.x1 - vp.x0);
    double step = std::pow(10.0, std::floor(std::log10(std::max(target, 1e-6))));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (step * m >= target) {
            step *= m;
            break;
        }
    std::vector<std::pair<double, double>> pieces; // shown ranges without a break
    double from = vp.t0;
    for (const TimeBreak& br : map.breaks()) {
        if (br.shown > from) pieces.emplace_back(from, std::min(br.shown, vp.t1));
        from = std::max(from, br.shown + br.length);
    }
    if (from < vp.t1) pieces.emplace_back(from, vp.t1);
    // A label starts just right of its tick, or ends just left of it at the right edge (the
    // last tick fits); it is left out where it would touch the one before or a break's chip.
    float last_label_end = -1e9f;
    for (auto [s0, s1] : pieces) {
        if (s1 <= s0) continue;
        const double r0 = map.real(s0) - map.origin(), r1 = map.real(s1) - map.origin();
        const double off = (map.real(s0) - map.origin()) - s0; // real - shown in this piece
        for (double t = std::ceil(r0 / step) * step; t <= r1; t += step) {
            if (std::abs(t) < step * 1e-6) t = 0; // not "-0.00"
            const float x = vp.x(t - off);
            dl->AddLine(ImVec2(x, b.y - 6), ImVec2(x, b.y), pal.tick);
            const std::string label = tick_label(t, step);
            const float w = ImGui::CalcTextSize(label.c_str()).x;
            float lx = x + 3;
            if (lx + w > b.x - 2) lx = x - 3 - w;
            if (lx < a.x + 1 || lx < last_label_end) continue;
            const bool covered = std::any_of(chips.begin(), chips.end(), [&](const auto& c) {
                return lx < c.second + 4 && lx + w > c.first - 4;
            });
            if (covered) continue;
            const ImVec2 p(lx, a.y + 2);
            dl->AddText(p, pal.axis_text, label.c_str());
            ctx.note("tick", label, rect4(p, ImVec2(lx + w, p.y + ImGui::GetTextLineHeight())),
                     rect4(a, b));
            last_label_end = lx + w + 8;
        }
    }
    dl->PopClipRect();
}

// Breaks, labelled with the time they hide, on the axis: in words when there is room,
// else the span alone, else nothing (the next break's label would be covered). Returns
// the chips' x ranges (the ticks' labels keep clear of them).
std::vector<std::pair<float, float>> AxisRow::break_labels(const TimelineContext& ctx, float y,
                                                           float axis_h) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const Viewport& vp = ctx.vp;
    const TimeMap& map = *ctx.map;
    const TimelineText& text = *ctx.text;
    const float bar_x0 = ctx.bar_x0(), bar_x1 = ctx.bar_x1();
    std::vector<std::pair<float, float>> chips;
    float label_end = -1e9f;
    for (const TimeBreak& br : map.breaks()) {
        const float xa = vp.x(br.shown), xb = vp.x(br.shown + br.length);
        if (xb < bar_x0 || xa > bar_x1) continue;
        const float next = [&] { // where the next break starts
            for (const TimeBreak& o : map.breaks())
                if (o.shown > br.shown) return vp.x(o.shown);
            return bar_x1 + 1e6f;
        }();
        for (const std::string& label :
             {text.format(br.hang ? "timeline.break.hang" : "timeline.break.pause",
                          {{"span", fmt_span(br.real1 - br.real0)}}),
              fmt_span(br.real1 - br.real0)}) {
            const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
            const float cx = std::clamp((xa + xb) / 2 - ts.x / 2, bar_x0 + 2, bar_x1 - ts.x - 2);
            if (cx - 3 < label_end || cx + ts.x + 3 > std::max(next, xb + 4)) continue;
            dl->AddRectFilled(ImVec2(cx - 3, y), ImVec2(cx + ts.x + 3, y + axis_h),
                              pal.caption_plate, 3);
            const ImVec2 p(cx, y + (axis_h - ts.y) / 2);
            dl->AddText(p, pal.break_text, label.c_str());
            ctx.note("break", label, rect4(p, ImVec2(cx + ts.x, p.y + ts.y)),
                     rect4(ImVec2(bar_x0, y), ImVec2(bar_x1, y + axis_h)));
            chips.emplace_back(cx - 3, cx + ts.x + 3);
            label_end = cx + ts.x + 3;
            break;
        }
    }
    return chips;
}

} // namespace gui
