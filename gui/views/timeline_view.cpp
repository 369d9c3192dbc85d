#include "gui/views/timeline_view.hpp"

#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {
namespace {

double ms_since(const lab::RunState& run, std::int64_t ns) {
    return double(ns - run.spawned_ns) / 1e6;
}

ImU32 with_alpha(ImU32 c, float a) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    v.w *= a;
    return ImGui::ColorConvertFloat4ToU32(v);
}

std::string fmt_ms(double v) {
    char b[32];
    const double a = std::abs(v);
    std::snprintf(b, sizeof b, a < 10 ? "%.2f" : a < 100 ? "%.1f" : "%.0f", v);
    return b;
}

// A duration for people: "850 ms", "4.2 s", "3 min 20 s".
std::string fmt_span(double ms) {
    char b[48];
    if (ms < 1000)
        std::snprintf(b, sizeof b, "%.0f ms", ms);
    else if (ms < 60000)
        std::snprintf(b, sizeof b, "%.1f s", ms / 1000);
    else
        std::snprintf(b, sizeof b, "%d min %d s", int(ms / 60000),
                      int(std::fmod(ms, 60000) / 1000));
    return b;
}

ImVec4 rect4(ImVec2 a, ImVec2 b) {
    return ImVec4(a.x, a.y, b.x, b.y);
}

// A zigzag from top to bottom at x: the edge of a break.
void zigzag(ImDrawList* dl, float x, float y0, float y1, ImU32 c) {
    const float w = 3;
    std::vector<ImVec2> pts;
    bool left = true;
    for (float y = y0; y < y1; y += 5, left = !left) pts.emplace_back(x + (left ? -w : w), y);
    pts.emplace_back(x, y1);
    dl->AddPolyline(pts.data(), int(pts.size()), c, 0, 1.5f);
}

} // namespace

std::string TimelineText::get(std::string_view key) const {
    std::string out;
    for (lab::Lang l : langs) {
        if (!out.empty()) out += " / ";
        out += strings->get(key, l);
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

void AxisRow::draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const Viewport& vp,
                   const TimeMap& map) const {
    const Palette& pal = palette();
    dl->AddRectFilled(a, b, pal.axis_bg);
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
    float last_label_end = -1e9f;
    for (auto [s0, s1] : pieces) {
        if (s1 <= s0) continue;
        const double r0 = map.real(s0) - map.origin(), r1 = map.real(s1) - map.origin();
        const double off = (map.real(s0) - map.origin()) - s0; // real - shown in this piece
        for (double t = std::ceil(r0 / step) * step; t <= r1; t += step) {
            if (std::abs(t) < step * 1e-6) t = 0; // not "-0.00"
            const float x = vp.x(t - off);
            dl->AddLine(ImVec2(x, b.y - 6), ImVec2(x, b.y), pal.tick);
            const std::string label = (t > 0 ? "+" : "") + fmt_ms(t) + " ms";
            if (x + 3 < last_label_end) continue;
            dl->AddText(ImVec2(x + 3, a.y + 2), pal.axis_text, label.c_str());
            last_label_end = x + 3 + ImGui::CalcTextSize(label.c_str()).x + 8;
        }
    }
    dl->PopClipRect();
}

void RunHeaderRow::draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const RunView& rv, ImU32 color,
                        ImFont* big, std::vector<DrawnText>* drawn) const {
    const Palette& pal = palette();
    dl->AddRectFilled(a, b, pal.header_bg);
    dl->AddRectFilled(a, ImVec2(a.x + 6, b.y), color);
    // The verdict first, large, in the verdict's colour: the comparison at a glance.
    ImFont* f = big ? big : ImGui::GetFont();
    const float fs = big ? big->FontSize : ImGui::GetFontSize();
    const ImVec2 vs = f->CalcTextSizeA(fs, 1e9f, 0, rv.verdict.c_str());
    const ImVec2 vp(a.x + 14, a.y + (b.y - a.y - vs.y) / 2);
    dl->AddText(f, fs, vp, color, rv.verdict.c_str());
    if (drawn)
        drawn->push_back(
            {"verdict", rv.verdict, rect4(vp, ImVec2(vp.x + vs.x, vp.y + vs.y)), rect4(a, b)});
    // Then the run's settings, as far as they fit.
    const float x = vp.x + vs.x + ImGui::GetFontSize();
    if (x < b.x - 20) {
        const ImVec2 ls = ImGui::CalcTextSize(rv.label.c_str());
        const ImVec2 lp(x, a.y + (b.y - a.y - ls.y) / 2);
        dl->PushClipRect(ImVec2(x, a.y), ImVec2(b.x - 4, b.y), true);
        dl->AddText(lp, pal.header_text, rv.label.c_str());
        dl->PopClipRect();
        if (drawn)
            drawn->push_back({"header", rv.label, rect4(lp, ImVec2(lp.x + ls.x, lp.y + ls.y)),
                              rect4(a, ImVec2(b.x - 4, b.y))});
    }
}

