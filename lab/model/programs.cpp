#include "lab/model/programs.hpp"

#include "lab/model/install_paths.hpp"
#include "lab/model/lines.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>

namespace lab {

std::string python_dir() {
    return installed_path("DAEMONLAB_PYTHON_DIR", "share/daemonlab/python");
}

std::string program_path(std::string_view scenario) {
    std::string file(scenario);
    std::replace(file.begin(), file.end(), '-', '_');
    return python_dir() + "/scenarios/" + file + ".py";
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return in ? std::string(std::istreambuf_iterator<char>(in), {}) : std::string();
}

std::vector<std::pair<std::string, int>> pause_points(std::string_view source) {
    constexpr std::string_view marker = "# step:";
    std::vector<std::pair<std::string, int>> out;
    for_each_line(source, [&](std::string_view line, int number) {
        std::size_t at = line.rfind(marker);
        if (at == std::string_view::npos) return;
        std::string_view names = line.substr(at + marker.size());
        while (!names.empty()) {
            std::size_t comma = names.find(',');
            std::string_view name = names.substr(0, comma);
            while (!name.empty() && name.front() == ' ') name.remove_prefix(1);
            while (!name.empty() && (name.back() == ' ' || name.back() == '\r'))
                name.remove_suffix(1);
            if (!name.empty()) out.emplace_back(std::string(name), number);
            if (comma == std::string_view::npos) break;
            names.remove_prefix(comma + 1);
        }
    });
    return out;
}

} // namespace lab
