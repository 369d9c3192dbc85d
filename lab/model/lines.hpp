// lines.hpp — the one loop that cuts text into lines.
#pragma once

#include <string_view>

namespace lab {

// Calls f(line, number) for every line of `text`, numbered from 1, without its '\n'. A
// final line without '\n' counts; an empty text has no lines.
template <class F>
void for_each_line(std::string_view text, F&& f) {
    int number = 1;
    while (!text.empty()) {
        std::size_t end = text.find('\n');
        f(text.substr(0, end), number++);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
}

} // namespace lab
