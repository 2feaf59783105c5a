// The scenario `omni run` runs without an argument: examples/scenarios/default.json, compiled
// into the binary at build time.
#pragma once
#include <string_view>

namespace omni::sim {

[[nodiscard]] std::string_view default_scenario_json() noexcept;

}  // namespace omni::sim
