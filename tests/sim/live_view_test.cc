// The live view reads a running simulation from its own thread: the frame has what a supervisor
// needs, and (under ThreadSanitizer) the concurrent reads are race-free.
#include "omnikernel/sim/live_view.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "omnikernel/config/duration.h"

namespace omni::sim {
namespace {

std::unique_ptr<Simulation> make_simulation(const char* duration) {
  const auto json = nlohmann::json::parse(R"({
    "name": "view", "seed": 1,
    "channels": [{"name": "chat", "paused_values": ["Waiting"]}],
    "routing_configs": [{"name": "r"}],
    "queues": [{"name": "sales", "channel": "chat", "routing": "r"}],
    "presence_configs": [{"name": "pc", "capacity": 2, "wrap_up": "10s"}],
    "statuses": [{"name": "On", "kind": "online", "channels": ["chat"]}, {"name": "Lunch", "kind": "pause", "pause_cause": "lunch"}],
    "profiles": [{"name": "p", "presence_config": "pc"}],
    "agents": [{"profile": "p", "count": 5, "queues": ["sales"], "status": "On"}],
    "arrivals": [{"queue": "sales", "rate_per_hour": 120}],
    "agent_behaviour": {"pause_probability": 0.5, "breaks": [{"status": "Lunch", "every": "30m", "length": "5m"}]}
  })");
  auto scenario = load_scenario_text(json.dump(), "view");
  EXPECT_TRUE(scenario.has_value()) << scenario.error().message();
  RunOptions options;
  options.duration = config::parse_duration(duration).value();
  auto sim = Simulation::create(std::move(*scenario), options);
  EXPECT_TRUE(sim.has_value()) << sim.error().message();
  return std::move(*sim);
}

TEST(LiveView, FrameShowsProgressQueuesAndAgents) {
  auto sim = make_simulation("1h");
  const Report report = sim->run();
  LiveView view(*sim, nullptr);  // no output stream: no thread, render() only
  const std::string frame = view.render(40, 120);
  for (const char* s : {"omni run — view", "1h00m of 1h00m", "100.0%", "sales", "SL so far", "p-1", "p-5",
                        "capacity", "activity"}) {
    EXPECT_NE(frame.find(s), std::string::npos) << s << "\n" << frame;
  }
  EXPECT_NE(frame.find(std::to_string(report.queues[0].counters.answered)), std::string::npos);
}

TEST(LiveView, FewRowsListFewerAgents) {
  auto sim = make_simulation("10m");
  (void)sim->run();
  LiveView view(*sim, nullptr);
  const std::string frame = view.render(10, 80);
  EXPECT_NE(frame.find("more agents"), std::string::npos) << frame;
}

TEST(LiveViewStress, RendersConcurrentlyWithTheSimulation) {
  auto sim = make_simulation("24h");
  std::FILE* sink = std::fopen("/dev/null", "w");
  ASSERT_NE(sink, nullptr);
  Report report;
  {
    LiveView view(*sim, sink, std::chrono::milliseconds(1));
    report = sim->run();
    view.stop();
  }
  std::fclose(sink);
  EXPECT_GT(report.total.answered, 1000u);
  EXPECT_TRUE(sim->finished());
}

}  // namespace
}  // namespace omni::sim
