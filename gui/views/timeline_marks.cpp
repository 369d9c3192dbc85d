// What the timeline draws across a run's lanes (MarkLayer): the breaks' veils, the join
// arrow from main to the thread it waits for, main's end, the hang's confirmation, the exit,
// atexit's handler (or its ghost), the live "now" line and counter; and the captions beneath
// the lanes, laid out so that none covers another.
#include "gui/text/theme.hpp"
#include "gui/views/timeline_context.hpp"

#include <algorithm>
#include <cmath>

namespace gui {

float MarkLayer::draw(const TimelineContext& ctx, float top, float y, const LaneCentres& lanes) {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const lab::RunState& run = *ctx.run;
    const float bottom = y - 3, line = ctx.line;
    top_ = top;
    bottom_ = bottom;
    captions_.clear();
    dl->PushClipRect(ImVec2(ctx.bar_x0(), top - line * 1.3f), ImVec2(ctx.bar_x1(), y + line * 4),
                     true);
    // The breaks across the lanes: zigzag edges over a veil.
    for (const TimeBreak& br : map.breaks()) {
        const float xa = vp.x(br.shown), xb = vp.x(br.shown + br.length);
        dl->AddRectFilled(ImVec2(xa, top), ImVec2(xb, bottom), with_alpha(pal.lane_bg, 0.75f));
        zigzag(dl, xa, top, bottom, pal.hint);
        zigzag(dl, xb, top, bottom, pal.hint);
    }
    join_arrows(ctx, lanes);
    atexit_and_end(ctx, lanes);
    if (run.alive || !run.finished()) {
        vline(ctx, run_end_ms(run), pal.now_line, 1, "");
        counter(ctx, lanes);
    }
    dl->PopClipRect();
    return lay_out(ctx, y);
}

// A line across the lanes at a moment, with its caption beneath them.
void MarkLayer::vline(const TimelineContext& ctx, double real_ms, ImU32 c, float thick,
                      std::string caption) {
    const double t = ctx.map->shown(real_ms);
    if (t < ctx.vp.t0 || t > ctx.vp.t1) return;
    const float x = ctx.vp.x(t);
    ctx.dl->AddLine(ImVec2(x, top_), ImVec2(x, bottom_), with_alpha(c, ctx.dim), thick);
    if (!caption.empty()) captions_.push_back({x, std::move(caption), c});
}

void MarkLayer::join_arrows(const TimelineContext& ctx, const LaneCentres& lanes) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const float dim = ctx.dim;
    for (const lab::Marker& m : run.timeline.markers()) {
        if (m.kind != lab::MarkKind::shutdown_wait) continue;
        // The join arrow: main → the thread it waits for.
        const double t = map.shown(ms_since(run, m.t));
        float ya = lanes.of(m.tid), yb = lanes.of(m.target);
        if (ya < 0 || yb < 0 || t < vp.t0 || t > vp.t1) continue;
        float x = vp.x(t) + 4, dir = yb > ya ? 1.f : -1.f;
        ImU32 c = with_alpha(pal.join_arrow, dim);
        dl->AddLine(ImVec2(x, ya), ImVec2(x, yb - dir * 8), c, 2.5f);
        dl->AddTriangleFilled(ImVec2(x - 6, yb - dir * 10), ImVec2(x + 6, yb - dir * 10),
                              ImVec2(x, yb), c);
    }
}

void MarkLayer::atexit_and_end(const TimelineContext& ctx, const LaneCentres& lanes) {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const TimelineText& text = *ctx.text;
    const float dim = ctx.dim;
    const float line = ctx.line, bar_x1 = ctx.bar_x1();
    auto sx = [&](double real_ms) { return vp.x(map.shown(real_ms)); };
    // atexit: where the registered handler is, and where it runs — or would have.
    std::vector<std::string> registered;
    bool ran = false;
    for (const lab::Marker& m : run.timeline.markers()) {
        const double t = ms_since(run, m.t);
        if (m.kind == lab::MarkKind::atexit_register) {
            registered.push_back(m.text);
            if (map.shown(t) >= vp.t0 && map.shown(t) <= vp.t1)
                captions_.push_back({sx(t),
                                     text.format("timeline.atexit.register", {{"name", m.text}}),
                                     pal.main_end});
        }
        if (m.kind == lab::MarkKind::atexit) {
            ran = true;
            if (map.shown(t) >= vp.t0 && map.shown(t) <= vp.t1)
                captions_.push_back(
                    {sx(t), text.format("timeline.atexit.run", {{"name", m.text}}), pal.exit_ok});
        }
    }
    if (run.timeline.main_end_ns() >= 0)
        vline(ctx, ms_since(run, run.timeline.main_end_ns()), pal.main_end, 2,
              text.get("marker.main-end"));
    const bool hung = run.verdict.outcome == lab::Outcome::hung;
    if (hung && run.verdict.hang_confirmed_ns >= 0)
        vline(ctx, ms_since(run, run.verdict.hang_confirmed_ns), pal.exit_bad, 1.5f,
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
        vline(ctx, ms_since(run, run.verdict.exit_seen_ns),
              run.verdict.outcome == lab::Outcome::exited ? pal.exit_ok : pal.exit_bad, 3,
              text.get(key));
    }
    // A hung run that registered an atexit handler: it would run after the join, which never
    // ends — a ghost just past the run's end.
    if (hung && !ran && !registered.empty()) {
        const float x = std::min(sx(end) + line * 0.8f, bar_x1 - line * 0.6f);
        const float cy = lanes.of(run.timeline.lanes().empty() ? 0 : run.timeline.lanes()[0].tid);
        if (cy >= 0) {
            const float rr = line * 0.45f;
            for (int i = 0; i < 12; i += 2) // a dashed circle
                dl->PathArcTo(ImVec2(x, cy), rr, float(i) * 3.14159f / 6,
                              float(i + 1) * 3.14159f / 6),
                    dl->PathStroke(with_alpha(pal.main_end, dim), 0, 2);
        }
        captions_.push_back({x,
                             text.format("timeline.atexit.ghost", {{"name", registered.front()}}),
                             pal.main_end, true});
    }
}