std::vector<std::string> LaneRow::label_lines(const lab::Lane& lane, const TimelineText& text,
                                              float width) {
    std::vector<std::string> lines{lane.name};
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

void LaneRow::draw(ImDrawList* dl, ImVec2 label_a, ImVec2 bar_a, ImVec2 bar_b,
                   const lab::Lane& lane, const lab::RunState& run, const Viewport& vp,
                   const TimeMap& map, const TimelineText& text, float dim,
                   const std::vector<StepMark>& steps, const std::vector<std::string>& label,
                   bool interactive, std::vector<DrawnText>* drawn) const {
    const Palette& pal = palette();
    const float h = bar_b.y - bar_a.y, line = ImGui::GetTextLineHeight();
    auto sx = [&](std::int64_t ns) { return vp.x(map.shown_ns(run, ns)); };
    // Label: the name, and a badge saying daemon or not (and why, on hover).
    for (std::size_t i = 0; i < label.size(); ++i) {
        const ImVec2 p(label_a.x + 6, label_a.y + 2 + line * float(i));
        const ImU32 c = i == 0        ? pal.lane_text
                        : lane.daemon ? pal.badge_daemon
                                      : pal.badge_non_daemon;
        dl->AddText(p, with_alpha(c, dim), label[i].c_str());
        if (drawn)
            drawn->push_back(
                {"lane", label[i],
                 rect4(p, ImVec2(p.x + ImGui::CalcTextSize(label[i].c_str()).x, p.y + line)),
                 rect4(label_a, ImVec2(bar_a.x, bar_b.y))});
    }

    dl->AddRectFilled(bar_a, bar_b, pal.lane_bg);
    dl->PushClipRect(bar_a, ImVec2(bar_b.x, bar_b.y), true);
    const double run_end = run_end_ms(run);
    const lab::Segment* hovered = nullptr;
    const ImVec2 mouse = interactive ? ImGui::GetIO().MousePos : ImVec2(-1e9f, -1e9f);
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
    // Point events of this thread.
    const StepMark* hovered_step = nullptr;
    const float r = std::max(8.0f, std::min(line * 0.5f, h / 4 - 1));
    float last_x[2] = {-1e9f, -1e9f};
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
            for (const StepMark& c : steps)
                if (c.t_ns == m.t && c.tid == m.tid) sm = &c;
            if (!sm) { // a pause point the lesson does not talk about
                dl->AddTriangleFilled(ImVec2(x - 5, bar_a.y), ImVec2(x + 5, bar_a.y),
                                      ImVec2(x, bar_a.y + 7), with_alpha(pal.paused, dim));
                break;
            }
            const std::string num = std::to_string(sm->number);
            // Steps close in time go to the other row (two rows fit a lane); when both are
            // taken, the badge moves right until it is clear of the one before.
            int row = x - last_x[0] >= 2 * r + 3 ? 0 : x - last_x[1] >= 2 * r + 3 ? 1 : -1;
            if (row < 0) {
                row = last_x[0] <= last_x[1] ? 0 : 1;
                x = last_x[row] + 2 * r + 3;
            }
            last_x[row] = x;
            const ImVec2 c(x, bar_a.y + 1 + r + float(row) * (h - 2 - 2 * r));
            dl->AddLine(ImVec2(sx(m.t), bar_a.y), ImVec2(sx(m.t), bar_b.y),
                        with_alpha(pal.step_badge, dim), 1.5f);
            dl->AddCircleFilled(c, r, with_alpha(pal.step_badge, dim));
            if (sm->current) dl->AddCircle(c, r + 2.5f, pal.step_badge_current, 0, 2.5f);
            ImFont* f = ImGui::GetFont();
            const float fs = r * 1.5f;
            ImVec2 ts = f->CalcTextSizeA(fs, 1e9f, 0, num.c_str());
            dl->AddText(f, fs, ImVec2(c.x - ts.x / 2, c.y - ts.y / 2),
                        with_alpha(pal.step_badge_text, dim), num.c_str());
            if (std::abs(mouse.x - c.x) <= r && std::abs(mouse.y - c.y) <= r) hovered_step = sm;
            break;
        }
        default:
            break;
        }
    }
    dl->PopClipRect();
    if (!interactive) return;
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

