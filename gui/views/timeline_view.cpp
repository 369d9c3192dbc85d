// The timeline pane: zoom and pan, both runs one above the other, each on its own time
// map; the rows are drawn in timeline_axis.cpp, timeline_lanes.cpp, timeline_marks.cpp.
#include "gui/views/timeline_view.hpp"

#include "gui/views/timeline_context.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {
std::string TimelineText::get(std::string_view key) const {
    std::string out;
    for (lab::Lang l : langs) {
        const std::string s = strings->get(key, l);
        if (s == out) continue; // the same in both ("Python", "A+"): once
        if (!out.empty()) out += " / ";
        out += s;
    }
    return out;
}

std::string TimelineText::format(std::string_view key, const std::vector<lab::Arg>& args) const {
    std::string out;
    for (lab::Lang l : langs) {
        if (!out.empty()) out += " / ";
        out += strings->format(key, l, args);
    }
    return out;
}

ImU32 state_color(const lab::Segment& s) {
    const Palette& p = palette();
    switch (lab::look(s)) {
    case lab::Look::running:
        return p.running;
    case lab::Look::socket:
        return p.socket;
    case lab::Look::message:
        return p.message;
    case lab::Look::join:
        return p.join;
    case lab::Look::paused:
        return p.paused;
    case lab::Look::other:
        return p.other;
    case lab::Look::done:
        break;
    }
    return 0;
}

// One run: its header, its axis, a row per thread, then what goes across and beneath the
// lanes. Returns the y below it.
float TimelineView::draw_run(TimelineContext& ctx, const RunView& rv, float y, float label_w,
                             bool own_scale) {
    const lab::RunState& run = *rv.run;
    const TimelineText& text = *ctx.text;
    const float line = ctx.line;
    const float big_h = text.big ? text.big->FontSize : line;
    const float header_h = big_h + line * 0.5f, axis_h = line * 1.3f;
    const ImU32 accent = outcome_color(run.verdict.outcome, OutcomeUse::accent);
    RunView shown = rv;
    if (own_scale) shown.label += "  " + text.get("timeline.own-scale");
    RunHeaderRow().draw(ctx, ImVec2(ctx.left, y), ImVec2(ctx.left + ctx.width, y + header_h), shown,
                        with_alpha(accent, ctx.dim));
    y += header_h + 2;
    AxisRow().draw(ctx, y, axis_h);
    y += axis_h + 2;
    const float lanes_top = y;
    LaneCentres centres;
    for (const lab::Lane& lane : run.timeline.lanes()) {
        const std::vector<std::string> label = LaneRow::label_lines(lane, text, label_w - 10);
        const float lane_h = std::max(line * 2.3f, line * (float(label.size()) + 0.3f));
        LaneRow().draw(ctx, lane, y, lane_h - 3, label);
        centres.y.emplace_back(lane.tid, y + (lane_h - 3) / 2);
        y += lane_h;
    }
    y = MarkLayer().draw(ctx, lanes_top, y, centres);
    return StageRow().draw(ctx, y);
}

float TimelineView::paint(ImDrawList* dl, ImVec2 a, float width, const RunView& current,
                          const RunView& previous, const TimelineText& text, bool interactive,
                          std::vector<DrawnText>* drawn) {
    return paint(dl, a, width, std::vector<const RunView*>{&current, &previous}, text, interactive,
                 drawn);
}

float TimelineView::paint(ImDrawList* dl, ImVec2 a, float width,
                          const std::vector<const RunView*>& all, const TimelineText& text,
                          bool interactive, std::vector<DrawnText>* drawn, float dim) {
    const float line = ImGui::GetTextLineHeight();
    std::vector<const RunView*> runs;
    for (const RunView* rv : all)
        if (rv && rv->run) runs.push_back(rv);
    if (runs.empty()) return 0;
    // Line the runs up at main's end when they all have one; else at their start.
    bool align = true;
    for (const RunView* rv : runs) align &= rv->run->timeline.main_end_ns() >= 0;
    std::vector<TimeMap> maps;
    for (const RunView* rv : runs) maps.push_back(TimeMap::of(*rv->run, !show_paused, align));
    double lo = 0, hi = 1;
    for (std::size_t i = 0; i < maps.size(); ++i) {
        lo = std::min(lo, maps[i].lo());
        hi = std::max(hi, maps[i].hi());
    }
    const double pad = (hi - lo) * 0.04;
    Viewport common = vp_;
    if (vp_.follow) {
        common.t0 = lo - pad;
        common.t1 = hi + pad * 1.5;
        vp_.t0 = common.t0;
        vp_.t1 = common.t1;
    }
    // The label column: as wide as the names need, within 18–40 % of the width.
    float label_w = line * 6;
    for (const RunView* rv : runs)
        for (const lab::Lane& lane : rv->run->timeline.lanes())
            label_w = std::max(label_w, ImGui::CalcTextSize(lane.name.c_str()).x + 16);
    label_w = std::clamp(std::max(label_w, line * 11), width * 0.18f, width * 0.4f);

    float y = a.y;
    for (std::size_t i = 0; i < runs.size(); ++i) {
        Viewport vp = common;
        bool own = false;
        // In the fitted view, a run that would be a sliver of the shared scale gets its own,
        // still lined up with the other at the origin.
        const double own_span = maps[i].hi() - maps[i].lo();
        if (vp_.follow && runs.size() > 1 && own_span < 0.3 * (hi - lo)) {
            own = true;
            if (align && common.t0 < 0 && common.t1 > 0) {
                const double k =
                    std::max(maps[i].lo() / common.t0, maps[i].hi() / common.t1) * 1.08;
                own = k < 0.7; // else the shared scale serves it well enough
                if (own) {
                    vp.t0 = common.t0 * k;
                    vp.t1 = common.t1 * k;
                }
            } else {
                const double p = own_span * 0.04;
                vp.t0 = maps[i].lo() - p;
                vp.t1 = maps[i].hi() + p * 1.5;
            }
        }
        vp.x0 = a.x + label_w;
        vp.x1 = a.x + width;
        TimelineContext ctx{.dl = dl,
                            .run = runs[i]->run,
                            .map = &maps[i],
                            .text = &text,
                            .steps = &runs[i]->steps,
                            .drawn = drawn,
                            .vp = vp,
                            .left = a.x,
                            .width = width,
                            .line = line,
                            .dim = i == 0 ? 1.0f : dim,
                            .interactive = interactive};
        y = draw_run(ctx, *runs[i], y, label_w, own);
        if (i + 1 < runs.size()) y += line * 0.6f;
    }
    return y - a.y;
}

