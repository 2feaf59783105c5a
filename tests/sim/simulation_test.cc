// Small scenarios on the real kernel: determinism, conservation of items, and that each agent
// behaviour shows up in the report as it should.
#include "omnikernel/sim/simulation.h"
#include "run_scenario.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace omni::sim {
namespace {

using Json = nlohmann::json;

Json base_scenario() {
  return Json::parse(R"({
    "name": "unit", "seed": 3, "duration": "4h", "service_level_threshold": "20s",
    "channels": [{"name": "chat", "paused_values": ["Waiting"]}],
    "routing_configs": [{"name": "r", "push_timeout": "15s"}],
    "queues": [{"name": "q", "channel": "chat", "routing": "r"}],
    "presence_configs": [{"name": "pc", "capacity": 2, "allow_decline": true, "decline_reasons": ["busy", "skill"],
                          "status_on_decline": "Away", "wrap_up": "20s"}],
    "statuses": [{"name": "Off", "kind": "offline"}, {"name": "On", "kind": "online", "channels": ["chat"]},
                 {"name": "Away", "kind": "away"}, {"name": "Lunch", "kind": "pause", "pause_cause": "lunch"}],
    "profiles": [{"name": "p", "presence_config": "pc"}],
    "agents": [{"profile": "p", "count": 4, "queues": ["q"], "status": "On"}],
    "arrivals": [{"queue": "q", "rate_per_hour": 60}],
    "agent_behaviour": {"answer_delay": "2s", "handle_time": {"type": "exponential", "mean": "5m"}}
  })");
}

Report run(const Json& scenario_json, RunOptions options = {}) {
  return test_support::run_scenario(scenario_json, "unit", options);
}

// Every counted arrival ends answered, abandoned or refused, or is still open at the end.
void expect_conserved(const Report& r) {
  for (const QueueReport& q : r.queues) {
    const ContactCounters& c = q.counters;
    const uint64_t resolved = c.answered + c.abandoned + c.refused;
    EXPECT_LE(resolved, c.offered) << q.name;
    EXPECT_LE(c.offered - resolved, q.waiting_at_end + r.agents.size()) << q.name;  // queued or being offered
    EXPECT_LE(c.closed, c.answered) << q.name;
    EXPECT_LE(c.answered_within_threshold, c.answered) << q.name;
  }
}

TEST(Simulation, SameSeedSameRun) {
  const Report a = run(base_scenario());
  const Report b = run(base_scenario());
  ASSERT_EQ(a.queues.size(), b.queues.size());
  EXPECT_GT(a.total.offered, 100u);
  EXPECT_EQ(a.total.offered, b.total.offered);
  EXPECT_EQ(a.total.answered, b.total.answered);
  EXPECT_DOUBLE_EQ(a.total.total_wait_s, b.total.total_wait_s);
  EXPECT_DOUBLE_EQ(a.total.total_handle_s, b.total.total_handle_s);
  for (size_t i = 0; i < a.agents.size(); ++i) {
    EXPECT_EQ(a.agents[i].handled, b.agents[i].handled);
    EXPECT_DOUBLE_EQ(a.agents[i].occupancy, b.agents[i].occupancy);
  }
  RunOptions other;
  other.seed = 4;
  EXPECT_NE(run(base_scenario(), other).total.total_wait_s, a.total.total_wait_s);
}

TEST(Simulation, ItemsAreConservedAndTimesAdd) {
  const Report r = run(base_scenario());
  expect_conserved(r);
  EXPECT_GT(r.total.answered, 0u);
  EXPECT_EQ(r.routing_deferred, 0u);
  // Answer delay is 2 s, so nobody is answered faster; handle time has mean 5 min.
  EXPECT_GE(r.total.asa(), 2.0);
  EXPECT_NEAR(r.total.aht(), 300, 60);
  for (const AgentReport& a : r.agents) {
    double total = 0;
    for (double s : a.seconds_in) total += s;
    EXPECT_NEAR(total, r.duration_s, 1e-6) << a.name;  // every second is in exactly one state
    EXPECT_GT(a.occupancy, 0);
    EXPECT_LE(a.occupancy, 1.0 + 1e-9);
  }
  EXPECT_GT(r.routing.count, 0u);
  EXPECT_LE(r.routing.p50, r.routing.p99);
  EXPECT_LE(r.routing.p99, r.routing.p999);
  EXPECT_FALSE(r.series.empty());
}

