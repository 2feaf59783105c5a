// Simulation tests: a scenario written as JSON, run on the real kernel, its report returned; a
// scenario that does not load or start fails the calling test.
#pragma once
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string_view>

#include "omnikernel/sim/simulation.h"

namespace omni::sim::test_support {

inline Report run_scenario(const nlohmann::json& scenario_json, std::string_view source,
                           const RunOptions& options = {}) {
  auto scenario = load_scenario_text(scenario_json.dump(), source);
  EXPECT_TRUE(scenario.has_value()) << scenario.error().message();
  if (!scenario) return {};
  auto sim = Simulation::create(std::move(*scenario), options);
  EXPECT_TRUE(sim.has_value()) << sim.error().message();
  if (!sim) return {};
  return (*sim)->run();
}

}  // namespace omni::sim::test_support
