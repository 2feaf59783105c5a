// The scenario format: what it reads, and an error naming the field path for every bad input.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "omnikernel/sim/scenario.h"

namespace omni::sim {
namespace {

using namespace std::chrono_literals;
using config::Json;

constexpr const char* kScenario = R"({
  "name": "test", "seed": 9, "duration": "2h", "warmup": "10m", "service_level_threshold": 30,
  "customers": 100, "patience": {"type": "exponential", "mean": "3m"},
  "policies": {"simultaneous_sessions": {"allow_simultaneous_sessions": true}},
  "plugins": "plugins",
  "skills": ["English", "Spanish", "French"],
  "channels": [{"name": "chat", "paused_values": ["Waiting"]}],
  "routing_configs": [{"name": "r", "push_timeout": "20s"}],
  "queues": [{"name": "q1", "channel": "chat", "routing": "r"}, {"name": "q2", "channel": "chat", "routing": "r"}],
  "presence_configs": [{"name": "pc", "capacity": 2, "allow_decline": true, "decline_reasons": ["busy", "other"]}],
  "statuses": [{"name": "Off", "kind": "offline"}, {"name": "On", "kind": "online", "channels": ["chat"]},
               {"name": "Lunch", "kind": "pause", "pause_cause": "lunch"}],
  "profiles": [{"name": "p", "presence_config": "pc"}, {"name": "vip", "presence_config": "pc"}],
  "agents": [{"profile": "p", "count": 4, "queues": ["q1", "q2"], "status": "On"}],
  "arrivals": [
    {"queue": "q1", "rate_per_hour": 30,
     "requirements": [{"skill": "Spanish", "min_level": 5}, {"skill": "French", "min_level": 3, "drop_after": "20s"}]},
    {"queue": "q2", "adapter": "webchat", "schedule": [{"from": 0, "rate_per_hour": 10}, {"from": "1h", "rate_per_hour": 50}],
     "patience": null, "bot_fraction": 0.2}
  ],
  "agent_behaviour": {
    "answer_delay": "3s", "decline_probability": 0.1, "decline_reasons": {"busy": 3, "other": 1},
    "no_answer_probability": 0.05, "handle_time": {"type": "exponential", "mean": "4m"},
    "handle_time_by_channel": {"chat": "2m"}, "pause_probability": 0.5, "paused_value": "Waiting",
    "wrap_up": "10s", "return_after": "1m",
    "breaks": [{"status": "Lunch", "every": "4h", "length": "30m"}],
    "by_profile": {"vip": {"decline_probability": 0}}
  }
})";

TEST(ScenarioReader, ReadsEveryKey) {
  auto s = load_scenario_text(kScenario, "test.json", "/base");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->name, "test");
  EXPECT_EQ(s->seed, 9u);
  EXPECT_EQ(s->duration, Duration(2h));
  EXPECT_EQ(s->warmup, Duration(10min));
  EXPECT_EQ(s->service_level_threshold, Duration(30s));
  EXPECT_EQ(s->customers, 100u);
  ASSERT_TRUE(s->patience.has_value());
  EXPECT_EQ(s->patience->kind, Distribution::Kind::exponential);
  EXPECT_EQ(s->policies.at("simultaneous_sessions"), R"({"allow_simultaneous_sessions":true})");
  EXPECT_EQ(s->plugin_directory, "plugins");
  EXPECT_EQ(s->base_dir, "/base");
  EXPECT_EQ(s->config.agents.size(), 4u);
  ASSERT_EQ(s->arrivals.size(), 2u);
  EXPECT_EQ(s->arrivals[0].path, "arrivals[0]");
  EXPECT_EQ(s->arrivals[0].rate.size(), 1u);
  EXPECT_DOUBLE_EQ(s->arrivals[0].rate[0].per_hour, 30);
  EXPECT_EQ(s->arrivals[1].adapter, "webchat");
  EXPECT_EQ(s->arrivals[1].rate.size(), 2u);
  EXPECT_EQ(s->arrivals[1].rate[1].from, Duration(1h));
  EXPECT_FALSE(s->arrivals[1].patience.has_value());
  EXPECT_DOUBLE_EQ(s->arrivals[1].bot_fraction, 0.2);
  EXPECT_EQ(s->adapters_used(), std::vector<std::string>{"webchat"});
  ASSERT_EQ(s->arrivals[0].requirements.size(), 2u);
  EXPECT_EQ(s->arrivals[0].requirements[0].skill, "Spanish");
  EXPECT_EQ(s->arrivals[0].requirements[0].min_level, 5);
  EXPECT_EQ(s->arrivals[0].requirements[0].drop_after, Duration::zero());  // required
  EXPECT_EQ(s->arrivals[0].requirements[1].skill, "French");
  EXPECT_EQ(s->arrivals[0].requirements[1].drop_after, Duration(20s));  // optional
  EXPECT_TRUE(s->arrivals[1].requirements.empty());

  const AgentBehaviour& b = s->behaviour;
  EXPECT_EQ(b.answer_delay.mean, Duration(3s));
  EXPECT_DOUBLE_EQ(b.decline_probability, 0.1);
  ASSERT_EQ(b.decline_reasons.size(), 2u);
  EXPECT_EQ(b.handle_time_by_channel.at("chat").mean, Duration(2min));
  EXPECT_EQ(b.paused_value, "Waiting");
  ASSERT_TRUE(b.wrap_up.has_value());
  ASSERT_EQ(b.breaks.size(), 1u);
  EXPECT_EQ(b.breaks[0].status, "Lunch");
  // A per-profile behaviour starts from the scenario-wide one and overrides what it names.
  const AgentBehaviour& vip = s->behaviour_by_profile.at("vip");
  EXPECT_DOUBLE_EQ(vip.decline_probability, 0);
  EXPECT_EQ(vip.answer_delay.mean, Duration(3s));
  AgentConfig agent;
  agent.profile = "vip";
  EXPECT_EQ(&s->behaviour_of(agent), &vip);
  agent.profile = "p";
  EXPECT_EQ(&s->behaviour_of(agent), &s->behaviour);
}