float TimelineView::draw_run(ImDrawList* dl, ImVec2 a, float width, float label_w,
                             const RunView& rv, const TimeMap& map, Viewport vp, bool own_scale,
                             const TimelineText& text, float dim, bool interactive,
                             std::vector<DrawnText>* drawn) {
    const Palette& pal = palette();
    const lab::RunState& run = *rv.run;
    const float line = ImGui::GetTextLineHeight();
    const float big_h = text.big ? text.big->FontSize : line;
    const float header_h = big_h + line * 0.5f, axis_h = line * 1.3f;
    float y = a.y;
    const ImU32 accent = outcome_color(run.verdict.outcome, OutcomeUse::accent);
    RunView shown = rv;
    if (own_scale) shown.label += "  " + text.get("timeline.own-scale");
    header_.draw(dl, ImVec2(a.x, y), ImVec2(a.x + width, y + header_h), shown,
                 with_alpha(accent, dim), text.big, drawn);
    y += header_h + 2;
    const float bar_x0 = a.x + label_w, bar_x1 = a.x + width;
    vp.x0 = bar_x0;
    vp.x1 = bar_x1;
    auto sx = [&](double real_ms) { return vp.x(map.shown(real_ms)); };

    // The axis: its origin, and this run's own scale when it has one.
    axis_.draw(dl, ImVec2(bar_x0, y), ImVec2(bar_x1, y + axis_h), vp, map);
    {
        std::string note = text.get(map.origin() > 0 && run.timeline.main_end_ns() >= 0 &&
                                            std::abs(map.shown(map.origin())) < 1e-9
                                        ? "timeline.origin.main"
                                        : "timeline.origin.start");
        dl->PushClipRect(ImVec2(a.x, y), ImVec2(bar_x0 - 4, y + axis_h), true);
        dl->AddText(ImVec2(a.x + 6, y + 2), pal.hint, note.c_str());
        dl->PopClipRect();
        if (interactive && ImGui::IsMouseHoveringRect(ImVec2(a.x, y), ImVec2(bar_x1, y + axis_h)))
            tooltip(text.get("ui.timeline.hint"));
    }
    // Breaks, labelled with the time they hide, on the axis: in words when there is room,
    // else the span alone, else nothing (the next break's label would be covered).
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
            dl->AddText(ImVec2(cx, y + (axis_h - ts.y) / 2), pal.paused, label.c_str());
            label_end = cx + ts.x + 3;
            break;
        }
    }
    y += axis_h + 2;

    // The lanes.
    const float lanes_top = y;
    std::vector<std::pair<int, float>> lane_y; // tid → centre y
    for (const lab::Lane& lane : run.timeline.lanes()) {
        const std::vector<std::string> label = LaneRow::label_lines(lane, text, label_w - 10);
        const float lane_h = std::max(line * 2.3f, line * (float(label.size()) + 0.3f));
        lane_.draw(dl, ImVec2(a.x, y), ImVec2(bar_x0, y), ImVec2(bar_x1, y + lane_h - 3), lane, run,
                   vp, map, text, dim, rv.steps, label, interactive, drawn);
        lane_y.emplace_back(lane.tid, y + (lane_h - 3) / 2);
        y += lane_h;
    }
    const float top = lanes_top, bottom = y - 3;
    dl->PushClipRect(ImVec2(bar_x0, top - axis_h), ImVec2(bar_x1, y + line * 4), true);
    // The breaks across the lanes: zigzag edges over a veil.
    for (const TimeBreak& br : map.breaks()) {
        const float xa = vp.x(br.shown), xb = vp.x(br.shown + br.length);
        dl->AddRectFilled(ImVec2(xa, top), ImVec2(xb, bottom), with_alpha(pal.lane_bg, 0.75f));
        zigzag(dl, xa, top, bottom, pal.hint);
        zigzag(dl, xb, top, bottom, pal.hint);
    }
    auto centre = [&](int tid) {
        for (auto& [t, cy] : lane_y)
            if (t == tid) return cy;
        return -1.0f;
    };
    // Captions go beneath the lanes, never over the bars; a line joins each to its moment.
    struct Caption {
        float x;
        std::string text;
        ImU32 color;
        bool ghost = false;
    };
    std::vector<Caption> captions;
    auto vline = [&](double real_ms, ImU32 c, float thick, std::string caption) {
        const double t = map.shown(real_ms);
        if (t < vp.t0 || t > vp.t1) return;
        const float x = vp.x(t);
        dl->AddLine(ImVec2(x, top), ImVec2(x, bottom), with_alpha(c, dim), thick);
        if (!caption.empty()) captions.push_back({x, std::move(caption), c});
    };
    for (const lab::Marker& m : run.timeline.markers()) {
        if (m.kind != lab::MarkKind::shutdown_wait) continue;
        // The join arrow: main → the thread it waits for.
        const double t = map.shown(ms_since(run, m.t));
        float ya = centre(m.tid), yb = centre(m.target);
        if (ya < 0 || yb < 0 || t < vp.t0 || t > vp.t1) continue;
        float x = vp.x(t) + 4, dir = yb > ya ? 1.f : -1.f;
        ImU32 c = with_alpha(pal.join_arrow, dim);
        dl->AddLine(ImVec2(x, ya), ImVec2(x, yb - dir * 8), c, 2.5f);
        dl->AddTriangleFilled(ImVec2(x - 6, yb - dir * 10), ImVec2(x + 6, yb - dir * 10),
                              ImVec2(x, yb), c);
    }
    // atexit: where the registered handler is, and where it runs — or would have.
    std::vector<std::string> registered;
    bool ran = false;
    for (const lab::Marker& m : run.timeline.markers()) {
        const double t = ms_since(run, m.t);
        if (m.kind == lab::MarkKind::atexit_register) {
            registered.push_back(m.text);
            if (map.shown(t) >= vp.t0 && map.shown(t) <= vp.t1)
                captions.push_back({sx(t),
                                    text.format("timeline.atexit.register", {{"name", m.text}}),
                                    pal.main_end});
        }
        if (m.kind == lab::MarkKind::atexit) {
            ran = true;
            if (map.shown(t) >= vp.t0 && map.shown(t) <= vp.t1)
                captions.push_back(
                    {sx(t), text.format("timeline.atexit.run", {{"name", m.text}}), pal.exit_ok});
        }
    }
    if (run.timeline.main_end_ns() >= 0)
        vline(ms_since(run, run.timeline.main_end_ns()), pal.main_end, 2,
              text.get("marker.main-end"));
    const bool hung = run.verdict.outcome == lab::Outcome::hung;
    if (hung && run.verdict.hang_confirmed_ns >= 0)
        vline(ms_since(run, run.verdict.hang_confirmed_ns), pal.exit_bad, 1.5f,
              text.get("timeline.hang-confirmed"));
    const double end = run_end_ms(run);
    if (!run.alive && run.finished() && run.verdict.exit_seen_ns >= 0) {
        std::string key = "marker.exit";
        if (hung) {
            const lab::KilledBy by = run.verdict.killed_by.value_or(lab::KilledBy::hang);
            key = lab::hang_end_key(by);
        } else if (run.verdict.outcome == lab::Outcome::killed ||
                   run.verdict.outcome == lab::Outcome::timed_out)
            key = "timeline.end.killed";
        vline(ms_since(run, run.verdict.exit_seen_ns),
              run.verdict.outcome == lab::Outcome::exited ? pal.exit_ok : pal.exit_bad, 3,
              text.get(key));
    }
    // A hung run that registered an atexit handler: it would run after the join, which never
    // ends — a ghost just past the run's end.
    if (hung && !ran && !registered.empty()) {
        const float x = std::min(sx(end) + line * 0.8f, bar_x1 - line * 0.6f);
        const float cy = centre(run.timeline.lanes().empty() ? 0 : run.timeline.lanes()[0].tid);
        if (cy >= 0) {
            const float rr = line * 0.45f;
            for (int i = 0; i < 12; i += 2) // a dashed circle
                dl->PathArcTo(ImVec2(x, cy), rr, float(i) * 3.14159f / 6,
                              float(i + 1) * 3.14159f / 6),
                    dl->PathStroke(with_alpha(pal.main_end, dim), 0, 2);
        }
        captions.push_back({x, text.format("timeline.atexit.ghost", {{"name", registered.front()}}),
                            pal.main_end, true});
    }
    const bool live = run.alive || !run.finished();
    if (live) {
        vline(end, pal.now_line, 1, "");
        // The live counter: how long the interpreter has been waiting for whom.
        int waited = run.timeline.shutdown_waiting_for();
        if (waited < 0 && !run.verdict.waiting_on.empty()) waited = run.verdict.waiting_on.front();
        const lab::Lane* wl = waited >= 0 ? run.timeline.lane(waited) : nullptr;
        if (wl && run.timeline.shutdown_ns() >= 0) {
            const double since =
                end - ms_since(run, run.timeline.main_end_ns() >= 0 ? run.timeline.main_end_ns()
                                                                    : run.timeline.shutdown_ns());
            const std::string counter = text.format(
                "timeline.still-waiting", {{"thread", wl->name}, {"span", fmt_span(since)}});
            const ImVec2 ts = ImGui::CalcTextSize(counter.c_str());
            const float cy = centre(waited), x = sx(end);
            const float cx = std::max(bar_x0 + 4, x - ts.x - 8);
            const ImVec2 p(cx, cy - ts.y / 2);
            dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2),
                              pal.caption_plate, 4);
            dl->AddText(p, pal.exit_bad, counter.c_str());
            if (drawn)
                drawn->push_back({"counter", counter, rect4(p, ImVec2(p.x + ts.x, p.y + ts.y)),
                                  rect4(ImVec2(bar_x0, top), ImVec2(bar_x1, bottom))});
        }
    }
    dl->PopClipRect();

    // Lay the captions out beneath the lanes: centred on their moment, kept inside the bars,
    // a row lower when they would overlap.
    std::sort(captions.begin(), captions.end(),
              [](const Caption& l, const Caption& r) { return l.x < r.x; });
    std::vector<ImVec4> placed;
    float rows_h = 0;
    dl->ChannelsSplit(2);
    for (Caption& c : captions) {
        ImVec2 ts = ImGui::CalcTextSize(c.text.c_str());
        // Wider than the whole timeline (双语 at a large size): one language a line.
        if (ts.x > width - 8)
            for (std::size_t at = c.text.find(" / "); at != std::string::npos;
                 at = c.text.find(" / ", at))
                c.text.replace(at, 3, "\n");
        ts = ImGui::CalcTextSize(c.text.c_str());
        // Centred on its moment, kept inside the timeline (the label column too, if need
        // be), and lower down while it would cover one already placed.
        float cx = c.x - ts.x / 2;
        cx = std::clamp(cx, std::min(bar_x0 + 2, std::max(a.x + 2, bar_x1 - ts.x - 4)),
                        std::max(a.x + 2, bar_x1 - ts.x - 4));
        float cy = y + 2;
        for (bool moved = true; moved;) {
            moved = false;
            for (const ImVec4& p : placed)
                if (cx - 8 < p.z && cx + ts.x + 8 > p.x && cy < p.w && cy + ts.y + 2 > p.y) {
                    cy = p.w + 4;
                    moved = true;
                }
        }
        placed.emplace_back(cx - 3, cy, cx + ts.x + 3, cy + ts.y + 2);
        // The leader line behind every plate (channel 0), the plates and words on top.
        dl->ChannelsSetCurrent(0);
        dl->AddLine(ImVec2(c.x, bottom), ImVec2(c.x, cy), with_alpha(c.color, dim * 0.7f), 1);
        dl->ChannelsSetCurrent(1);
        dl->AddRectFilled(ImVec2(cx - 3, cy), ImVec2(cx + ts.x + 3, cy + ts.y + 2),
                          pal.caption_plate, 3);
        if (c.ghost)
            dl->AddRect(ImVec2(cx - 3, cy), ImVec2(cx + ts.x + 3, cy + ts.y + 2),
                        with_alpha(c.color, dim), 3, 0, 1);
        dl->AddText(ImVec2(cx, cy + 1), with_alpha(c.color, dim), c.text.c_str());
        if (drawn)
            drawn->push_back({"caption", c.text,
                              rect4(ImVec2(cx, cy), ImVec2(cx + ts.x, cy + ts.y)),
                              rect4(ImVec2(a.x, cy), ImVec2(a.x + width, cy + ts.y + 2))});
        rows_h = std::max(rows_h, cy + ts.y + 2 - y);
    }
    dl->ChannelsMerge();
    return y + rows_h + line * 0.4f;
}

float TimelineView::paint(ImDrawList* dl, ImVec2 a, float width, const RunView& current,
                          const RunView& previous, const TimelineText& text, bool interactive,
                          std::vector<DrawnText>* drawn) {
    const float line = ImGui::GetTextLineHeight();
    std::vector<const RunView*> runs;
    for (const RunView* rv : {&current, &previous})
        if (rv->run) runs.push_back(rv);
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
        y = draw_run(dl, ImVec2(a.x, y), width, label_w, *runs[i], maps[i], vp, own, text,
                     i == 0 ? 1.0f : 0.75f, interactive, drawn);
        if (i + 1 < runs.size()) y += line * 0.6f;
    }
    return y - a.y;
}

void TimelineView::draw(const RunView& current, const RunView& previous, const TimelineText& text,
                        float height) {
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
        if (io.MouseWheel != 0) {
            double at = vp_.t(io.MousePos.x), k = std::pow(0.85, io.MouseWheel);
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
    const float h = paint(dl, origin, avail.x, current, previous, text, true, &drawn_);
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
