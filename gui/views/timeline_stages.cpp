// The exit's stages along the time axis (StageRow): CPython's exit sequence as the run went
// through it — main, threading's exit hooks, the join of the non-daemon threads, the atexit
// handlers, finalization — one band each, beneath the run's captions. The stages and where
// they begin come from lab::stage_spans (chain.hpp), as the terminal's H/J/A/X marks do.
#include "gui/text/theme.hpp"
#include "gui/text/widgets.hpp"
#include "gui/views/timeline_context.hpp"

#include "lab/model/chain.hpp"

#include <algorithm>

namespace gui {

namespace {

ImU32 stage_color(lab::Stage s) {
    const Palette& p = palette();
    switch (s) {
    case lab::Stage::main:
        return p.running;
    case lab::Stage::hooks:
        return p.other;
    case lab::Stage::join:
        return p.join;
    case lab::Stage::atexit:
        return p.main_end;
    case lab::Stage::finalize:
        return p.exit_ok;
    }
    return p.hint;
}

// A label too wide for `width`: one language a line.
std::string fit_lines(std::string s, float width) {
    if (ImGui::CalcTextSize(s.c_str()).x <= width) return s;
    for (std::size_t at = s.find(" / "); at != std::string::npos; at = s.find(" / ", at))
        s.replace(at, 3, "\n");
    return s;
}

} // namespace

std::vector<StageRow::Band> StageRow::bands(const TimelineContext& ctx) {
    const lab::RunState& run = *ctx.run;
    std::vector<Band> out;
    if (run.timeline.main_end_ns() < 0) return out; // no exit yet: nothing to show
    const double end = run_end_ms(run);
    for (const lab::StageSpan& sp : lab::stage_spans(run.timeline)) {
        const double t0 = ms_since(run, sp.t0), t1 = sp.t1 < 0 ? end : ms_since(run, sp.t1);
        if (!out.empty() && out.back().stage == sp.stage) { // another hook or handler
            out.back().t1 = std::max(out.back().t1, t1);
            if (!sp.hook.empty()) out.back().hooks.push_back(sp.hook);
            continue;
        }
        Band b{sp.stage, t0, std::max(t0, t1), {}};
        if (!sp.hook.empty()) b.hooks.push_back(sp.hook);
        out.push_back(std::move(b));
    }
    return out;
}

float StageRow::draw(const TimelineContext& ctx, float y) const {
    const std::vector<Band> all = bands(ctx);
    if (all.empty()) return y;
    const Palette& pal = palette();
    ImDrawList* dl = ctx.dl;
    const TimeMap& map = *ctx.map;
    const Viewport& vp = ctx.vp;
    const TimelineText& text = *ctx.text;
    const float line = ctx.line, h = line * 1.3f, x0 = ctx.bar_x0(), x1 = ctx.bar_x1();
    // The row's title in the label column.
    const std::string title = fit_lines(text.get("timeline.stages"), x0 - ctx.left - 10);
    const ImVec2 ts = ImGui::CalcTextSize(title.c_str());
    const ImVec2 tp(ctx.left + 6, y + std::max(0.f, (h - ts.y) / 2));
    dl->AddText(tp, with_alpha(pal.lane_text, ctx.dim), title.c_str());
    ctx.note("stage-title", title, rect4(tp, ImVec2(tp.x + ts.x, tp.y + ts.y)),
             rect4(ImVec2(ctx.left, y), ImVec2(x0, y + std::max(h, ts.y))));
    dl->AddRectFilled(ImVec2(x0, y), ImVec2(x1, y + h), pal.lane_bg);
    // The bands, each labelled inside when it fits; else beneath, a row lower while it would
    // cover a label placed already, with a leader line up to its band.
    std::vector<ImVec4> placed;
    float below = y + h;
    const Band* hovered = nullptr;
    const ImVec2 mouse = ctx.mouse();
    for (const Band& b : all) {
        const double s0 = map.shown(b.t0), s1 = map.shown(b.t1);
        if (s1 < vp.t0 || s0 > vp.t1) continue;
        const float xa = std::max(x0, vp.x(s0)), xb = std::min(x1, std::max(vp.x(s1), xa + 2));
        const ImU32 c = stage_color(b.stage);
        dl->AddRectFilled(ImVec2(xa, y + 1), ImVec2(xb, y + h - 1), with_alpha(c, ctx.dim * 0.35f));
        dl->AddLine(ImVec2(xa, y), ImVec2(xa, y + h), with_alpha(c, ctx.dim), 2);
        if (mouse.x >= xa && mouse.x <= xb && mouse.y >= y && mouse.y <= y + h) hovered = &b;
        const std::string label =
            text.get("timeline.stage." + std::string(lab::to_string(b.stage)));
        const ImVec2 ls = ImGui::CalcTextSize(label.c_str());
        if (ls.x + 8 <= xb - xa) {
            const ImVec2 p((xa + xb - ls.x) / 2, y + (h - ls.y) / 2);
            dl->AddText(p, with_alpha(pal.lane_text, ctx.dim), label.c_str());
            ctx.note("stage", label, rect4(p, ImVec2(p.x + ls.x, p.y + ls.y)),
                     rect4(ImVec2(xa, y), ImVec2(xb, y + h)));
            continue;
        }
        const std::string shown = fit_lines(label, x1 - ctx.left - 8);
        const ImVec2 ss = ImGui::CalcTextSize(shown.c_str());
        const float mid = (xa + xb) / 2;
        const float cx =
            std::clamp(mid - ss.x / 2, std::min(x0 + 2, std::max(ctx.left + 2, x1 - ss.x - 4)),
                       std::max(ctx.left + 2, x1 - ss.x - 4));
        float cy = y + h + 3;
        for (bool moved = true; moved;) {
            moved = false;
            for (const ImVec4& p : placed)
                if (cx - 6 < p.z && cx + ss.x + 6 > p.x && cy < p.w && cy + ss.y + 2 > p.y) {
                    cy = p.w + 3;
                    moved = true;
                }
        }
        placed.emplace_back(cx - 3, cy, cx + ss.x + 3, cy + ss.y + 2);
        dl->AddLine(ImVec2(mid, y + h), ImVec2(mid, cy), with_alpha(c, ctx.dim * 0.8f), 1);
        dl->AddRectFilled(ImVec2(cx - 3, cy), ImVec2(cx + ss.x + 3, cy + ss.y + 2),
                          pal.caption_plate, 3);
        dl->AddRect(ImVec2(cx - 3, cy), ImVec2(cx + ss.x + 3, cy + ss.y + 2),
                    with_alpha(c, ctx.dim), 3, 0, 1);
        dl->AddText(ImVec2(cx, cy + 1), with_alpha(pal.lane_text, ctx.dim), shown.c_str());
        ctx.note("stage", shown, rect4(ImVec2(cx, cy), ImVec2(cx + ss.x, cy + ss.y)),
                 rect4(ImVec2(ctx.left, cy), ImVec2(x1, cy + ss.y + 2)));
        below = std::max(below, cy + ss.y + 2);
    }
    if (hovered) {
        std::string tip =
            text.get("timeline.stage." + std::string(lab::to_string(hovered->stage))) + " — " +
            fmt_span(hovered->t1 - hovered->t0);
        for (const std::string& hook : hovered->hooks) tip += "\n  " + hook;
        tooltip(tip);
    }
    return std::max(below, tp.y + ts.y) + line * 0.4f;
}

} // namespace gui