struct BadCase {
  const char* what;
  std::function<void(Json&)> mutate;
  const char* expected;
};
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

class ScenarioErrors : public ::testing::TestWithParam<BadCase> {};

// Adds preference keys to arrival stream `stream`.
std::function<void(Json&)> prefer(size_t stream, Json keys) {
  return [stream, keys](Json& d) { d["arrivals"][stream].update(keys); };
}

TEST_P(ScenarioErrors, NameTheFieldAndReason) {
  Json doc = Json::parse(kScenario);
  GetParam().mutate(doc);
  auto s = load_scenario_text(doc.dump(), "test.json");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), GetParam().expected);
}

const BadCase kCases[] = {
    // skill requirements of an arrival stream (seed 002)
    {"requirements not a list", [](Json& d) { d["arrivals"][0]["requirements"] = {{"Spanish", 5}}; },
     "arrivals[0].requirements: expected an array, got object"},
    {"requirements empty", [](Json& d) { d["arrivals"][0]["requirements"] = Json::array(); },
     "arrivals[0].requirements: must ask for at least one skill (leave the key out for none)"},
    {"requirement unknown skill", [](Json& d) { d["arrivals"][0]["requirements"][1]["skill"] = "Frnech"; },
     "arrivals[0].requirements[1].skill: unknown skill \"Frnech\" (did you mean \"French\"?)"},
    {"requirement without skill", [](Json& d) { d["arrivals"][0]["requirements"][0].erase("skill"); },
     "arrivals[0].requirements[0].skill: missing (required)"},
    {"requirement skill twice", [](Json& d) { d["arrivals"][0]["requirements"][1]["skill"] = "Spanish"; },
     "arrivals[0].requirements[1].skill: skill \"Spanish\" asked for twice"},
    {"requirement level zero", [](Json& d) { d["arrivals"][0]["requirements"][0]["min_level"] = 0; },
     "arrivals[0].requirements[0].min_level: must be between 1 and 10"},
    {"requirement level eleven", [](Json& d) { d["arrivals"][0]["requirements"][1]["min_level"] = 11; },
     "arrivals[0].requirements[1].min_level: must be between 1 and 10"},
    {"requirement level as string", [](Json& d) { d["arrivals"][0]["requirements"][0]["min_level"] = "high"; },
     "arrivals[0].requirements[0].min_level: expected an integer, got string"},
    {"requirement bad drop_after", [](Json& d) { d["arrivals"][0]["requirements"][1]["drop_after"] = "soon"; },
     "arrivals[0].requirements[1].drop_after: invalid duration \"soon\" (use seconds as a number, or a string "
     "such as \"30s\", \"500ms\", \"2m\", \"1h30m\")"},
    {"requirement negative drop_after", [](Json& d) { d["arrivals"][0]["requirements"][1]["drop_after"] = -5; },
     "arrivals[0].requirements[1].drop_after: duration must be >= 0"},
    {"requirement drop_after above the kernel's 1h", [](Json& d) { d["arrivals"][0]["requirements"][1]["drop_after"] = "61m"; },
     "arrivals[0].requirements[1].drop_after: must be at most 1h"},
    // preferred (sticky) agents (issue 9, item 4)
    {"preferred agent unknown", prefer(0, {{"preferred_agent", "nobody"}, {"preferred_wait", "30s"}}),
     "arrivals[0].preferred_agent: unknown agent \"nobody\""},
    {"preferred agent without a wait", prefer(1, {{"preferred_agent", "p-2"}}),
     "arrivals[1].preferred_wait: missing: how long an arrival waits for its preferred agent (0 < wait <= 1h)"},
    {"prefer_last_agent without a wait", prefer(0, {{"prefer_last_agent", true}}),
     "arrivals[0].preferred_wait: missing: how long an arrival waits for its preferred agent (0 < wait <= 1h)"},
    {"preferred wait zero", prefer(0, {{"preferred_agent", "p-1"}, {"preferred_wait", 0}}),
     "arrivals[0].preferred_wait: must be > 0"},
    {"preferred wait above the kernel's 1h", prefer(0, {{"prefer_last_agent", true}, {"preferred_wait", "1h1s"}}),
     "arrivals[0].preferred_wait: must be at most 1h"},
    {"preferred wait without a preference", prefer(0, {{"preferred_wait", "30s"}}),
     "arrivals[0].preferred_wait: needs preferred_agent or prefer_last_agent"},
    {"prefer_last_agent without customers",
     [](Json& d) {
       d.erase("customers");
       prefer(1, {{"prefer_last_agent", true}, {"preferred_wait", "30s"}})(d);
     },
     "arrivals[1].prefer_last_agent: needs a customer population (\"customers\" > 0): anonymous customers have "
     "no last agent"},
    {"both preferences", prefer(0, {{"preferred_agent", "p-1"}, {"prefer_last_agent", true}, {"preferred_wait", "30s"}}),
     "arrivals[0].prefer_last_agent: give preferred_agent or prefer_last_agent, not both"},
    {"prefer_last_agent not a boolean", prefer(0, {{"prefer_last_agent", "yes"}, {"preferred_wait", "30s"}}),
     "arrivals[0].prefer_last_agent: expected true or false, got string"},
    {"requirement key typo", [](Json& d) { d["arrivals"][0]["requirements"][0]["min_levle"] = 2; },
     "arrivals[0].requirements[0].min_levle: unknown key (did you mean \"min_level\"?)"},
    {"more than eight requirements",
     [](Json& d) {
       d["skills"] = Json::array();
       d["arrivals"][0]["requirements"] = Json::array();
       for (int i = 0; i < 9; ++i) {
         d["skills"].push_back("s" + std::to_string(i));
         d["arrivals"][0]["requirements"].push_back({{"skill", "s" + std::to_string(i)}});
       }
     },
     "arrivals[0].requirements: at most 8 skills per item (the kernel's bound)"},
    {"requirements without skills", [](Json& d) { d.erase("skills"); },
     "arrivals[0].requirements[0].skill: unknown skill \"Spanish\" (the scenario names no \"skills\")"},
    {"config error passes through", [](Json& d) { d["queues"][1]["routing"] = {{"model", "fastest"}}; },
     "queues[1].routing.model: unknown model \"fastest\" (one of: least_active, most_available, longest_idle_agent, round_robin)"},
    {"top-level typo", [](Json& d) { d["durration"] = "1h"; }, "durration: unknown key (did you mean \"duration\"?)"},
    {"zero duration", [](Json& d) { d["duration"] = 0; }, "duration: must be > 0"},
    {"warmup too long", [](Json& d) { d["warmup"] = "3h"; }, "warmup: must be shorter than duration"},
    {"seed negative", [](Json& d) { d["seed"] = -1; }, "seed: must be >= 0"},
    {"customers over the kernel limit", [](Json& d) { d["customers"] = 1000000; },
     "customers: must be <= limits.max_customers (65536): the kernel tracks at most that many distinct "
     "customers over its lifetime"},
    {"policy settings not an object", [](Json& d) { d["policies"]["simultaneous_sessions"] = true; },
     "policies.simultaneous_sessions: expected an object (the policy's configuration), got boolean"},
    {"no arrivals", [](Json& d) { d["arrivals"] = Json::array(); },
     "arrivals: a scenario needs at least one arrival stream"},
    {"no agents", [](Json& d) { d.erase("agents"); }, "agents: a scenario needs at least one agent"},
    {"arrival unknown queue", [](Json& d) { d["arrivals"][0]["queue"] = "q3"; },
     "arrivals[0].queue: unknown queue \"q3\" (did you mean \"q1\"?)"},
    {"arrival without rate", [](Json& d) { d["arrivals"][0].erase("rate_per_hour"); },
     "arrivals[0].rate_per_hour: missing: an arrival stream needs rate_per_hour, schedule or replay"},
    {"negative rate", [](Json& d) { d["arrivals"][0]["rate_per_hour"] = -5; }, "arrivals[0].rate_per_hour: must be >= 0"},
    {"rate and schedule", [](Json& d) { d["arrivals"][1]["rate_per_hour"] = 5; },
     "arrivals[1].schedule: give rate_per_hour or schedule, not both"},
    {"schedule not from zero", [](Json& d) { d["arrivals"][1]["schedule"][0]["from"] = "5m"; },
     "arrivals[1].schedule[0].from: the first step must start at 0"},
    {"schedule out of order", [](Json& d) { d["arrivals"][1]["schedule"][1]["from"] = 0; },
     "arrivals[1].schedule[1].from: steps must be in increasing order of \"from\""},
    {"replay without adapter", [](Json& d) {
       d["arrivals"][0].erase("rate_per_hour");
       d["arrivals"][0]["replay"] = "x.jsonl";
     },
     "arrivals[0].replay: needs an \"adapter\" to parse the payloads"},
    {"template without adapter", [](Json& d) { d["arrivals"][0]["payload_template"] = "{}"; },
     "arrivals[0].payload_template: needs an \"adapter\" to parse the payload"},
    {"bot fraction", [](Json& d) { d["arrivals"][1]["bot_fraction"] = 2; },
     "arrivals[1].bot_fraction: must be a probability in [0, 1]"},
    {"probabilities over one", [](Json& d) { d["agent_behaviour"]["no_answer_probability"] = 0.95; },
     "agent_behaviour.no_answer_probability: decline_probability + no_answer_probability must be <= 1"},
    {"unknown decline reason", [](Json& d) { d["agent_behaviour"]["decline_reasons"]["tired"] = 1; },
     "agent_behaviour.decline_reasons.tired: no presence config has this decline reason"},
    {"decline weight", [](Json& d) { d["agent_behaviour"]["decline_reasons"]["busy"] = 0; },
     "agent_behaviour.decline_reasons.busy: weight must be > 0"},
    {"handle time channel", [](Json& d) { d["agent_behaviour"]["handle_time_by_channel"]["fax"] = "1m"; },
     "agent_behaviour.handle_time_by_channel.fax: unknown service channel \"fax\""},
    {"paused value", [](Json& d) { d["agent_behaviour"]["paused_value"] = "Sleeping"; },
     "agent_behaviour.paused_value: no service channel has the paused value \"Sleeping\""},
    {"break status unknown", [](Json& d) { d["agent_behaviour"]["breaks"][0]["status"] = "Nap"; },
     "agent_behaviour.breaks[0].status: unknown status \"Nap\""},
    {"break status online", [](Json& d) { d["agent_behaviour"]["breaks"][0]["status"] = "On"; },
     "agent_behaviour.breaks[0].status: a break needs a status that is not online"},
    {"break missing length", [](Json& d) { d["agent_behaviour"]["breaks"][0].erase("length"); },
     "agent_behaviour.breaks[0].length: missing (required)"},
    {"behaviour typo", [](Json& d) { d["agent_behaviour"]["handel_time"] = "1m"; },
     "agent_behaviour.handel_time: unknown key (did you mean \"handle_time\"?)"},
    {"profile override unknown profile", [](Json& d) { d["agent_behaviour"]["by_profile"]["boss"] = Json::object(); },
     "agent_behaviour.by_profile.boss: unknown profile \"boss\""},
    {"profile override typo", [](Json& d) { d["agent_behaviour"]["by_profile"]["vip"]["pause_probabilty"] = 1; },
     "agent_behaviour.by_profile.vip.pause_probabilty: unknown key (did you mean \"pause_probability\"?)"},
    {"transfer without destinations", [](Json& d) { d["agent_behaviour"]["transfer_probability"] = 0.1; },
     "agent_behaviour.transfer_to: must list the queues sessions are transferred to"},
    {"transfer to unknown queue",
     [](Json& d) {
       d["agent_behaviour"]["transfer_probability"] = 0.1;
       d["agent_behaviour"]["transfer_to"] = {"q1", "nowhere"};
     },
     "agent_behaviour.transfer_to[1]: unknown queue \"nowhere\""},
    {"probability range", [](Json& d) { d["agent_behaviour"]["pause_probability"] = 1.5; },
     "agent_behaviour.pause_probability: must be a probability in [0, 1]"},
    {"patience type", [](Json& d) { d["patience"] = {{"type", "forever"}}; },
     "patience.type: unknown distribution \"forever\" (one of: constant, exponential, uniform, lognormal, erlang)"},
};