// The live counter: how long the interpreter has been waiting for whom.
void MarkLayer::counter(const TimelineContext& ctx, const LaneCentres& lanes) const {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const lab::RunState& run = *ctx.run;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const TimelineText& text = *ctx.text;
    const float bar_x0 = ctx.bar_x0(), bar_x1 = ctx.bar_x1();
    const double end = run_end_ms(run);
    auto sx = [&](double real_ms) { return vp.x(map.shown(real_ms)); };
    int waited = run.timeline.shutdown_waiting_for();
    if (waited < 0 && !run.verdict.waiting_on.empty()) waited = run.verdict.waiting_on.front();
    const lab::Lane* wl = waited >= 0 ? run.timeline.lane(waited) : nullptr;
    if (wl && run.timeline.shutdown_ns() >= 0) {
        const double since =
            end - ms_since(run, run.timeline.main_end_ns() >= 0 ? run.timeline.main_end_ns()
                                                                : run.timeline.shutdown_ns());
        const std::string counter = text.format("timeline.still-waiting",
                                                {{"thread", wl->name}, {"span", fmt_span(since)}});
        const ImVec2 ts = ImGui::CalcTextSize(counter.c_str());
        const float cy = lanes.of(waited), x = sx(end);
        const float cx = std::max(bar_x0 + 4, x - ts.x - 8);
        const ImVec2 p(cx, cy - ts.y / 2);
        dl->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + ts.x + 4, p.y + ts.y + 2),
                          pal.caption_plate, 4);
        dl->AddText(p, pal.exit_bad, counter.c_str());
        ctx.note("counter", counter, rect4(p, ImVec2(p.x + ts.x, p.y + ts.y)),
                 rect4(ImVec2(bar_x0, top_), ImVec2(bar_x1, bottom_)));
    }
}

float MarkLayer::lay_out(const TimelineContext& ctx, float y) {
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const ImVec2 a(ctx.left, y);
    const float width = ctx.width, dim = ctx.dim, bar_x0 = ctx.bar_x0(), bar_x1 = ctx.bar_x1();
    // Lay the captions out beneath the lanes: centred on their moment, kept inside the bars,
    // a row lower when they would overlap.
    std::sort(captions_.begin(), captions_.end(),
              [](const Caption& l, const Caption& r) { return l.x < r.x; });
    std::vector<ImVec4> placed;
    float rows_h = 0;
    dl->ChannelsSplit(2);
    for (Caption& c : captions_) {
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
        dl->AddLine(ImVec2(c.x, bottom_), ImVec2(c.x, cy), with_alpha(c.color, dim * 0.7f), 1);
        dl->ChannelsSetCurrent(1);
        dl->AddRectFilled(ImVec2(cx - 3, cy), ImVec2(cx + ts.x + 3, cy + ts.y + 2),
                          pal.caption_plate, 3);
        if (c.ghost)
            dl->AddRect(ImVec2(cx - 3, cy), ImVec2(cx + ts.x + 3, cy + ts.y + 2),
                        with_alpha(c.color, dim), 3, 0, 1);
        dl->AddText(ImVec2(cx, cy + 1), with_alpha(c.color, dim), c.text.c_str());
        ctx.note("caption", c.text, rect4(ImVec2(cx, cy), ImVec2(cx + ts.x, cy + ts.y)),
                 rect4(ImVec2(a.x, cy), ImVec2(a.x + width, cy + ts.y + 2)));
        rows_h = std::max(rows_h, cy + ts.y + 2 - y);
    }
    dl->ChannelsMerge();
    return y + rows_h + ctx.line * 0.4f;
}

} // namespace gui
