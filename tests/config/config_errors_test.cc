// Every class of bad input gets an error naming the field path and the reason.
#include <gtest/gtest.h>

#include <functional>

#include "omnikernel/config/loader.h"
#include "sample_config.h"

namespace omni::config {
namespace {

struct BadCase {
  const char* what;
  std::function<void(Json&)> mutate;
  const char* expected;  // ConfigError::message()
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.what; }

std::string load_mutated(const BadCase& c) {
  Json doc = Json::parse(testing::kSampleConfig);
  c.mutate(doc);
  auto config = load_config_text(doc.dump());
  return config ? "loaded" : config.error().message();
}

class ConfigErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ConfigErrors, NameTheFieldAndReason) { EXPECT_EQ(load_mutated(GetParam()), GetParam().expected); }

const BadCase kCases[] = {
    // unknown keys (typos must not pass silently)
    {"top-level typo", [](Json& d) { d["queus"] = Json::array(); },
     "queus: unknown key (did you mean \"queues\"?)"},
    {"nested typo", [](Json& d) { d["presence_configs"][0]["capcity"] = 2; },
     "presence_configs[0].capcity: unknown key (did you mean \"capacity\"?)"},
    {"inline routing typo", [](Json& d) { d["queues"][1]["routing"]["modle"] = "least_active"; },
     "queues[1].routing.modle: unknown key (did you mean \"model\"?)"},
    {"transfer destinations typo",
     [](Json& d) { d["presence_configs"][0]["transfer_destinations"]["queue"] = Json::array(); },
     "presence_configs[0].transfer_destinations.queue: unknown key (did you mean \"queues\"?)"},
    // types
    {"section not an array", [](Json& d) { d["queues"] = Json::object(); },
     "queues: expected an array, got object"},
    {"element not an object", [](Json& d) { d["channels"][1] = "chat"; },
     "channels[1]: expected an object, got string"},
    {"bool as string", [](Json& d) { d["presence_configs"][0]["auto_accept"] = "no"; },
     "presence_configs[0].auto_accept: expected true or false, got string"},
    {"number as string", [](Json& d) { d["presence_configs"][0]["capacity"] = "3"; },
     "presence_configs[0].capacity: expected a number, got string"},
    {"priority not whole", [](Json& d) { d["routing_configs"][0]["priority"] = 1.5; },
     "routing_configs[0].priority: must be a whole number"},
    {"list element type", [](Json& d) { d["agents"][0]["queues"][0] = 7; },
     "agents[0].queues[0]: expected a string, got number"},
    // values
    {"capacity zero", [](Json& d) { d["presence_configs"][0]["capacity"] = 0; },
     "presence_configs[0].capacity: must be > 0"},
    {"negative interruptible", [](Json& d) { d["presence_configs"][0]["interruptible_capacity"] = -1; },
     "presence_configs[0].interruptible_capacity: must be >= 0"},
    {"unknown model", [](Json& d) { d["queues"][1]["routing"]["model"] = "fastest"; },
     "queues[1].routing.model: unknown model \"fastest\" (one of: least_active, most_available, longest_idle_agent, round_robin)"},
    {"unknown status kind", [](Json& d) { d["statuses"][2]["kind"] = "sleeping"; },
     "statuses[2].kind: unknown status kind \"sleeping\" (one of: online, busy, away, pause, dnd, offline)"},
    {"unknown resume rule", [](Json& d) { d["presence_configs"][0]["resume_rule"] = "maybe"; },
     "presence_configs[0].resume_rule: unknown resume rule \"maybe\" (one of: allow_over_capacity, refuse)"},
    {"bad duration", [](Json& d) { d["routing_configs"][0]["push_timeout"] = "30 sec"; },
     "routing_configs[0].push_timeout: invalid duration \"30 sec\" (use seconds as a number, or a "
     "string such as \"30s\", \"500ms\", \"2m\", \"1h30m\")"},
    {"negative duration", [](Json& d) { d["presence_configs"][0]["wrap_up"] = -5; },
     "presence_configs[0].wrap_up: duration must be >= 0"},
    {"size zero", [](Json& d) { d["routing_configs"][0]["size"] = 0; },
     "routing_configs[0].size: must be > 0"},
    {"percent over 100", [](Json& d) { d["queues"][1]["routing"]["size"] = "150%"; },
     "queues[1].routing.size: percentage must be in (0, 100]"},
    {"percent garbage", [](Json& d) { d["queues"][1]["routing"]["size"] = "half%"; },
     "queues[1].routing.size: invalid percentage \"half%\""},
    {"max_waiting zero", [](Json& d) { d["queues"][0]["max_waiting"] = 0; },
     "queues[0].max_waiting: must be >= 1"},
    {"max_waiting over the kernel's bound", [](Json& d) { d["queues"][0]["max_waiting"] = 5000000; },
     "queues[0].max_waiting: must be <= 4194304"},
    {"count zero", [](Json& d) { d["agents"][1]["count"] = 0; }, "agents[1].count: must be > 0"},
    {"limits too small", [](Json& d) { d["limits"]["event_capacity"] = 1; },
     "limits.event_capacity: must be >= 2"},
    {"limits too large", [](Json& d) { d["limits"]["max_items"] = 1 << 25; },
     "limits.max_items: must be <= 16777216"},
    {"status on decline without declining",
     [](Json& d) {
       d["presence_configs"][0]["allow_decline"] = false;
       d["presence_configs"][0]["decline_reasons"] = Json::array();
     },
     "presence_configs[0].status_on_decline: set, but declining is not allowed (allow_decline is false)"},
    {"reasons without declining",
     [](Json& d) {
       d["presence_configs"][0]["allow_decline"] = false;
       d["presence_configs"][0].erase("status_on_decline");
     },
     "presence_configs[0].decline_reasons: listed, but declining is not allowed (allow_decline is false)"},
    {"pause without cause", [](Json& d) { d["statuses"][3].erase("pause_cause"); },
     "statuses[3].pause_cause: missing: a pause status needs a cause (seed 003)"},
    {"queue listed twice", [](Json& d) { d["agents"][1]["queues"] = {"wa_support", "wa_support"}; },
     "agents[1].queues[1]: queue \"wa_support\" listed twice"},
    {"auto_accept with allow_decline", [](Json& d) { d["presence_configs"][0]["auto_accept"] = true; },
     "presence_configs[0].allow_decline: impossible together with auto_accept (seed 002)"},
    {"reasons required but none",
     [](Json& d) {
       d["presence_configs"][0]["decline_reasons_required"] = true;
       d["presence_configs"][0]["decline_reasons"] = Json::array();
     },
     "presence_configs[0].decline_reasons: must list reasons when decline_reasons_required is true"},
    {"online without channels", [](Json& d) { d["statuses"][1].erase("channels"); },
     "statuses[1].channels: an online status must list the service channels it is online for"},
    {"pause cause on away", [](Json& d) { d["statuses"][2]["pause_cause"] = "x"; },
     "statuses[2].pause_cause: only a pause status has a pause cause"},
    // missing
    {"missing name", [](Json& d) { d["channels"][0].erase("name"); },
     "channels[0].name: missing (required)"},
    {"empty name", [](Json& d) { d["channels"][0]["name"] = ""; },
     "channels[0].name: must not be empty"},
    {"missing queue routing", [](Json& d) { d["queues"][0].erase("routing"); },
     "queues[0].routing: missing (required)"},
    {"agent without profile", [](Json& d) { d["agents"][0].erase("profile"); },
     "agents[0].profile: missing: an agent needs a profile or a presence_config"},
    // references and duplicates
    {"unknown routing", [](Json& d) { d["queues"][0]["routing"] = "fastest"; },
     "queues[0].routing: unknown routing config \"fastest\""},
    {"unknown channel with suggestion", [](Json& d) { d["queues"][0]["channel"] = "chta"; },
     "queues[0].channel: unknown service channel \"chta\" (did you mean \"chat\"?)"},
    {"unknown status on decline", [](Json& d) { d["presence_configs"][0]["status_on_decline"] = "Gone"; },
     "presence_configs[0].status_on_decline: unknown status \"Gone\""},
    {"unknown transfer queue",
     [](Json& d) { d["presence_configs"][0]["transfer_destinations"]["queues"][0] = "nowhere"; },
     "presence_configs[0].transfer_destinations.queues[0]: unknown queue \"nowhere\""},
    {"unknown status channel", [](Json& d) { d["statuses"][1]["channels"][1] = "fax"; },
     "statuses[1].channels[1]: unknown service channel \"fax\""},
    {"unknown profile presence", [](Json& d) { d["profiles"][0]["presence_config"] = "x"; },
     "profiles[0].presence_config: unknown presence config \"x\""},
    {"counted agents unknown queue", [](Json& d) { d["agents"][1]["queues"][1] = "nope"; },
     "agents[1].queues[1]: unknown queue \"nope\""},
    {"unknown initial status", [](Json& d) { d["agents"][0]["status"] = "Sleeping"; },
     "agents[0].status: unknown status \"Sleeping\""},
    {"duplicate queue", [](Json& d) { d["queues"][1]["name"] = "chat_sales"; },
     "queues[1].name: duplicate name \"chat_sales\" in queues"},
    {"duplicate inline routing name", [](Json& d) { d["queues"][1]["routing"]["name"] = "standard"; },
     "queues[1].routing.name: duplicate name \"standard\" in routing_configs"},
    {"duplicate agent from count", [](Json& d) { d["agents"][0]["name"] = "agent-2"; },
     "agents[1].name: duplicate name \"agent-2\" in agents"},
    {"duplicate paused value", [](Json& d) { d["channels"][0]["paused_values"] = {"P", "P"}; },
     "channels[0].paused_values[1]: duplicate value \"P\""},
    {"duplicate decline reason", [](Json& d) { d["presence_configs"][0]["decline_reasons"] = {"a", "a"}; },
     "presence_configs[0].decline_reasons[1]: duplicate value \"a\""},
    // skills (seed 002)
    {"skills not a list", [](Json& d) { d["skills"] = "English"; }, "skills: expected an array, got string"},
    {"skill not a string", [](Json& d) { d["skills"][1] = 3; }, "skills[1]: expected a string, got number"},
    {"empty skill name", [](Json& d) { d["skills"][2] = ""; }, "skills[2]: must not be empty"},
    {"duplicate skill", [](Json& d) { d["skills"][2] = "English"; }, "skills[2]: duplicate skill \"English\""},
    {"profile skills as an object", [](Json& d) { d["profiles"][0]["skills"] = {{"English", 5}}; },
     "profiles[0].skills: expected an array, got object"},
    {"profile skill typo", [](Json& d) { d["profiles"][0]["skills"][1]["skill"] = "Biling"; },
     "profiles[0].skills[1].skill: unknown skill \"Biling\" (did you mean \"Billing\"?)"},
    {"profile skill key typo", [](Json& d) { d["profiles"][0]["skills"][0]["levle"] = 3; },
     "profiles[0].skills[0].levle: unknown key (did you mean \"level\"?)"},
    {"profile skill without level", [](Json& d) { d["profiles"][0]["skills"][0].erase("level"); },
     "profiles[0].skills[0].level: missing (required)"},
    {"profile skill without name", [](Json& d) { d["profiles"][0]["skills"][1].erase("skill"); },
     "profiles[0].skills[1].skill: missing (required)"},
    {"level zero", [](Json& d) { d["profiles"][0]["skills"][0]["level"] = 0; },
     "profiles[0].skills[0].level: must be between 1 and 10"},
    {"level eleven", [](Json& d) { d["agents"][0]["skills"][1]["level"] = 11; },
     "agents[0].skills[1].level: must be between 1 and 10"},
    {"level not whole", [](Json& d) { d["agents"][0]["skills"][0]["level"] = 5.5; },
     "agents[0].skills[0].level: must be a whole number"},
    {"level as string", [](Json& d) { d["agents"][0]["skills"][0]["level"] = "5"; },
     "agents[0].skills[0].level: expected an integer, got string"},
    {"agent skill unknown", [](Json& d) { d["agents"][0]["skills"][0]["skill"] = "Klingon"; },
     "agents[0].skills[0].skill: unknown skill \"Klingon\""},
    {"agent skill listed twice", [](Json& d) { d["agents"][0]["skills"][1]["skill"] = "Spanish"; },
     "agents[0].skills[1].skill: skill \"Spanish\" listed twice"},
    {"counted agents' skill unknown", [](Json& d) { d["agents"][1]["skills"][0]["skill"] = "French"; },
     "agents[1].skills[0].skill: unknown skill \"French\""},
    {"skill element not an object", [](Json& d) { d["agents"][1]["skills"][0] = "English"; },
     "agents[1].skills[0]: expected an object, got string"},
    {"skills_based not a bool", [](Json& d) { d["routing_configs"][0]["skills_based"] = "yes"; },
     "routing_configs[0].skills_based: expected true or false, got string"},
    {"inline skills_based not a bool", [](Json& d) { d["queues"][1]["routing"]["skills_based"] = 1; },
     "queues[1].routing.skills_based: expected true or false, got number"},
    {"max_requirement_sets too large", [](Json& d) { d["limits"]["max_requirement_sets"] = 4097; },
     "limits.max_requirement_sets: must be <= 4096"},
    {"max_requirement_sets negative", [](Json& d) { d["limits"]["max_requirement_sets"] = -1; },
     "limits.max_requirement_sets: must be >= 0"},
    {"max_preferred_waiting too large", [](Json& d) { d["limits"]["max_preferred_waiting"] = 5000; },
     "limits.max_preferred_waiting: must be <= 4096"},
    {"max_agents negative", [](Json& d) { d["limits"]["max_agents"] = -1; }, "limits.max_agents: must be >= 0"},
    {"max_queues negative", [](Json& d) { d["limits"]["max_queues"] = -1; }, "limits.max_queues: must be >= 0"},
    {"removed not a bool", [](Json& d) { d["agents"][1]["removed"] = "yes"; },
     "agents[1].removed: expected true or false, got string"},
    // overflow, expiry and tie-breaks (issue 9, items 3 and 5)
    {"unknown tie-break", [](Json& d) { d["routing_configs"][0]["tie_break"] = "longest"; },
     "routing_configs[0].tie_break: unknown tie-break \"longest\" (one of: listed_order, round_robin, longest_idle, most_skilled)"},
    {"channel limit unknown channel", [](Json& d) { d["presence_configs"][0]["channel_limits"] = {{{"channel", "fax"}, {"max", 1}}}; },
     "presence_configs[0].channel_limits[0].channel: unknown channel \"fax\""},
    {"channel limit max 0", [](Json& d) { d["presence_configs"][0]["channel_limits"] = {{{"channel", "chat"}, {"max", 0}}}; },
     "presence_configs[0].channel_limits[0].max: must be between 1 and 15"},
    {"channel limit typo", [](Json& d) { d["presence_configs"][0]["channel_limits"] = {{{"channel", "chat"}, {"max", 1}, {"maximum", 2}}}; },
     "presence_configs[0].channel_limits[0].maximum: unknown key"},
    {"transfer_keeps_arrival not bool", [](Json& d) { d["routing_configs"][0]["transfer_keeps_arrival"] = "yes"; },
     "routing_configs[0].transfer_keeps_arrival: expected true or false, got string"},
    {"inline tie-break not a string", [](Json& d) { d["queues"][1]["routing"]["tie_break"] = 1; },
     "queues[1].routing.tie_break: expected a string, got number"},
    {"tie-break typo", [](Json& d) { d["routing_configs"][0]["tie_brake"] = "round_robin"; },
     "routing_configs[0].tie_brake: unknown key (did you mean \"tie_break\"?)"},
    {"max_wait negative", [](Json& d) { d["queues"][0]["max_wait"] = -5; },
     "queues[0].max_wait: duration must be >= 0"},
    {"max_wait garbage", [](Json& d) { d["queues"][0]["max_wait"] = "ten minutes"; },
     "queues[0].max_wait: invalid duration \"ten minutes\" (use seconds as a number, or a string such as "
     "\"30s\", \"500ms\", \"2m\", \"1h30m\")"},
    {"overflow_after negative", [](Json& d) { d["queues"][0]["overflow_after"] = "-1s"; },
     "queues[0].overflow_after: duration must be >= 0"},
    {"overflow_after as bool", [](Json& d) { d["queues"][0]["overflow_after"] = true; },
     "queues[0].overflow_after: expected a duration (seconds, or a string such as \"30s\"), got boolean"},
    {"overflow_to not a string", [](Json& d) { d["queues"][0]["overflow_to"] = 1; },
     "queues[0].overflow_to: expected a string, got number"},
    {"overflow_after without overflow_to", [](Json& d) { d["queues"][0]["overflow_after"] = 30; },
     "queues[0].overflow_to: overflow_after is set: name the queue to move to"},
    {"overflow_to without overflow_after", [](Json& d) { d["queues"][1]["overflow_to"] = "chat_sales"; },
     "queues[1].overflow_to: set, but overflow_after is 0"},
    {"overflow_to unknown with suggestion",
     [](Json& d) {
       d["queues"][0]["overflow_after"] = 30;
       d["queues"][0]["overflow_to"] = "wa_suport";
     },
     "queues[0].overflow_to: unknown queue \"wa_suport\" (did you mean \"wa_support\"?)"},
    {"overflow into itself",
     [](Json& d) {
       d["queues"][1]["overflow_after"] = "1m";
       d["queues"][1]["overflow_to"] = "wa_support";
     },
     "queues[1].overflow_to: a queue cannot overflow into itself"},
    {"overflow chain loops",
     [](Json& d) {
       d["queues"][0]["overflow_after"] = 30;
       d["queues"][0]["overflow_to"] = "wa_support";
       d["queues"][1]["overflow_after"] = 60;
       d["queues"][1]["overflow_to"] = "chat_sales";
     },
     "queues[0].overflow_to: the overflow chain from here comes back to a queue it left"},
    {"overflow key typo", [](Json& d) { d["queues"][0]["overflow_too"] = "wa_support"; },
     "queues[0].overflow_too: unknown key (did you mean \"overflow_to\"?)"},
};

INSTANTIATE_TEST_SUITE_P(AllClasses, ConfigErrors, ::testing::ValuesIn(kCases),
                         [](const auto& info) {
                           std::string name = info.param.what;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(ConfigSyntax, ErrorsNameSourceLineAndColumn) {
  auto config = load_config_text("{\n  \"channels\": [\n    {\"name\": \"chat\",}\n  ]\n}", "my.json");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().field, "my.json:3:21");
  EXPECT_TRUE(config.error().reason.starts_with("invalid JSON: ")) << config.error().reason;
}

TEST(ConfigSyntax, TopLevelMustBeAnObject) {
  auto config = load_config_text("[1, 2]");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message(), "(top level): expected an object, got array");
}

TEST(ConfigSyntax, EmptyAndTruncatedText) {
  EXPECT_FALSE(load_config_text("").has_value());
  EXPECT_FALSE(load_config_text("{\"channels\": [").has_value());
}

}  // namespace
}  // namespace omni::config
