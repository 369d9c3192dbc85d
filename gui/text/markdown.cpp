#include "gui/text/markdown.hpp"

#include "gui/text/line_break.hpp"
#include "gui/text/theme.hpp"

#include <imgui.h>
#include <md4c.h>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gui {
namespace {

TextHook g_text_hook; // set_text_hook()

struct Run {
    std::string text;
    bool code = false, em = false, strong = false, link = false;
};

struct State {
    const MarkdownFonts* fonts;
    std::vector<Run> runs;
    int em = 0, strong = 0, code = 0, link = 0, heading = 0;
    int list_depth = 0;
    bool in_code_block = false;
    std::string code_block;
};

// Lays runs out left to right, wrapping at the region's width (line_break.hpp: Latin text
// between words, CJK text between any two characters, but never before closing punctuation
// nor after opening punctuation). The pieces of all runs break as one paragraph.
void flow(const std::vector<Run>& runs, const MarkdownFonts& fonts, ImFont* body,
          ImU32 base_color) {
    const float wrap = ImGui::GetContentRegionAvail().x;
    auto font_of = [&](const Run& r) {
        return r.code                                         ? fonts.mono
               : r.strong && fonts.bold && body == fonts.body ? fonts.bold
                                                              : body;
    };
    std::vector<Piece> all;
    std::vector<std::size_t> run_of;
    for (std::size_t k = 0; k < runs.size(); ++k) {
        ImFont* font = font_of(runs[k]);
        for (const Piece& p : pieces(runs[k].text, [&](std::string_view t) {
                 return font->CalcTextSizeA(font->FontSize, 1e9f, 0, t.data(), t.data() + t.size())
                     .x;
             })) {
            all.push_back(p);
            run_of.push_back(k);
        }
    }
    const std::vector<bool> starts = line_starts(all, wrap);
    std::vector<std::vector<TextPiece>> laid_out(g_text_hook ? runs.size() : 0); // for the hook
    for (std::size_t n = 0; n < all.size(); ++n) {
        if (n > 0 && !starts[n]) ImGui::SameLine(0, 0);
        const Run& r = runs[run_of[n]];
        ImGui::PushFont(font_of(r));
        const Palette& pal = palette();
        const ImU32 color = r.link     ? pal.md_link
                            : r.code   ? pal.md_code
                            : r.strong ? pal.md_strong
                            : r.em     ? pal.md_em
                                       : base_color;
        const char* b = r.text.data() + all[n].b;
        const char* e = r.text.data() + all[n].e;
        if (r.code) {
            ImVec2 p = ImGui::GetCursorScreenPos();
            ImGui::GetWindowDrawList()->AddRectFilled(
                p, ImVec2(p.x + all[n].w, p.y + ImGui::GetTextLineHeight()), pal.md_code_bg, 3);
        }
        ImGui::PushStyleColor(ImGuiCol_Text, color);
        ImGui::TextUnformatted(b, e);
        ImGui::PopStyleColor();
        ImGui::PopFont();
        if (g_text_hook)
            laid_out[run_of[n]].push_back(
                {all[n].b, all[n].e, ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), font_of(r)});
    }
    for (std::size_t k = 0; k < laid_out.size(); ++k)
        if (!runs[k].code && !laid_out[k].empty()) g_text_hook(runs[k].text, laid_out[k]);
}

void flush(State& s) {
    if (s.runs.empty()) return;
    ImU32 base = s.heading ? palette().md_heading : ImGui::GetColorU32(ImGuiCol_Text);
    flow(s.runs, *s.fonts, s.heading ? s.fonts->heading : s.fonts->body, base);
    s.runs.clear();
}

