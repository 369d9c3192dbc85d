// png_text.hpp — text metadata in a PNG: tEXt chunks (keyword, Latin-1 text) after IHDR, the
// way image viewers and `exiftool` read them. Plain bytes, no GL (tests/test_session.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace gui {

using PngText = std::vector<std::pair<std::string, std::string>>;

// `png` with a tEXt chunk per entry inserted after its header. Keywords are cut to 79
// characters of printable Latin-1 and values made printable ASCII (others become '?'), as
// tEXt requires. Returns "" when `png` is not a PNG.
std::string add_png_text(const std::string& png, const PngText& text);
// The tEXt entries of a PNG, in order (for tests and for checking an export).
PngText read_png_text(const std::string& png);

} // namespace gui