INSTANTIATE_TEST_SUITE_P(AllClasses, ScenarioErrors, ::testing::ValuesIn(kCases), [](const auto& info) {
  std::string name = info.param.what;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
});

// Preferred agents: a named one on one stream, the customer's last one on another.
TEST(ScenarioReader, ReadsPreferences) {
  Json doc = Json::parse(kScenario);
  doc["arrivals"][0]["preferred_agent"] = "p-3";
  doc["arrivals"][0]["preferred_wait"] = "45s";
  doc["arrivals"][1]["prefer_last_agent"] = true;
  doc["arrivals"][1]["preferred_wait"] = "1h";  // the kernel's bound, included
  auto s = load_scenario_text(doc.dump(), "test.json");
  ASSERT_TRUE(s.has_value()) << s.error().message();
  EXPECT_EQ(s->arrivals[0].preferred_agent, "p-3");
  EXPECT_FALSE(s->arrivals[0].prefer_last_agent);
  EXPECT_EQ(s->arrivals[0].preferred_wait, Duration(45s));
  EXPECT_TRUE(s->arrivals[1].preferred_agent.empty());
  EXPECT_TRUE(s->arrivals[1].prefer_last_agent);
  EXPECT_EQ(s->arrivals[1].preferred_wait, Duration(1h));
  EXPECT_FALSE(load_scenario_text(kScenario, "test.json")->arrivals[0].has_preference());
}

