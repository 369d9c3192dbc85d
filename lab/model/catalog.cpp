#include "lab/model/catalog.hpp"

#include "lab/model/install_paths.hpp"

#include <filesystem>

namespace lab {
namespace generated {
struct EmbeddedSource {
    std::string_view id, text;
};
extern const EmbeddedSource kScenarioSources[];
extern const int kScenarioSourceCount;
} // namespace generated

namespace {
std::string_view source_of(std::string_view id) {
    for (int i = 0; i < generated::kScenarioSourceCount; ++i)
        if (generated::kScenarioSources[i].id == id) return generated::kScenarioSources[i].text;
    return {};
}
} // namespace

const std::vector<Scenario>& catalog() {
    static const std::vector<Scenario> all = [] {
        std::vector<Scenario> v;
        for (const demo::ScenarioInfo& info : demo::kScenarios)
            v.push_back({info, source_of(info.id)});
        return v;
    }();
    return all;
}

const Scenario* find_scenario(std::string_view id) {
    for (const Scenario& s : catalog())
        if (s.id == id) return &s;
    return nullptr;
}

std::string libexec_path(std::string_view file) {
    return (std::filesystem::path(installed_path("DAEMONLAB_DEMO_DIR", DAEMONLAB_DEMO_REL)) / file)
        .string();
}

std::string demo_path(std::string_view id) {
    return libexec_path("demo-" + std::string(id));
}

} // namespace lab
