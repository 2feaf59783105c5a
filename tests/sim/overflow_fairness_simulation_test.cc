// Issue 9 in the simulator: overflow and expiry (item 5) counted per queue in every report format,
// and fair tie-breaks (item 3) — identical agents' occupancy spread under round-robin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "omnikernel/sim/simulation.h"
#include "run_scenario.h"

namespace omni::sim {
namespace {

using Json = nlohmann::json;

Report run(const Json& scenario_json) { return test_support::run_scenario(scenario_json, "issue9.json"); }

// "front" has no agents: every item overflows to "back" 30 s after it arrived. "back" has one
// slow agent, far too few: items that have waited 5 min since their ARRIVAL expire there.
Json overflow_scenario() {
  return Json::parse(R"({
    "name": "overflow", "seed": 5, "duration": "8h", "service_level_threshold": "60s",
    "channels": [{"name": "chat"}],
    "routing_configs": [{"name": "r"}],
    "queues": [{"name": "front", "channel": "chat", "routing": "r", "overflow_after": "30s", "overflow_to": "back"},
               {"name": "back", "channel": "chat", "routing": "r", "max_wait": "5m"}],
    "presence_configs": [{"name": "pc", "capacity": 1, "auto_accept": true}],
    "statuses": [{"name": "On", "kind": "online", "channels": ["chat"]}],
    "profiles": [{"name": "p", "presence_config": "pc"}],
    "agents": [{"name": "slow", "profile": "p", "queues": ["back"], "status": "On"}],
    "arrivals": [{"queue": "front", "rate_per_hour": 30}],
    "agent_behaviour": {"answer_delay": 0, "handle_time": {"type": "exponential", "mean": "6m"}}
  })");
}

TEST(OverflowSimulation, ItemsOverflowAndExpireAndTheReportShowsIt) {
  const Report r = run(overflow_scenario());
  ASSERT_EQ(r.queues.size(), 2u);
  const QueueReport& front = r.queues[0];
  const QueueReport& back = r.queues[1];
  const ContactCounters& c = front.counters;  // statistics stay with the queue of arrival
  ASSERT_GT(c.offered, 150u);
  EXPECT_EQ(c.refused, 0u);
  // Nobody serves front: every item overflowed, but those that arrived in the last 30 s.
  EXPECT_EQ(c.overflowed + front.waiting_at_end, c.offered);
  EXPECT_LE(front.waiting_at_end, 3u);
  EXPECT_EQ(back.overflowed_in, c.overflowed);
  EXPECT_EQ(back.counters.offered, 0u);
  EXPECT_EQ(back.counters.overflowed, 0u);
  // One agent at 6 min per item against 30 an hour: most items expire, some are answered.
  EXPECT_GT(c.expired, c.offered / 3);
  EXPECT_GT(c.answered, 40u);
  EXPECT_EQ(c.abandoned, 0u);
  EXPECT_LE(c.answered + c.expired, c.offered);
  EXPECT_GE(c.answered + c.expired + back.waiting_at_end + front.waiting_at_end + 1, c.offered);
  // max_wait counts from the arrival in front, not from the overflow: nobody answered waited
  // longer than 5 minutes (and a timer resolution).
  EXPECT_LE(c.longest_wait_s, 300.1);
  EXPECT_GT(c.longest_wait_s, 30);  // none answered in front
  // Expired items count like abandoned ones in the service level.
  EXPECT_DOUBLE_EQ(c.service_level(),
                   static_cast<double>(c.answered_within_threshold) / static_cast<double>(c.answered + c.expired));
  EXPECT_EQ(r.total.expired, c.expired);
  EXPECT_EQ(r.total.overflowed, c.overflowed);
  EXPECT_EQ(r.channels.at(0).counters.expired, c.expired);

  // Text, JSON and CSV show both counts.
  std::ostringstream text;
  print_report(r, text);
  EXPECT_NE(text.str().find("expired"), std::string::npos);
  EXPECT_NE(text.str().find("overflowed"), std::string::npos);
  EXPECT_NE(text.str().find("overflow received: back " + std::to_string(back.overflowed_in)), std::string::npos)
      << text.str();
  const Json doc = Json::parse(report_json(r));
  EXPECT_EQ(doc["queues"][0]["overflowed"].get<uint64_t>(), c.overflowed);
  EXPECT_EQ(doc["queues"][0]["expired"].get<uint64_t>(), c.expired);
  EXPECT_EQ(doc["queues"][1]["overflowed_in"].get<uint64_t>(), back.overflowed_in);
  EXPECT_EQ(doc["expired"].get<uint64_t>(), c.expired);
  EXPECT_EQ(doc["overflowed"].get<uint64_t>(), c.overflowed);
  const auto dir = std::filesystem::temp_directory_path() / ("omni_overflow_csv_" + std::to_string(::getpid()));
  ASSERT_TRUE(write_report_csv(r, dir).has_value());
  std::ifstream queues(dir / "queues.csv");
  std::string header, row;
  std::getline(queues, header);
  std::getline(queues, row);
  EXPECT_EQ(header.rfind("queue,channel,offered,answered,abandoned,expired,overflowed,refused,", 0), 0u) << header;
  EXPECT_TRUE(header.ends_with(",waiting_at_end,overflowed_in")) << header;
  const std::string expected_row = "front,chat," + std::to_string(c.offered) + "," + std::to_string(c.answered) +
                                   ",0," + std::to_string(c.expired) + "," + std::to_string(c.overflowed) + ",0,";
  EXPECT_EQ(row.rfind(expected_row, 0), 0u) << row;
  std::filesystem::remove_all(dir);
}

// Without overflow_after and max_wait nothing changes: no overflow, no expiry.
TEST(OverflowSimulation, NothingOverflowsOrExpiresWithoutTheSettings) {
  Json s = overflow_scenario();
  s["queues"][0].erase("overflow_after");
  s["queues"][0].erase("overflow_to");
  s["queues"][1].erase("max_wait");
  s["agents"][0]["queues"] = {"front"};
  const Report r = run(s);
  EXPECT_EQ(r.total.overflowed, 0u);
  EXPECT_EQ(r.total.expired, 0u);
  EXPECT_EQ(r.queues[1].overflowed_in, 0u);
  EXPECT_GT(r.total.answered, 40u);
}

// Issue 9, item 3: 12 identical agents at 83 % load (M/M/12: Poisson arrivals, exponential
// handle times, capacity 1, auto-accept). With listed_order ties go to the first idle agent, so
// occupancy falls along the list; with longest_idle (the default) and round_robin the spread
// (max − min) must be at most 3 percentage points. The run is long (1500 h, ~300,000 items) so
// that the handle times' own noise — about 0.83/√(items per agent) per agent — stays well under
// that: over one 8-hour shift that noise alone spreads identical agents by 3–6 points whatever
// the tie-break (docs/SIMULATOR.md shows the measurements).
Json fairness_scenario(const char* tie_break) {
  Json s = Json::parse(R"({
    "name": "M/M/12 fairness", "seed": 12, "duration": "1500h", "warmup": "10h", "tick_interval": "1h",
    "channels": [{"name": "calls"}],
    "routing_configs": [{"name": "fifo", "model": "most_available", "size": 1}],
    "queues": [{"name": "q", "channel": "calls", "routing": "fifo", "max_waiting": 65536}],
    "presence_configs": [{"name": "pc", "capacity": 1, "auto_accept": true}],
    "statuses": [{"name": "Ready", "kind": "online", "channels": ["calls"]}],
    "profiles": [{"name": "p", "presence_config": "pc"}],
    "agents": [{"name": "agent", "profile": "p", "count": 12, "queues": ["q"], "status": "Ready"}],
    "arrivals": [{"queue": "q", "rate_per_hour": 200}],
    "agent_behaviour": {"answer_delay": 0, "handle_time": {"type": "exponential", "mean": "3m"}}
  })");
  if (tie_break) s["routing_configs"][0]["tie_break"] = tie_break;
  return s;
}

