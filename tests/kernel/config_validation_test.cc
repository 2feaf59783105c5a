// Invalid configuration is refused at load with the field path and the reason.
#include <functional>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

struct Case {
  const char* name;
  std::function<void(Config&)> mutate;
  const char* field;
  const char* reason_contains;
};

// Keeps CTest's test names readable (gtest prints GetParam() into them).
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class ConfigValidation : public ::testing::TestWithParam<Case> {};

TEST_P(ConfigValidation, NamesTheFieldAndTheReason) {
  Config c = contact_centre(2);
  GetParam().mutate(c);
  ManualClock clock;
  auto k = Kernel::create(c, clock);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, GetParam().field);
  EXPECT_NE(k.error().reason.find(GetParam().reason_contains), std::string::npos) << k.error().message();
}

const Case kCases[] = {
    {"NoChannels", [](Config& c) { c.channels.clear(); }, "channels", "at least one"},
    {"DuplicateChannel", [](Config& c) { c.channels[1].name = "chat"; }, "channels[1].name", "duplicate"},
    {"EmptyPausedValue", [](Config& c) { c.channels[0].paused_values.push_back(""); }, "channels[0].paused_values[2]", "empty"},
    {"NegativeSize", [](Config& c) { c.routing_configs[0].size = -1; }, "routing_configs[0].size", ">= 0"},
    {"PercentOver100", [](Config& c) { c.routing_configs[1].size = 150; }, "routing_configs[1].size", "at most 100"},
    {"ZeroSize", [](Config& c) { c.routing_configs[0].size = 0; }, "routing_configs[0].size", "> 0"},
    {"NegativePushTimeout", [](Config& c) { c.routing_configs[0].push_timeout = std::chrono::seconds(-1); }, "routing_configs[0].push_timeout", ">= 0"},
    {"UnknownModel", [](Config& c) { c.routing_configs[0].model = static_cast<RoutingModel>(9); }, "routing_configs[0].model", "unknown routing model"},
    {"QueueUnknownRouting", [](Config& c) { c.queues[2].routing = "fastest"; }, "queues[2].routing", "unknown routing config \"fastest\""},
    {"QueueUnknownChannel", [](Config& c) { c.queues[0].channel = "fax"; }, "queues[0].channel", "unknown channel \"fax\""},
    {"QueueZeroWaiting", [](Config& c) { c.queues[0].max_waiting = 0; }, "queues[0].max_waiting", "between"},
    {"ZeroCapacity", [](Config& c) { c.presence_configs[0].capacity = 0; }, "presence_configs[0].capacity", "> 0"},
    {"AutoAcceptAndDecline", [](Config& c) { c.presence_configs[0].auto_accept = true; }, "presence_configs[0].allow_decline", "auto_accept"},
    {"UnknownDeclineStatus", [](Config& c) { c.presence_configs[0].status_on_decline = "Nap"; }, "presence_configs[0].status_on_decline", "unknown status \"Nap\""},
    {"ReasonsRequiredNoneListed", [](Config& c) { c.presence_configs[0].decline_reasons_required = true; c.presence_configs[0].decline_reasons.clear(); }, "presence_configs[0].decline_reasons", "none is listed"},
    {"ReasonsWithoutDecline", [](Config& c) { c.presence_configs[0].allow_decline = false; }, "presence_configs[0].decline_reasons", "not allowed"},
    {"UnknownTimeoutStatus", [](Config& c) { c.presence_configs[0].status_on_push_timeout = "Gone"; }, "presence_configs[0].status_on_push_timeout", "unknown status"},
    {"NegativeWrapUp", [](Config& c) { c.presence_configs[0].wrap_up = std::chrono::seconds(-5); }, "presence_configs[0].wrap_up", ">= 0"},
    {"UnknownTransferQueue", [](Config& c) { c.presence_configs[0].transfer_destinations.queues = {"nowhere"}; }, "presence_configs[0].transfer_destinations.queues[0]", "unknown queue"},
    {"OnlineWithoutChannels", [](Config& c) { c.statuses[1].channels.clear(); }, "statuses[1].channels", "at least one channel"},
    {"OnlineUnknownChannel", [](Config& c) { c.statuses[1].channels = {"chat", "pigeon"}; }, "statuses[1].channels[1]", "unknown channel"},
    {"PauseWithoutCause", [](Config& c) { c.statuses[4].pause_cause.clear(); }, "statuses[4].pause_cause", "needs a cause"},
    {"CauseOnNonPause", [](Config& c) { c.statuses[3].pause_cause = "why"; }, "statuses[3].pause_cause", "only a pause"},
    {"ProfileUnknownPresence", [](Config& c) { c.profiles[0].presence_config = "x"; }, "profiles[0].presence_config", "unknown presence config"},
    {"AgentNoPresence", [](Config& c) { c.agents[1].profile.clear(); }, "agents[1].presence_config", "no presence configuration"},
    {"AgentUnknownQueue", [](Config& c) { c.agents[0].queues.push_back("vip"); }, "agents[0].queues[4]", "unknown queue \"vip\""},
    {"AgentQueueTwice", [](Config& c) { c.agents[0].queues.push_back("sales"); }, "agents[0].queues[4]", "listed twice"},
    {"AgentUnknownStatus", [](Config& c) { c.agents[0].status = "Sleeping"; }, "agents[0].status", "unknown status"},
    {"DuplicateAgent", [](Config& c) { c.agents[1].name = "a0"; }, "agents[1].name", "duplicate"},
    {"ZeroItems", [](Config& c) { c.limits.max_items = 0; }, "limits.max_items", "between"},
    {"ZeroResolution", [](Config& c) { c.limits.timer_resolution = {}; }, "limits.timer_resolution", "> 0"},
    {"MaxAgentsBelowTheAgents", [](Config& c) { c.limits.max_agents = 1; }, "limits.max_agents", "at least the"},
    {"MaxAgentsTooMany", [](Config& c) { c.limits.max_agents = 1u << 21; }, "limits.max_agents", "at most"},
    {"MaxQueuesBelowTheQueues", [](Config& c) { c.limits.max_queues = 1; }, "limits.max_queues", "at least the"},
    {"MaxQueuesTooMany", [](Config& c) { c.limits.max_queues = 1u << 20; }, "limits.max_queues", "at most"},
    // Tombstones (live removals): nothing that stays may refer to one.
    {"RemovedSkillUnknown", [](Config& c) { c.removed_skills = {"klingon"}; }, "removed_skills[0]", "unknown skill"},
    {"AgentOnARemovedQueue", [](Config& c) { c.queues[0].removed = true; }, "agents[0].queues[0]", "is removed"},
    {"AgentInARemovedStatus", [](Config& c) { c.statuses[1].removed = true; }, "agents[0].status", "is removed"},
    {"QueueOnARemovedRouting", [](Config& c) { c.routing_configs[1].removed = true; }, "queues[2].routing", "is removed"},
    {"AgentWithARemovedProfile", [](Config& c) { c.profiles[0].removed = true; }, "agents[0].profile", "is removed"},
    {"ProfileWithARemovedPresence", [](Config& c) { c.presence_configs[0].removed = true; }, "profiles[0].presence_config", "is removed"},
    {"OnlyRemovedStatuses", [](Config& c) { for (auto& s : c.statuses) s.removed = true; }, "statuses", "at least one"},
};

INSTANTIATE_TEST_SUITE_P(Kernel, ConfigValidation, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(ConfigAssignment, UserLevelPresenceConfigWinsOverTheProfile) {
  Config c = contact_centre(2, 1.0);
  PresenceConfigConfig big = c.presence_configs[0];
  big.name = "big";
  big.capacity = 5;
  c.presence_configs.push_back(big);
  c.agents[1].presence_config = "big";
  ManualClock clock;
  auto k = Kernel::create(c, clock);
  ASSERT_TRUE(k.has_value()) << k.error().message();
  EXPECT_EQ((*k)->agent(AgentId{0})->capacity_milli, 1000) << "profile's";
  EXPECT_EQ((*k)->agent(AgentId{1})->capacity_milli, 5000) << "user-level wins";
}

}  // namespace
}  // namespace omni::testing
