#include "timeline_view.hpp"

#include "theme.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gui {
namespace {

double ms_since(const lab::RunState& run, std::int64_t ns) {
    return double(ns - run.spawned_ns) / 1e6;
}

// The run's right edge: now while it is live, its end once it has ended.
double end_ms(const lab::RunState& run) {
    std::int64_t end =
        run.finished() ? std::max(run.verdict.exit_seen_ns, run.timeline.last_ns()) : run.now_ns;
    return std::max(1.0, ms_since(run, end));
}

ImU32 with_alpha(ImU32 c, float a) {
    ImVec4 v = ImGui::ColorConvertU32ToFloat4(c);
    v.w *= a;
    return ImGui::ColorConvertFloat4ToU32(v);
}

std::string fmt_ms(double v) {
    char b[32];
    std::snprintf(b, sizeof b, v < 10 ? "%.2f" : v < 100 ? "%.1f" : "%.0f", v);
    return b;
}

} // namespace

ImU32 state_color(const lab::Segment& s) {
    const Palette& p = palette();
    switch (s.state) {
    case lab::ThreadState::running:
        return p.running;
    case lab::ThreadState::paused:
        return p.paused;
    case lab::ThreadState::done:
        return 0;
    case lab::ThreadState::blocked:
        break;
    }
    using lab::Wait;
    if (s.on == Wait::socket_read || s.on == Wait::ssl_read) return p.socket;
    if (s.on == Wait::message || s.on == Wait::event || s.on == Wait::condition ||
        s.on == Wait::queue_get)
        return p.message;
    if (s.on == Wait::join) return p.join;
    return p.other;
}

void AxisRow::draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const Viewport& vp) const {
    dl->AddRectFilled(a, b, palette().axis_bg);
    // A tick every 1, 2 or 5 × 10^k ms, about every 90 px.
    const double span = vp.t1 - vp.t0, target = span * 90.0 / std::max(1.0f, vp.x1 - vp.x0);
    double step = std::pow(10.0, std::floor(std::log10(std::max(target, 1e-6))));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (step * m >= target) {
            step *= m;
            break;
        }
    for (double t = std::ceil(vp.t0 / step) * step + 0.0; t <= vp.t1; t += step) {
        if (std::abs(t) < step * 1e-6) t = 0; // not "-0.00"
        float x = vp.x(t);
        dl->AddLine(ImVec2(x, b.y - 6), ImVec2(x, b.y), palette().tick);
        std::string label = fmt_ms(t) + " ms";
        dl->AddText(ImVec2(x + 3, a.y + 2), palette().axis_text, label.c_str());
    }
}

void RunHeaderRow::draw(ImDrawList* dl, ImVec2 a, ImVec2 b, const std::string& label,
                        ImU32 color) const {
    dl->AddRectFilled(a, b, palette().header_bg);
    dl->AddRectFilled(a, ImVec2(a.x + 4, b.y), color);
    dl->AddText(ImVec2(a.x + 10, a.y + (b.y - a.y - ImGui::GetTextLineHeight()) / 2),
                palette().header_text, label.c_str());
}

