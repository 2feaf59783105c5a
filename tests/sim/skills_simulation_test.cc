// Skills in the simulator (seed 002): arrival streams carry requirement sets, prepared once in the
// kernel; only qualified agents answer them; optional skills drop on time, visibly in the report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "omnikernel/sim/simulation.h"
#include "run_scenario.h"

namespace omni::sim {
namespace {

using Json = nlohmann::json;

// One queue served by three English agents, two Spanish speakers and one whose own level of
// Spanish (3) overrides its profile's (8); agents have capacity 1 and answer after 2 s.
Json skills_scenario() {
  return Json::parse(R"({
    "name": "skills", "seed": 11, "duration": "4h",
    "skills": ["English", "Spanish", "French"],
    "channels": [{"name": "chat"}],
    "routing_configs": [{"name": "r"}],
    "queues": [{"name": "q", "channel": "chat", "routing": "r"}],
    "presence_configs": [{"name": "pc", "capacity": 1}],
    "statuses": [{"name": "On", "kind": "online", "channels": ["chat"]}],
    "profiles": [{"name": "en", "presence_config": "pc", "skills": [{"skill": "English", "level": 8}]},
                 {"name": "es", "presence_config": "pc",
                  "skills": [{"skill": "English", "level": 5}, {"skill": "Spanish", "level": 8}]}],
    "agents": [{"name": "en", "profile": "en", "count": 3, "queues": ["q"], "status": "On"},
               {"name": "es", "profile": "es", "count": 2, "queues": ["q"], "status": "On"},
               {"name": "es_low", "profile": "es", "queues": ["q"], "status": "On",
                "skills": [{"skill": "Spanish", "level": 3}]}],
    "arrivals": [{"queue": "q", "rate_per_hour": 15, "requirements": [{"skill": "Spanish", "min_level": 5}]}],
    "agent_behaviour": {"answer_delay": "2s", "handle_time": {"type": "exponential", "mean": "3m"}}
  })");
}

Report run(const Json& scenario_json) { return test_support::run_scenario(scenario_json, "skills.json"); }

const AgentReport& agent(const Report& r, const std::string& name) {
  for (const AgentReport& a : r.agents) {
    if (a.name == name) return a;
  }
  ADD_FAILURE() << "no agent " << name;
  return r.agents.front();
}

// The seed-002 story: a Spanish-speaking customer is offered only to agents with Spanish at 5 or
// more — not to the English agents, and not to the one whose own level (3) overrides its
// profile's 8.
TEST(SkillsSimulation, OnlyQualifiedAgentsAnswerTheSkilledStream) {
  const Report r = run(skills_scenario());
  ASSERT_EQ(r.requirement_sets.size(), 1u);
  const RequirementSetReport& set = r.requirement_sets[0];
  EXPECT_EQ(set.queue, "q");
  EXPECT_EQ(set.label, "Spanish>=5");
  EXPECT_GT(set.counters.offered, 30u);
  EXPECT_EQ(set.counters.offered, r.queues[0].counters.offered);
  EXPECT_EQ(set.counters.answered, r.queues[0].counters.answered);
  EXPECT_GT(set.counters.answered, 30u);
  EXPECT_EQ(set.relaxed, 0u);  // nothing optional to drop
  EXPECT_EQ(set.skills_dropped, 0u);
  EXPECT_GE(set.p90_wait_s, set.counters.asa() * 0.5);
  EXPECT_LE(set.p90_wait_s, set.counters.longest_wait_s);
  for (const char* name : {"en-1", "en-2", "en-3", "es_low"}) EXPECT_EQ(agent(r, name).offered, 0u) << name;
  EXPECT_EQ(agent(r, "es-1").handled + agent(r, "es-2").handled, r.queues[0].counters.closed);
  EXPECT_GT(agent(r, "es-1").handled, 0u);
  EXPECT_GT(agent(r, "es-2").handled, 0u);
}

// Without skills_based only the queue's members are asked; with it, any qualified agent.
TEST(SkillsSimulation, SkillsBasedRoutingReachesQualifiedNonMembers) {
  Json s = skills_scenario();
  s["queues"].push_back({{"name", "other"}, {"channel", "chat"}, {"routing", "r"}});
  s["agents"][1]["queues"] = {"other"};  // the Spanish speakers leave q
  s["arrivals"][0]["patience"] = "10m";
  Report r = run(s);
  EXPECT_EQ(r.requirement_sets[0].counters.answered, 0u);  // nobody in q speaks Spanish at 5
  EXPECT_GT(r.requirement_sets[0].counters.abandoned, 30u);  // the rest still wait at the end
  s["routing_configs"][0]["skills_based"] = true;
  r = run(s);
  EXPECT_GT(r.requirement_sets[0].counters.answered, 30u);
  EXPECT_GT(agent(r, "es-1").handled, 0u);
  for (const char* name : {"en-1", "en-2", "en-3", "es_low"}) EXPECT_EQ(agent(r, name).offered, 0u) << name;
}

// Nobody speaks French: an item asking for French as optional, dropped after 45 s, is answered
// 45 s (+ the kernel's timer resolution, 10 ms, + the 2 s answer delay) after it arrived; asked
// as required it is never answered.
TEST(SkillsSimulation, DropTimingIsVisibleInTheReport) {
  Json s = skills_scenario();
  s["arrivals"] = Json::parse(R"([
    {"queue": "q", "rate_per_hour": 6,
     "requirements": [{"skill": "English", "min_level": 5}, {"skill": "French", "min_level": 3, "drop_after": "45s"}]},
    {"queue": "q", "rate_per_hour": 6, "patience": "5m", "requirements": [{"skill": "French"}]}
  ])");
  s["agent_behaviour"]["handle_time"] = "20s";  // never a queue: the drop alone makes the wait
  const Report r = run(s);
  ASSERT_EQ(r.requirement_sets.size(), 2u);
  const RequirementSetReport& optional = r.requirement_sets[0];
  EXPECT_EQ(optional.label, "English>=5, French>=3 (drop after 45s)");
  ASSERT_GT(optional.counters.answered, 10u);
  EXPECT_NEAR(optional.counters.asa(), 47.01, 0.02);
  EXPECT_NEAR(optional.p90_wait_s, 47.01, 0.02);
  EXPECT_NEAR(optional.counters.longest_wait_s, 47.01, 0.02);
  EXPECT_EQ(optional.relaxed, optional.counters.answered);  // each one had French dropped, once
  EXPECT_EQ(optional.skills_dropped, optional.relaxed);
  EXPECT_EQ(optional.counters.answered_within_threshold, 0u);  // 20 s threshold
  const RequirementSetReport& required = r.requirement_sets[1];
  EXPECT_EQ(required.label, "French>=1");
  EXPECT_GT(required.counters.offered, 10u);
  EXPECT_EQ(required.counters.answered, 0u);
  EXPECT_EQ(required.relaxed, 0u);
  EXPECT_GE(required.counters.abandoned + 1, required.counters.offered);  // the last may still wait
}