void TimelineView::draw(const RunView& current, const RunView& previous, const TimelineText& text,
                        float height) {
    draw_runs({&current, &previous}, text, height, 0.75f);
}

void TimelineView::draw(const std::vector<const RunView*>& runs, const TimelineText& text,
                        float height) {
    draw_runs(runs, text, height, 1.0f);
}

void TimelineView::draw_runs(const std::vector<const RunView*>& runs, const TimelineText& text,
                             float height, float dim) {
    // The wheel zooms time; the scrollbar (when the runs are taller than the pane) scrolls.
    ImGui::BeginChild("timeline", ImVec2(0, height), false, ImGuiWindowFlags_NoScrollWithMouse);
    rect_min_ = ImGui::GetWindowPos();
    rect_max_ =
        ImVec2(rect_min_.x + ImGui::GetWindowWidth(), rect_min_.y + ImGui::GetWindowHeight());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail(ImGui::GetContentRegionAvail().x, ImGui::GetWindowHeight());
    // Zoom around the mouse, pan by dragging; double-click fits again.
    ImGui::SetCursorScreenPos(origin);
    ImGui::InvisibleButton("##canvas", ImVec2(std::max(1.f, avail.x), std::max(1.f, avail.y)));
    if (ImGui::IsItemHovered()) {
        const ImGuiIO& io = ImGui::GetIO();
        // In to 50 µs across the pane (the tracer leaves out waits under 0.2 ms), out to an
        // hour: past either, the wheel stops.
        constexpr double kMinSpanMs = 0.05, kMaxSpanMs = 3'600'000;
        const double span = vp_.t1 - vp_.t0;
        if (io.MouseWheel != 0 && span > 0) {
            const double at = vp_.t(io.MousePos.x);
            const double k = std::clamp(span * std::pow(0.85, io.MouseWheel),
                                        std::min(kMinSpanMs, span), std::max(kMaxSpanMs, span)) /
                             span;
            vp_.t0 = at - (at - vp_.t0) * k;
            vp_.t1 = at + (vp_.t1 - at) * k;
            vp_.follow = false;
        }
        if (ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) vp_.follow = true;
    }
    if (ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
        double dt =
            double(ImGui::GetIO().MouseDelta.x) / double(vp_.x1 - vp_.x0) * (vp_.t1 - vp_.t0);
        vp_.t0 -= dt;
        vp_.t1 -= dt;
        vp_.follow = false;
    }
    ImGui::SetCursorScreenPos(origin);
    drawn_.clear();
    dl->PushClipRect(ImVec2(origin.x, rect_min_.y), ImVec2(origin.x + avail.x, rect_max_.y), true);
    const float label_guess =
        std::clamp(ImGui::GetTextLineHeight() * 11, avail.x * 0.18f, avail.x * 0.4f);
    vp_.x0 = origin.x + label_guess; // for the zoom's mouse → time before paint() sets it
    vp_.x1 = origin.x + avail.x;
    const float h = paint(dl, origin, avail.x, runs, text, true, &drawn_, dim);
    height_ = h;
    dl->PopClipRect();
    // Room for everything drawn, so the scrollbar reaches the last lane.
    ImGui::SetCursorScreenPos(ImVec2(origin.x, origin.y + h));
    ImGui::Dummy(ImVec2(1, 1));
    ImGui::EndChild();
}

void TimelineView::legend(const TimelineText& text) const {
    const Palette& p = palette();
    struct Item {
        ImU32 c;
        const char* key;
    };
    const Item items[] = {{p.running, "legend.running"}, {p.socket, "legend.socket"},
                          {p.message, "legend.message"}, {p.join, "legend.join"},
                          {p.paused, "legend.paused"},   {p.other, "legend.other"}};
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float s = ImGui::GetTextLineHeight();
    bool first = true;
    for (const Item& it : items) {
        const std::string label = text.get(it.key);
        // Each swatch and its word stay together; the row wraps between items.
        const float w =
            s * 1.6f + ImGui::GetStyle().ItemSpacing.x + ImGui::CalcTextSize(label.c_str()).x;
        if (!first) {
            ImGui::SameLine(0, s);
            if (ImGui::GetCursorPosX() + w > ImGui::GetWindowContentRegionMax().x) ImGui::NewLine();
        }
        first = false;
        ImGui::BeginGroup();
        ImVec2 pos = ImGui::GetCursorScreenPos();
        dl->AddRectFilled(ImVec2(pos.x, pos.y + s * 0.2f),
                          ImVec2(pos.x + s * 1.4f, pos.y + s * 0.8f), it.c, 2);
        ImGui::Dummy(ImVec2(s * 1.6f, s));
        ImGui::SameLine();
        ImGui::TextUnformatted(label.c_str());
        ImGui::EndGroup();
    }
    // The line is left open: the caller may go on with it.
}

} // namespace gui
