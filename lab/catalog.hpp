// catalog.hpp — the scenarios the host can run, each a demo program demos/scenarios/<id>.
// Titles and summaries are content (content/strings.toml: scenario.<id>.title/.summary).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lab {

struct Scenario {
    std::string_view id;
    bool close_by_default;       // explicit-close closes unless told --no-close
    bool uses_receiver;          // false for the async client: it has no recv_events thread
    bool sandbox;                // takes --connect-in/--worker/--with-block
    std::string_view cpp_source; // the demo's own C++ text, embedded at build time
};

const std::vector<Scenario>& catalog();
const Scenario* find_scenario(std::string_view id);

// demo-<id> beside the host: $DAEMONLAB_DEMO_DIR, else <exe>/../libexec/daemonlab.
std::string demo_path(std::string_view id);

} // namespace lab