// Streams asking for the same set (in any order) share one prepared set and one report row.
TEST(SkillsSimulation, TheSameSetIsPreparedOnce) {
  Json s = skills_scenario();
  s["arrivals"] = Json::parse(R"([
    {"queue": "q", "rate_per_hour": 5, "requirements": [{"skill": "Spanish", "min_level": 5}, {"skill": "English"}]},
    {"queue": "q", "rate_per_hour": 5, "requirements": [{"skill": "English", "min_level": 1}, {"skill": "Spanish", "min_level": 5}]},
    {"queue": "q", "rate_per_hour": 5}
  ])");
  s["limits"] = {{"max_requirement_sets", 1}};
  const Report r = run(s);
  ASSERT_EQ(r.requirement_sets.size(), 1u);
  EXPECT_EQ(r.requirement_sets[0].label, "Spanish>=5, English>=1");  // as the first stream wrote it
  EXPECT_LT(r.requirement_sets[0].counters.offered, r.queues[0].counters.offered);  // the third asks for none
}

// More distinct sets than limits.max_requirement_sets: the run does not start, and the error
// names the stream whose set did not fit.
TEST(SkillsSimulation, TooManyRequirementSetsNameTheStream) {
  Json s = skills_scenario();
  s["arrivals"].push_back({{"queue", "q"}, {"rate_per_hour", 5}, {"requirements", {{{"skill", "English"}}}}});
  s["limits"] = {{"max_requirement_sets", 1}};
  auto scenario = load_scenario_text(s.dump(), "skills.json");
  ASSERT_TRUE(scenario.has_value()) << scenario.error().message();
  auto sim = Simulation::create(std::move(*scenario));
  ASSERT_FALSE(sim.has_value());
  EXPECT_EQ(sim.error().field, "arrivals[1].requirements");
  EXPECT_EQ(sim.error().reason.rfind("the kernel refused the requirement set: requirements_exhausted", 0), 0u)
      << sim.error().reason;
  EXPECT_NE(sim.error().reason.find("limits.max_requirement_sets = 1"), std::string::npos) << sim.error().reason;
}

}  // namespace
}  // namespace omni::sim
