#include "markdown.hpp"

#include "theme.hpp"

#include <imgui.h>
#include <md4c.h>
#include <string>
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

// Byte length of the UTF-8 sequence starting with c.
int utf8_len(unsigned char c) {
    return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

// Lays runs out left to right, wrapping at the region's width: Latin text breaks between
// words, CJK text between any two characters.
void flow(const std::vector<Run>& runs, ImFont* body, ImFont* mono, ImU32 base_color) {
    const float wrap = ImGui::GetContentRegionAvail().x;
    float x = 0;
    bool first = true;
    for (const Run& r : runs) {
        ImFont* font = r.code ? mono : body;
        ImGui::PushFont(font);
        const Palette& pal = palette();
        ImU32 color = r.link     ? pal.md_link
                      : r.code   ? pal.md_code
                      : r.strong ? pal.md_strong
                      : r.em     ? pal.md_em
                                 : base_color;
        std::vector<TextPiece> pieces; // for the text hook
        std::size_t i = 0;
        while (i < r.text.size()) {
            // A token: a CJK character, or a word with its trailing spaces.
            std::size_t j = i;
            int len = utf8_len(static_cast<unsigned char>(r.text[i]));
            if (len >= 3)
                j = i + std::size_t(len);
            else {
                while (j < r.text.size() && r.text[j] != ' ' &&
                       utf8_len(static_cast<unsigned char>(r.text[j])) < 3)
                    j += std::size_t(utf8_len(static_cast<unsigned char>(r.text[j])));
                while (j < r.text.size() && r.text[j] == ' ') ++j;
            }
            j = std::min(j, r.text.size());
            const char* b = r.text.data() + i;
            const char* e = r.text.data() + j;
            float w = ImGui::CalcTextSize(b, e).x;
            if (!first && x + w > wrap && x > 0)
                x = 0; // wrap: start a new line
            else if (!first)
                ImGui::SameLine(0, 0);
            if (r.code) {
                ImVec2 p = ImGui::GetCursorScreenPos();
                ImGui::GetWindowDrawList()->AddRectFilled(
                    p, ImVec2(p.x + w, p.y + ImGui::GetTextLineHeight()), palette().md_code_bg, 3);
            }
            ImGui::PushStyleColor(ImGuiCol_Text, color);
            ImGui::TextUnformatted(b, e);
            ImGui::PopStyleColor();
            if (g_text_hook)
                pieces.push_back({i, j, ImGui::GetItemRectMin(), ImGui::GetItemRectMax()});
            x += w;
            first = false;
            i = j;
        }
        ImGui::PopFont();
        if (g_text_hook && !r.code) g_text_hook(r.text, pieces);
    }
}

void flush(State& s) {
    if (s.runs.empty()) return;
    ImU32 base = s.heading ? palette().md_heading : ImGui::GetColorU32(ImGuiCol_Text);
    flow(s.runs, s.heading ? s.fonts->heading : s.fonts->body, s.fonts->mono, base);
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
