// libFuzzer: an arbitrary lesson file. The loader must report, never crash, and the
// checker must cope with whatever it loaded.
#include "lab/model/lessons.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const fs::path dir = [] {
        char tmpl[] = "/tmp/daemonlab-fuzz-XXXXXX";
        fs::path d = mkdtemp(tmpl);
        fs::create_directories(d / "lessons");
        return d;
    }();
    {
        FILE* f = std::fopen((dir / "lessons/fuzzed.toml").c_str(), "wb");
        if (!f) return 0;
        std::fwrite(data, 1, size, f);
        std::fclose(f);
    }
    lab::Content c = lab::load_content(dir.string());
    (void)lab::check_content(c);
    for (const lab::Lesson& l : c.lessons)
        for (const lab::Step& s : l.steps)
            for (const std::string& py : s.py) (void)lab::find_lines(l.python, py);
    return 0;
}