struct Spread {
  double min = 1, max = 0, centre = 0;
  [[nodiscard]] double points() const { return 100 * (max - min); }
};

Spread occupancy_spread(const Report& r) {
  Spread s;
  for (const AgentReport& a : r.agents) {
    s.min = std::min(s.min, a.occupancy);
    s.max = std::max(s.max, a.occupancy);
  }
  s.centre = r.occupancy;
  return s;
}

TEST(TieBreakFairness, LongestIdleAndRoundRobinKeepIdenticalAgentsWithinThreePoints) {
  const Report idle = run(fairness_scenario(nullptr));  // the default: longest_idle
  const Report rr = run(fairness_scenario("round_robin"));
  const Report listed = run(fairness_scenario("listed_order"));
  ASSERT_EQ(idle.agents.size(), 12u);
  const Spread i = occupancy_spread(idle), a = occupancy_spread(rr), b = occupancy_spread(listed);
  std::printf("M/M/12, 83%% load, 1500 h: longest_idle %.1f%%..%.1f%% (spread %.2f points); round_robin "
              "%.1f%%..%.1f%% (spread %.2f points); listed_order %.1f%%..%.1f%% (spread %.2f points)\n",
              100 * i.min, 100 * i.max, i.points(), 100 * a.min, 100 * a.max, a.points(), 100 * b.min,
              100 * b.max, b.points());
  RecordProperty("longest_idle_spread_points", std::to_string(i.points()));
  RecordProperty("round_robin_spread_points", std::to_string(a.points()));
  RecordProperty("listed_order_spread_points", std::to_string(b.points()));
  for (const Report* r : {&idle, &rr, &listed}) EXPECT_NEAR(r->occupancy, 10.0 / 12, 0.02);
  EXPECT_LE(i.points(), 3.0) << "issue 9, item 3's goal";
  EXPECT_LE(a.points(), 3.0) << "issue 9, item 3's goal";
  EXPECT_GT(b.points(), 10.0);  // what the fair tie-breaks fix
}

}  // namespace
}  // namespace omni::sim