void LaneRow::draw(ImDrawList* dl, ImVec2 label_a, ImVec2 bar_a, ImVec2 bar_b,
                   const lab::Lane& lane, const lab::RunState& run, const Viewport& vp,
                   const TimelineText& text, float dim, const std::vector<StepMark>& steps) const {
    const Palette& pal = palette();
    const float h = bar_b.y - bar_a.y;
    // Label: the name, and a badge saying daemon or not (and why, on hover).
    const bool main_thread = lane.is_main();
    dl->AddText(ImVec2(label_a.x + 6, label_a.y + 2), with_alpha(pal.lane_text, dim),
                lane.name.c_str());
    std::string badge = main_thread ? text.get("daemon.main")
                                    : lab::describe_daemon(lane, *text.strings, text.lang);
    ImU32 badge_col = lane.daemon ? pal.badge_daemon : pal.badge_non_daemon;
    dl->AddText(ImVec2(label_a.x + 6, label_a.y + 2 + ImGui::GetTextLineHeight()),
                with_alpha(badge_col, dim), badge.c_str());

    dl->AddRectFilled(bar_a, bar_b, pal.lane_bg);
    const double run_end = end_ms(run);
    const lab::Segment* hovered = nullptr;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (const lab::Segment& s : lane.segments) {
        ImU32 c = state_color(s);
        if (!c) continue;
        double a = ms_since(run, s.t0), b = s.t1 < 0 ? run_end : ms_since(run, s.t1);
        if (b < vp.t0 || a > vp.t1) continue;
        float xa = std::max(bar_a.x, vp.x(a)), xb = std::min(bar_b.x, std::max(vp.x(b), xa + 1.5f));
        float pad = s.state == lab::ThreadState::running ? 3 : 6;
        dl->AddRectFilled(ImVec2(xa, bar_a.y + pad), ImVec2(xb, bar_b.y - pad), with_alpha(c, dim),
                          2);
        if (mouse.x >= xa && mouse.x < xb && mouse.y >= bar_a.y && mouse.y < bar_b.y) hovered = &s;
    }
    // Point events of this thread.
    const StepMark* hovered_step = nullptr;
    float last_badge_x = -1e9f;
    int badge_row = 0;
    for (const lab::Marker& m : run.timeline.markers()) {
        if (m.tid != lane.tid) continue;
        double t = ms_since(run, m.t);
        if (t < vp.t0 || t > vp.t1) continue;
        float x = vp.x(t), cy = bar_a.y + h / 2;
        switch (m.kind) {
        case lab::MarkKind::connected:
            dl->AddQuadFilled(ImVec2(x, cy - 7), ImVec2(x + 7, cy), ImVec2(x, cy + 7),
                              ImVec2(x - 7, cy), with_alpha(pal.connected, dim));
            break;
        case lab::MarkKind::message:
            dl->AddCircleFilled(ImVec2(x, cy), 5, with_alpha(pal.message_dot, dim));
            break;
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
            const float r = std::max(7.0f, ImGui::GetTextLineHeight() * 0.45f);
            // Steps close in time: the next badge goes a row lower (two rows fit a lane).
            badge_row = x - last_badge_x < 2 * r + 2 ? (badge_row + 1) % 2 : 0;
            last_badge_x = x;
            const ImVec2 c(x, bar_a.y + r + float(badge_row) * (2 * r + 1));
            dl->AddLine(ImVec2(x, bar_a.y), ImVec2(x, bar_b.y), with_alpha(pal.step_badge, dim),
                        1.5f);
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
    if (hovered_step) {
        ImGui::SetTooltip("%s", text.strings
                                    ->format("ui.tip.step", text.lang,
                                             {{"n", std::to_string(hovered_step->number)},
                                              {"pause", hovered_step->pause},
                                              {"at", fmt_ms(ms_since(run, hovered_step->t_ns))}})
                                    .c_str());
    } else if (hovered) {
        double a = ms_since(run, hovered->t0),
               b = hovered->t1 < 0 ? run_end : ms_since(run, hovered->t1);
        std::string tip = text.strings->format(
            "ui.tip.segment", text.lang,
            {{"state", lab::describe_wait(*hovered, run.timeline, *text.strings, text.lang)},
             {"from", fmt_ms(a)},
             {"to", fmt_ms(b)},
             {"dur", fmt_ms(b - a)}});
        ImGui::SetTooltip("%s — %s", lane.name.c_str(), tip.c_str());
    } else if (mouse.x >= label_a.x && mouse.x < bar_a.x && mouse.y >= bar_a.y &&
               mouse.y < bar_b.y) {
        ImGui::SetTooltip(
            "%s", text.strings
                      ->format("ui.tip.lane", text.lang,
                               {{"name", lane.name},
                                {"daemon", lab::describe_daemon(lane, *text.strings, text.lang)},
                                {"creator", lane.creator.empty() ? "—" : lane.creator}})
                      .c_str());
    }
}

float TimelineView::draw_run(ImDrawList* dl, float y, const RunView& rv, const TimelineText& text,
                             float dim, bool live) {
    const Palette& pal = palette();
    const lab::RunState& run = *rv.run;
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = ImGui::GetContentRegionAvail().x;
    const float line = ImGui::GetTextLineHeight();
    const float label_w = std::min(width * 0.32f, line * 17);
    const float header_h = line * 1.4f, lane_h = line * 2.3f;
    ImU32 accent = run.verdict.outcome == lab::Outcome::hung      ? pal.accent_hung
                   : run.verdict.outcome == lab::Outcome::exited  ? pal.accent_exited
                   : run.verdict.outcome == lab::Outcome::running ? pal.accent_running
                                                                  : pal.accent_other;
    header_.draw(dl, ImVec2(origin.x, y), ImVec2(origin.x + width, y + header_h), rv.label,
                 with_alpha(accent, dim));
    y += header_h + 2;
    const float bar_x0 = origin.x + label_w, bar_x1 = origin.x + width;
    vp_.x0 = bar_x0;
    vp_.x1 = bar_x1;
    std::vector<std::pair<int, float>> lane_y; // tid → centre y
    for (const lab::Lane& lane : run.timeline.lanes()) {
        lane_.draw(dl, ImVec2(origin.x, y), ImVec2(bar_x0, y), ImVec2(bar_x1, y + lane_h - 3), lane,
                   run, vp_, text, dim, rv.steps);
        lane_y.emplace_back(lane.tid, y + (lane_h - 3) / 2);
        y += lane_h;
    }
    const float top = y - lane_h * float(run.timeline.lanes().size()), bottom = y - 3;
    std::vector<ImVec4> plates; // captions drawn so far (x0, y0, x1, y1)
    auto vline = [&](double t, ImU32 c, float thick, const char* caption) {
        if (t < vp_.t0 || t > vp_.t1) return;
        float x = vp_.x(t);
        dl->AddLine(ImVec2(x, top), ImVec2(x, bottom), with_alpha(c, dim), thick);
        if (caption) { // inside the lanes, on a plate, flipped left near the right edge
            ImVec2 size = ImGui::CalcTextSize(caption);
            float cx = x + 4 + size.x > vp_.x1 ? x - 4 - size.x : x + 4;
            float y1 = bottom;
            // One above the other when two captions would overlap.
            for (bool moved = true; moved;) {
                moved = false;
                for (const ImVec4& p : plates)
                    if (cx - 2 < p.z && cx + size.x + 2 > p.x && y1 - size.y - 2 < p.w &&
                        y1 > p.y) {
                        y1 = p.y - 1;
                        moved = true;
                    }
            }
            plates.emplace_back(cx - 2, y1 - size.y - 2, cx + size.x + 2, y1);
            dl->AddRectFilled(ImVec2(cx - 2, y1 - size.y - 2), ImVec2(cx + size.x + 2, y1),
                              pal.caption_plate, 3);
            dl->AddText(ImVec2(cx, y1 - size.y - 1), with_alpha(c, dim), caption);
        }
    };
    auto centre = [&](int tid) {
        for (auto& [t, cy] : lane_y)
            if (t == tid) return cy;
        return -1.0f;
    };
    std::string main_end = text.get("marker.main-end"), exit = text.get("marker.exit");
    for (const lab::Marker& m : run.timeline.markers()) {
        double t = ms_since(run, m.t);
        if (m.kind == lab::MarkKind::main_end) vline(t, pal.main_end, 1.5f, nullptr);
        if (m.kind ==
            lab::MarkKind::shutdown_wait) { // the join arrow: main → the thread it waits for
            float ya = centre(m.tid), yb = centre(m.target);
            if (ya < 0 || yb < 0 || t < vp_.t0 || t > vp_.t1) continue;
            float x = vp_.x(t) + 4, dir = yb > ya ? 1.f : -1.f;
            ImU32 c = with_alpha(pal.join_arrow, dim);
            dl->AddLine(ImVec2(x, ya), ImVec2(x, yb - dir * 8), c, 2.5f);
            dl->AddTriangleFilled(ImVec2(x - 6, yb - dir * 10), ImVec2(x + 6, yb - dir * 10),
                                  ImVec2(x, yb), c);
        }
    }
    if (run.timeline.main_end_ns() >= 0)
        vline(ms_since(run, run.timeline.main_end_ns()), pal.main_end, 1.5f, main_end.c_str());
    if (run.finished() && run.verdict.exit_seen_ns >= 0)
        vline(ms_since(run, run.verdict.exit_seen_ns),
              run.verdict.outcome == lab::Outcome::exited ? pal.exit_ok : pal.exit_bad, 3,
              exit.c_str());
    if (live) vline(end_ms(run), pal.now_line, 1, nullptr); // "now"
    return y + line * 0.5f;
}

void TimelineView::draw(const RunView& current, const RunView& previous, const TimelineText& text) {
    // The wheel zooms time; the scrollbar (when the runs are taller than the pane) scrolls.
    ImGui::BeginChild("timeline", ImVec2(0, 0), false, ImGuiWindowFlags_NoScrollWithMouse);
    rect_min_ = ImGui::GetWindowPos();
    rect_max_ =
        ImVec2(rect_min_.x + ImGui::GetWindowWidth(), rect_min_.y + ImGui::GetWindowHeight());
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const ImVec2 avail(ImGui::GetContentRegionAvail().x, ImGui::GetWindowHeight());
    const bool live = current.run && !current.run->finished();

    if (vp_.follow) { // show everything: both runs, up to now
        double span = 50;
        if (current.run) span = std::max(span, end_ms(*current.run));
        if (previous.run) span = std::max(span, end_ms(*previous.run));
        // From the first event (the demo may trace before the host noted the spawn), with
        // a little room so a badge at the start shows whole.
        double first = 0;
        for (const RunView* rv : {&current, &previous})
            if (rv->run && rv->run->timeline.first_ns() >= 0)
                first = std::min(first, ms_since(*rv->run, rv->run->timeline.first_ns()));
        vp_.t0 = first - (span - first) * 0.015;
        vp_.t1 = span * 1.06;
    }
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
    const float line = ImGui::GetTextLineHeight();
    float y = origin.y;
    {
        const float label_w = std::min(avail.x * 0.32f, line * 17);
        vp_.x0 = origin.x + label_w;
        vp_.x1 = origin.x + avail.x;
        axis_.draw(dl, ImVec2(vp_.x0, y), ImVec2(vp_.x1, y + line * 1.3f), vp_);
        std::string hint = text.get("ui.timeline.hint");
        dl->PushClipRect(ImVec2(origin.x, y), ImVec2(vp_.x0 - 4, y + line * 1.3f), true);
        dl->AddText(ImVec2(origin.x + 4, y + 2), palette().hint, hint.c_str());
        dl->PopClipRect();
        y += line * 1.9f;
    }
    dl->PushClipRect(origin, ImVec2(origin.x + avail.x, origin.y + avail.y), true);
    if (current.run) y = draw_run(dl, y, current, text, 1.0f, live) + line * 1.2f;
    if (previous.run) y = draw_run(dl, y, previous, text, 0.75f, false);
    dl->PopClipRect();
    // Room for everything drawn, so the scrollbar reaches the last lane.
    ImGui::SetCursorScreenPos(ImVec2(origin.x, std::max(origin.y, y - ImGui::GetScrollY())));
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
    for (const Item& it : items) {
        ImVec2 pos = ImGui::GetCursorScreenPos();
        float s = ImGui::GetTextLineHeight();
        dl->AddRectFilled(ImVec2(pos.x, pos.y + s * 0.2f),
                          ImVec2(pos.x + s * 1.4f, pos.y + s * 0.8f), it.c, 2);
        ImGui::Dummy(ImVec2(s * 1.6f, s));
        ImGui::SameLine();
        ImGui::TextUnformatted(text.get(it.key).c_str());
        ImGui::SameLine(0, s);
    }
    ImGui::NewLine();
}

} // namespace gui