TEST(ScenarioReader, SyntaxErrorNamesFileLineColumn) {
  auto s = load_scenario_text("{\n\"name\": }", "broken.json");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().field, "broken.json:2:9");
}

TEST(ScenarioReader, MissingFile) {
  auto s = load_scenario_file("/nonexistent/scenario.json");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), "/nonexistent/scenario.json: no such file");
}

// Not "invalid JSON": what is wrong with the path itself.
TEST(ScenarioReader, DirectoryIsNotAScenarioFile) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  auto s = load_scenario_file(dir);
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().message(), dir.string() + ": is a directory, not a scenario file");
}

// A duplicate key is refused wherever it is, naming its path (nlohmann would keep the last one).
TEST(ScenarioReader, DuplicateKeysNameTheirPath) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {R"("seed": 9,)", R"("seed": 9, "seed": 10,)", "seed: duplicate key"},
      {R"({"profile": "p", "count": 4,)", R"({"profile": "p", "count": 4, "count": 5,)", "agents[0].count: duplicate key"},
      {R"({"queue": "q1", "rate_per_hour": 30,)", R"({"queue": "q1", "rate_per_hour": 30, "queue": "q2",)",
       "arrivals[0].queue: duplicate key"},
      {R"({"skill": "Spanish", "min_level": 5})", R"({"skill": "Spanish", "min_level": 5, "min_level": 6})",
       "arrivals[0].requirements[0].min_level: duplicate key"},
      {R"({"from": "1h", "rate_per_hour": 50})", R"({"from": "1h", "rate_per_hour": 50, "from": "2h"})",
       "arrivals[1].schedule[1].from: duplicate key"},
      {R"({"decline_probability": 0})", R"({"decline_probability": 0, "decline_probability": 1})",
       "agent_behaviour.by_profile.vip.decline_probability: duplicate key"},
      {R"({"allow_simultaneous_sessions": true})", R"({"allow_simultaneous_sessions": true, "allow_simultaneous_sessions": false})",
       "policies.simultaneous_sessions.allow_simultaneous_sessions: duplicate key"},
      {R"("busy": 3,)", R"("busy": 3, "busy": 1,)", "agent_behaviour.decline_reasons.busy: duplicate key"},
  };
  for (const Case& c : cases) {
    std::string text = kScenario;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto s = load_scenario_text(text, "test.json");
    ASSERT_FALSE(s.has_value()) << c.expected;
    EXPECT_EQ(s.error().message(), c.expected);
  }
  // The same key in different objects is not a duplicate.
  EXPECT_TRUE(load_scenario_text(kScenario, "test.json").has_value());
}

}  // namespace
}  // namespace omni::sim
