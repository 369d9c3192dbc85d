// catalog.hpp — the scenarios the host can run, each a demo program demos/scenarios/<id>.
// Titles and summaries are content (content/strings.toml: scenario.<id>.title/.summary).
#pragma once

#include "demos/scenarios/scenario_list.hpp"
#include "demos/trace/protocol.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace lab {

// A scenario as the host knows it: the demo's own facts (demos/scenarios/scenario_list.hpp, the one
// list of ids) and the C++ text of its program, to show.
struct Scenario : demo::ScenarioInfo {
    std::string_view cpp_source; // the demo's own C++ text, embedded at build time
};

const std::vector<Scenario>& catalog();

// The receiver policies every scenario is run with in the matrix, in its column order.
inline constexpr trace::Receiver kMatrixReceivers[] = {
    trace::Receiver::inherit, trace::Receiver::daemon, trace::Receiver::non_daemon};
// ... and the explicit-close switch, in its row order: off, then on.
inline constexpr bool kMatrixCloses[] = {false, true};
const Scenario* find_scenario(std::string_view id);

// A program of ours beside the host: $DAEMONLAB_DEMO_DIR/<file>, else
// <exe>/../libexec/daemonlab/<file>. demo_path(id) is demo-<id> there.
std::string libexec_path(std::string_view file);
std::string demo_path(std::string_view id);

} // namespace lab