int enter_block(MD_BLOCKTYPE type, void* detail, void* user) {
    State& s = *static_cast<State*>(user);
    switch (type) {
    case MD_BLOCK_H:
        s.heading = int(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        ++s.list_depth;
        break;
    case MD_BLOCK_LI:
        s.runs.push_back({std::string(std::size_t(s.list_depth - 1) * 2, ' ') + "• "});
        break;
    case MD_BLOCK_CODE:
        s.in_code_block = true;
        s.code_block.clear();
        break;
    default:
        break;
    }
    return 0;
}

int leave_block(MD_BLOCKTYPE type, void*, void* user) {
    State& s = *static_cast<State*>(user);
    switch (type) {
    case MD_BLOCK_H:
        flush(s);
        s.heading = 0;
        ImGui::Spacing();
        break;
    case MD_BLOCK_P:
        flush(s);
        if (s.list_depth == 0) ImGui::Spacing();
        break;
    case MD_BLOCK_LI:
        flush(s);
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        --s.list_depth;
        if (s.list_depth == 0) ImGui::Spacing();
        break;
    case MD_BLOCK_CODE: {
        s.in_code_block = false;
        if (!s.code_block.empty() && s.code_block.back() == '\n') s.code_block.pop_back();
        ImGui::PushFont(s.fonts->mono);
        ImVec2 p = ImGui::GetCursorScreenPos();
        ImVec2 size = ImGui::CalcTextSize(s.code_block.c_str());
        ImGui::GetWindowDrawList()->AddRectFilled(
            ImVec2(p.x - 4, p.y - 2),
            ImVec2(p.x + ImGui::GetContentRegionAvail().x, p.y + size.y + 2), palette().md_block_bg,
            4);
        ImGui::PushStyleColor(ImGuiCol_Text, palette().md_block_text);
        ImGui::TextUnformatted(s.code_block.c_str());
        ImGui::PopStyleColor();
        ImGui::PopFont();
        ImGui::Spacing();
        break;
    }
    default:
        flush(s);
        break;
    }
    return 0;
}

int enter_span(MD_SPANTYPE type, void*, void* user) {
    State& s = *static_cast<State*>(user);
    if (type == MD_SPAN_EM) ++s.em;
    if (type == MD_SPAN_STRONG) ++s.strong;
    if (type == MD_SPAN_CODE) ++s.code;
    if (type == MD_SPAN_A) ++s.link;
    return 0;
}

int leave_span(MD_SPANTYPE type, void*, void* user) {
    State& s = *static_cast<State*>(user);
    if (type == MD_SPAN_EM) --s.em;
    if (type == MD_SPAN_STRONG) --s.strong;
    if (type == MD_SPAN_CODE) --s.code;
    if (type == MD_SPAN_A) --s.link;
    return 0;
}

int text(MD_TEXTTYPE type, const MD_CHAR* t, MD_SIZE size, void* user) {
    State& s = *static_cast<State*>(user);
    std::string chunk = type == MD_TEXT_SOFTBR || type == MD_TEXT_BR ? " " : std::string(t, size);
    if (s.in_code_block) {
        s.code_block += chunk;
        return 0;
    }
    Run r{chunk, s.code > 0, s.em > 0, s.strong > 0, s.link > 0};
    if (!s.runs.empty()) { // merge with the previous run of the same style
        Run& last = s.runs.back();
        if (last.code == r.code && last.em == r.em && last.strong == r.strong &&
            last.link == r.link) {
            last.text += r.text;
            return 0;
        }
    }
    s.runs.push_back(std::move(r));
    return 0;
}

} // namespace

void set_text_hook(TextHook hook) {
    g_text_hook = std::move(hook);
}

void markdown(std::string_view md, const MarkdownFonts& fonts) {
    State s{&fonts, {}};
    MD_PARSER parser{};
    parser.flags = MD_FLAG_NOHTML;
    parser.enter_block = enter_block;
    parser.leave_block = leave_block;
    parser.enter_span = enter_span;
    parser.leave_span = leave_span;
    parser.text = text;
    md_parse(md.data(), MD_SIZE(md.size()), &parser, &s);
    flush(s);
}

} // namespace gui