TEST(Simulation, DeclinesAndTimeOutsAreCountedByReason) {
  Json s = base_scenario();
  s["agent_behaviour"]["decline_probability"] = 0.3;
  s["agent_behaviour"]["decline_reasons"] = {{"busy", 1}, {"skill", 1}};
  s["agent_behaviour"]["no_answer_probability"] = 0.2;
  s["agent_behaviour"]["return_after"] = "10s";
  const Report r = run(s);
  expect_conserved(r);
  uint64_t declined = 0, timeouts = 0, offered = 0, accepted = 0;
  for (const AgentReport& a : r.agents) {
    uint64_t by_reason = 0;
    for (const auto& [reason, n] : a.declines_by_reason) {
      EXPECT_TRUE(reason == "busy" || reason == "skill") << reason;
      by_reason += n;
    }
    EXPECT_EQ(by_reason, a.declined);
    declined += a.declined;
    timeouts += a.timeouts;
    offered += a.offered;
    accepted += a.accepted;
  }
  EXPECT_GT(declined, 0u);
  EXPECT_GT(timeouts, 0u);
  // Each offer ends accepted, declined or timed out (or is still pending at the end, or the
  // customer left while it rang).
  EXPECT_LE(accepted + declined + timeouts, offered);
  EXPECT_GE(accepted + declined + timeouts + r.total.abandoned + r.agents.size(), offered);
  // The status on decline ("Away") shows up as time away, and agents come back.
  double away = 0;
  for (const AgentReport& a : r.agents) away += a.seconds_in[6];
  EXPECT_GT(away, 0);
  EXPECT_GT(r.total.answered, r.total.offered / 2);
}

TEST(Simulation, PausedSessionsAreCounted) {
  Json s = base_scenario();
  s["agent_behaviour"]["pause_probability"] = 1.0;
  s["agent_behaviour"]["pause_length"] = "1m";
  const Report r = run(s);
  expect_conserved(r);
  uint64_t pauses = 0, handled = 0;
  for (const AgentReport& a : r.agents) {
    pauses += a.pauses;
    handled += a.handled;
  }
  EXPECT_GE(pauses, handled);  // every accepted session is paused once before it closes
  // A paused session holds no capacity, so its handle time (pause included) exceeds the work.
  EXPECT_GT(r.total.aht(), 300 + 30);
}

TEST(Simulation, TransfersMoveSessionsToAnotherQueue) {
  Json s = base_scenario();
  s["queues"].push_back({{"name", "q2"}, {"channel", "chat"}, {"routing", "r"}});
  s["agents"][0]["queues"] = {"q", "q2"};
  s["agent_behaviour"]["transfer_probability"] = 0.5;
  s["agent_behaviour"]["transfer_to"] = {"q2"};
  const Report r = run(s);
  expect_conserved(r);
  uint64_t transfers = 0;
  for (const AgentReport& a : r.agents) transfers += a.transfers;
  // Half of the sessions are transferred at least once (a transferred one may be again).
  EXPECT_GT(transfers, r.total.answered * 2 / 5);
  // Statistics stay with the queue of arrival; q2 receives no arrivals of its own.
  EXPECT_EQ(r.queues[1].counters.offered, 0u);
  // Two legs of handling for a transferred session: AHT grows by about half a handle time.
  EXPECT_GT(r.total.aht(), 300 * 1.2);
}

TEST(Simulation, NobodyOnlineMeansEveryoneAbandons) {
  Json s = base_scenario();
  s["agents"][0]["status"] = "Off";
  s["patience"] = "2m";
  const Report r = run(s);
  EXPECT_EQ(r.total.answered, 0u);
  EXPECT_GT(r.total.abandoned, 100u);
  EXPECT_LE(r.total.offered - r.total.abandoned, r.queues[0].waiting_at_end);
  EXPECT_DOUBLE_EQ(r.total.service_level(), 0.0);
  for (const AgentReport& a : r.agents) {
    EXPECT_DOUBLE_EQ(a.seconds_in[0], r.duration_s);  // offline all day
    EXPECT_DOUBLE_EQ(a.occupancy, 0);
  }
}

TEST(Simulation, BreaksAreSpentInThePauseStatus) {
  Json s = base_scenario();
  s["agent_behaviour"]["breaks"] = Json::parse(R"([{"status": "Lunch", "every": "1h", "length": "10m"}])");
  const Report r = run(s);
  for (const AgentReport& a : r.agents) {
    EXPECT_NEAR(a.seconds_in[3], 3 * 600, 1) << a.name;  // paused: breaks at 1h, 2h, 3h
  }
}

