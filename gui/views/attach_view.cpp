#include "gui/views/attach_view.hpp"

#include "gui/text/widgets.hpp"
#include "lab/model/sanitize.hpp"
#include "lab/model/verdict.hpp"

#include <cstdio>
#include <imgui.h>

namespace gui {

AttachView::~AttachView() {
    if (worker_.joinable()) worker_.join(); // a sample ends within its time-out (2 s)
}

void AttachView::open() {
    open_ = true;
    list();
}

void AttachView::open(int pid) {
    open();
    pick(pid);
}

bool AttachView::settled() const {
    std::lock_guard lock(mu_);
    return pid_ >= 0 && !busy_ && !arrived_ && (samples_ > 0 || !error_.empty());
}

nlohmann::json AttachView::describe() const {
    nlohmann::json threads = nlohmann::json::array();
    for (const lab::Lane& l : acc_.timeline.lanes())
        threads.push_back({{"name", l.name},
                           {"daemon", l.daemon},
                           {"state", l.current() ? std::string(trace::name(l.current()->state))
                                                 : std::string("unknown")}});
    return {{"open", open_},
            {"pid", pid_ >= 0 ? nlohmann::json(pid_) : nlohmann::json(nullptr)},
            {"samples", samples_},
            {"stage", last_ ? nlohmann::json(std::string(lab::to_string(last_->stage)))
                            : nlohmann::json(nullptr)},
            {"error", error_.empty() ? nlohmann::json(nullptr) : nlohmann::json(error_)},
            {"threads", threads}};
}

void AttachView::list() {
    processes_ = lab::python_processes();
}

void AttachView::pick(int pid) {
    pid_ = pid;
    acc_ = lab::RunState{};
    last_.reset();
    error_.clear();
    samples_ = 0;
    sample();
}

void AttachView::sample() {
    std::lock_guard lock(mu_);
    if (busy_ || pid_ < 0) return;
    busy_ = true;
    if (worker_.joinable()) worker_.join();
    worker_ = std::thread([this, pid = pid_] {
        lab::AttachResult r = lab::attach(pid); // the CLI's limits (attach.hpp)
        {
            std::lock_guard l(mu_);
            arrived_ = std::move(r);
            busy_ = false;
        }
        if (wake_) wake_();
    });
}

// A sample adds its thread states to the timeline; the stage's markers once each.
void AttachView::take(lab::AttachResult r) {
    if (r.status != lab::AttachStatus::ok || r.target.pid != pid_) {
        error_ = r.error;
        auto_refresh_ = auto_refresh_ && r.status == lab::AttachStatus::timed_out;
        return;
    }
    error_.clear();
    lab::TraceReader reader;
    reader.feed(r.trace, [&](lab::TraceEvent e) {
        if (e.kind && *e.kind != trace::Kind::thread && *e.kind != trace::Kind::state &&
            *e.kind != trace::Kind::process)
            for (const lab::Marker& m : acc_.timeline.markers())
                if (m.kind == *e.kind) return;
        acc_.timeline.apply(e);
    });
    if (samples_++ == 0) acc_.spawned_ns = acc_.timeline.first_ns();
    acc_.stacks = r.state.stacks;
    acc_.options = r.state.options;
    acc_.python = r.state.python;
    acc_.now_ns = acc_.timeline.last_ns();
    acc_.pid = pid_;
    acc_.alive = true;
    last_ = std::move(r);
}

double AttachView::frame_interval() const {
    return open_ && (auto_refresh_ || busy_) ? 0.25 : 0;
}

void AttachView::explanation(const TimelineText& text) {
    const lab::AttachResult& r = *last_;
    for (lab::Lang l : text.langs) {
        section(text.strings->get("attach.stage", l) + ": " +
                lab::attach_stage_text(r, *text.strings, l));
        text_wrapped(text.strings->get("cli.verdict", l) + ": " +
                     lab::headline(r.state.verdict, r.state.timeline, *text.strings, l));
        std::vector<std::string> lines =
            lab::explanation(r.state.verdict, r.state.timeline, *text.strings, l, &r.state.stacks);
        for (std::string& n : lab::attach_notes(r, *text.strings, l)) lines.push_back(n);
        for (const std::string& line : lines) text_wrapped("• " + lab::terminal_safe(line));
    }
}

void AttachView::window(const TimelineText& text) {
    if (!open_) return;
    {
        std::lock_guard lock(mu_);
        if (arrived_) {
            take(std::move(*arrived_));
            arrived_.reset();
        }
    }
    const lab::Strings& s = *text.strings;
    const double now = ImGui::GetTime();
    if (auto_refresh_ && !busy_ && now >= next_at_) {
        next_at_ = now + 1.0;
        sample();
    }
    ImGui::SetNextWindowSize(ImVec2(1000, 700), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(text.get("ui.attach.title").c_str(), &open_)) {
        ImGui::End();
        return;
    }
    if (ImGui::Button(text.get("ui.attach.list").c_str())) list();
    ImGui::SameLine();
    ImGui::BeginDisabled(pid_ < 0 || busy_);
    if (ImGui::Button(text.get("ui.attach.again").c_str())) sample();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::Checkbox(text.get("ui.attach.auto").c_str(), &auto_refresh_);
    if (busy_) {
        ImGui::SameLine();
        ImGui::TextUnformatted(text.get("ui.attach.busy").c_str());
    }
    text_wrapped(text.get("ui.attach.how"));
    // The processes: pid, age, exit sequence (from the last sample of it), command line.
    const float list_h = ImGui::GetTextLineHeightWithSpacing() * 8;
    if (ImGui::BeginTable("##procs", 4,
                          ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                              ImGuiTableFlags_BordersInnerV,
                          ImVec2(0, list_h))) {
        ImGui::TableSetupColumn("pid", ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn(text.get("ui.attach.age").c_str(),
                                ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn(text.get("ui.attach.exiting").c_str(),
                                ImGuiTableColumnFlags_WidthFixed);
        ImGui::TableSetupColumn(text.get("ui.attach.command").c_str());
        ImGui::TableHeadersRow();
        for (const lab::Target& p : processes_) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            char id[32];
            std::snprintf(id, sizeof id, "%d##p%d", p.pid, p.pid);
            if (ImGui::Selectable(id, p.pid == pid_, ImGuiSelectableFlags_SpanAllColumns))
                pick(p.pid);
            ImGui::TableNextColumn();
            ImGui::Text("%.0f s", p.age_s);
            ImGui::TableNextColumn();
            const bool known = last_ && last_->target.pid == p.pid;
            ImGui::TextUnformatted(
                !known
                    ? "?"
                    : text.get(last_->stage == lab::Stage::main ? "ui.attach.no" : "ui.attach.yes")
                          .c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(lab::terminal_safe(p.cmdline).c_str());
        }
        ImGui::EndTable();
    }
    if (processes_.empty()) text_wrapped(text.get("ui.attach.none"));
    if (!error_.empty()) ImGui::TextColored(ImVec4(1, 0.4f, 0.3f, 1), "%s", error_.c_str());
    if (last_) {
        explanation(text);
        RunView v;
        v.run = &acc_;
        char label[64];
        std::snprintf(label, sizeof label, "pid %d · %d", pid_, samples_);
        v.label = std::string(label) + " " + s.get("ui.attach.samples", text.lang());
        timeline_.draw(v, RunView{}, text, 0);
    }
    ImGui::End();
}

} // namespace gui