// Occupancy is busy time over time available: time in a pause or away status is neither.
// M/M/12 at 83 % load on 24 agents, 12 of them held all day in a pause (6) or an away (6) status:
// the 12 who work are 83 % occupied, and so is the centre (not 0.417, half of it).
TEST(Simulation, OccupancyExcludesTimeInPauseAndAwayStatuses) {
  Json s = base_scenario();
  s["duration"] = "200h";
  s["presence_configs"] = Json::parse(R"([{"name": "pc", "capacity": 1, "auto_accept": true}])");
  s["agents"] = Json::parse(R"([{"name": "on", "profile": "p", "count": 12, "queues": ["q"], "status": "On"},
                                {"name": "lunch", "profile": "p", "count": 6, "queues": ["q"], "status": "Lunch"},
                                {"name": "away", "profile": "p", "count": 6, "queues": ["q"], "status": "Away"}])");
  s["arrivals"][0]["rate_per_hour"] = 200;  // 200/h × 3 min = 10 erlangs on 12 agents
  s["agent_behaviour"] = Json::parse(R"({"answer_delay": 0, "handle_time": {"type": "exponential", "mean": "3m"}})");
  const Report r = run(s);
  ASSERT_EQ(r.agents.size(), 24u);
  EXPECT_NEAR(r.occupancy, 10.0 / 12, 0.02);
  double worked = 0;
  for (size_t i = 0; i < 12; ++i) worked += r.agents[i].occupancy;
  EXPECT_NEAR(worked / 12, 10.0 / 12, 0.02);
  for (size_t i = 12; i < 24; ++i) {
    EXPECT_EQ(r.agents[i].handled, 0u) << r.agents[i].name;
    EXPECT_DOUBLE_EQ(r.agents[i].occupancy, 0) << r.agents[i].name;  // never available, never busy
  }
}

// Per agent too: breaks are not time available. One agent, always busy while online (the queue
// never empties), on a 30-minute break every hour, is fully occupied, not about two thirds.
TEST(Simulation, AnAgentsOccupancyCountsOnlyItsTimeAvailable) {
  Json s = base_scenario();
  s["duration"] = "8h";
  s["presence_configs"] = Json::parse(R"([{"name": "pc", "capacity": 1, "auto_accept": true}])");
  s["agents"] = Json::parse(R"([{"name": "solo", "profile": "p", "queues": ["q"], "status": "On"}])");
  s["arrivals"][0]["rate_per_hour"] = 120;
  s["agent_behaviour"] = Json::parse(R"({"answer_delay": 0, "handle_time": "5m",
      "breaks": [{"status": "Lunch", "every": "1h", "length": "30m"}]})");
  const Report r = run(s);
  ASSERT_EQ(r.agents.size(), 1u);
  EXPECT_GT(r.agents[0].seconds_in[3], 2 * 3600);  // paused for hours
  EXPECT_GT(r.agents[0].occupancy, 0.99);
  EXPECT_DOUBLE_EQ(r.occupancy, r.agents[0].occupancy);
}

TEST(Simulation, WarmUpArrivalsAreNotCounted) {
  Json s = base_scenario();
  const Report all = run(s);
  s["warmup"] = "2h";
  const Report counted = run(s);
  EXPECT_LT(counted.total.offered, all.total.offered * 3 / 4);
  EXPECT_GT(counted.total.offered, all.total.offered / 4);
  for (const AgentReport& a : counted.agents) {
    double total = 0;
    for (double sec : a.seconds_in) total += sec;
    EXPECT_NEAR(total, 2 * 3600, 1e-6);
  }
}

TEST(Simulation, StopEndsTheRunEarly) {
  auto scenario = load_scenario_text(base_scenario().dump(), "unit");
  ASSERT_TRUE(scenario.has_value());
  auto sim = Simulation::create(std::move(*scenario));
  ASSERT_TRUE(sim.has_value());
  (*sim)->stop();
  const Report r = (*sim)->run();
  EXPECT_TRUE((*sim)->finished());
  ASSERT_FALSE(r.notes.empty());
  EXPECT_EQ(r.notes.back().rfind("stopped early", 0), 0u);
}

TEST(Simulation, OverridesAreChecked) {
  auto scenario = load_scenario_text(base_scenario().dump(), "unit");
  RunOptions options;
  options.duration = Duration::zero();
  auto sim = Simulation::create(std::move(*scenario), options);
  ASSERT_FALSE(sim.has_value());
  EXPECT_EQ(sim.error().message(), "duration: must be > 0");
}

TEST(Simulation, ObserversSeeTheKernelAndProgress) {
  auto scenario = load_scenario_text(base_scenario().dump(), "unit");
  auto sim = Simulation::create(std::move(*scenario));
  ASSERT_TRUE(sim.has_value());
  const Report r = (*sim)->run();
  EXPECT_EQ((*sim)->agent_ids().size(), 4u);
  ASSERT_EQ((*sim)->queue_ids().size(), 1u);
  EXPECT_EQ((*sim)->progress(0).answered, r.queues[0].counters.answered);
  EXPECT_EQ((*sim)->progress(0).offered, r.queues[0].counters.offered);
  EXPECT_EQ((*sim)->now(), Time{(*sim)->duration()});
}

}  // namespace
}  // namespace omni::sim
