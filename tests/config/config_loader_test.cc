#include "omnikernel/config/loader.h"
#include "omnikernel/config/skill_requirements.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sample_config.h"

namespace omni::config {
namespace {

using namespace std::chrono_literals;

TEST(LoadConfig, ReadsEverySection) {
  auto config = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ASSERT_EQ(config->channels.size(), 2u);
  EXPECT_EQ(config->channels[0].paused_values, std::vector<std::string>{"Waiting for customer"});

  ASSERT_EQ(config->routing_configs.size(), 2u);  // one named, one inline in wa_support
  const RoutingConfig& standard = config->routing_configs[0];
  EXPECT_EQ(standard.priority, 2);
  EXPECT_EQ(standard.model, RoutingModel::least_active);
  EXPECT_EQ(standard.push_timeout, Duration(30s));
  EXPECT_EQ(standard.size_unit, SizeUnit::units);
  const RoutingConfig& inline_routing = config->routing_configs[1];
  EXPECT_EQ(inline_routing.name, "wa_support");
  EXPECT_EQ(inline_routing.size_unit, SizeUnit::percent);
  EXPECT_DOUBLE_EQ(inline_routing.size, 50.0);

  ASSERT_EQ(config->queues.size(), 2u);
  EXPECT_EQ(config->queues[0].service, "sales");
  EXPECT_EQ(config->queues[1].routing, "wa_support");
  EXPECT_EQ(config->queues[1].max_waiting, 4096u);

  const PresenceConfigConfig& pc = config->presence_configs.at(0);
  EXPECT_DOUBLE_EQ(pc.capacity, 3.0);
  EXPECT_TRUE(pc.allow_decline);
  EXPECT_EQ(pc.decline_reasons.size(), 2u);
  EXPECT_EQ(pc.missed_delay, Duration(10s));
  EXPECT_EQ(pc.wrap_up, Duration(45s));
  EXPECT_EQ(pc.resume_rule, ResumeRule::refuse);
  EXPECT_EQ(pc.transfer_destinations.flows, std::vector<std::string>{"bot"});

  ASSERT_EQ(config->statuses.size(), 4u);
  EXPECT_EQ(config->statuses[3].kind, PresenceKind::pause);
  EXPECT_EQ(config->statuses[3].pause_cause, "lunch");

  ASSERT_EQ(config->agents.size(), 4u);  // alice + a count of 3
  EXPECT_EQ(config->agents[0].name, "alice");
  EXPECT_EQ(config->agents[1].name, "agent-1");
  EXPECT_EQ(config->agents[3].name, "agent-3");
  EXPECT_EQ(config->agents[3].queues.size(), 2u);

  EXPECT_EQ(config->limits.max_items, 1000u);
  EXPECT_EQ(config->limits.timer_resolution, Duration(5ms));
  EXPECT_EQ(config->limits.max_requirement_sets, 16u);
}

// Skills (seed 002): named at the top, held with levels by profiles and agents; a routing
// configuration may be skills-based. The loader keeps the lists as written: merging the user's
// levels over the profile's is the kernel's (Kernel::create).
TEST(LoadConfig, ReadsSkills) {
  auto config = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->skills, (std::vector<std::string>{"English", "Spanish", "Billing"}));
  EXPECT_TRUE(config->routing_configs[0].skills_based);
  EXPECT_FALSE(config->routing_configs[1].skills_based);  // the default
  const auto& profile = config->profiles.at(0).skills;
  ASSERT_EQ(profile.size(), 2u);
  EXPECT_EQ(profile[0].skill, "English");
  EXPECT_EQ(profile[0].level, 8);
  EXPECT_EQ(profile[1].skill, "Billing");
  EXPECT_EQ(profile[1].level, 4);
  const auto& alice = config->agents[0].skills;
  ASSERT_EQ(alice.size(), 2u);
  EXPECT_EQ(alice[0].skill, "Spanish");
  EXPECT_EQ(alice[1].level, 9);
  for (size_t i = 1; i <= 3; ++i) {  // "count" copies the skills to every agent it makes
    ASSERT_EQ(config->agents[i].skills.size(), 1u) << i;
    EXPECT_EQ(config->agents[i].skills[0].skill, "English");
    EXPECT_EQ(config->agents[i].skills[0].level, 3);
  }
}

TEST(LoadConfig, SkillsDefaultToNone) {
  auto config = load_config_text(R"({"profiles": [{"name": "p", "presence_config": "pc"}],
                                     "presence_configs": [{"name": "pc"}]})");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_TRUE(config->skills.empty());
  EXPECT_TRUE(config->profiles[0].skills.empty());
  EXPECT_EQ(config->limits.max_requirement_sets, Limits{}.max_requirement_sets);
}

// Overflow, expiry and tie-breaks (issue 9, items 3 and 5): durations as everywhere else.
TEST(LoadConfig, ReadsOverflowExpiryAndTieBreak) {
  auto config = load_config_text(R"({
    "channels": [{"name": "chat"}],
    "routing_configs": [{"name": "fair", "tie_break": "round_robin"}],
    "queues": [
      {"name": "front", "channel": "chat", "routing": "fair", "overflow_after": "45s", "overflow_to": "back",
       "max_wait": 600},
      {"name": "back", "channel": "chat", "routing": {"tie_break": "listed_order"}, "max_wait": "2m30s"},
      {"name": "plain", "channel": "chat", "routing": "fair"}
    ]})");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->routing_configs[0].tie_break, TieBreak::round_robin);
  EXPECT_EQ(config->routing_configs[1].tie_break, TieBreak::listed_order);
  EXPECT_EQ(config->queues[0].overflow_after, 45s);
  EXPECT_EQ(config->queues[0].overflow_to, "back");
  EXPECT_EQ(config->queues[0].max_wait, 600s);
  EXPECT_EQ(config->queues[1].max_wait, 150s);
  EXPECT_EQ(config->queues[1].overflow_after, Duration::zero());
  EXPECT_EQ(config->queues[2].max_wait, Duration::zero());
  EXPECT_TRUE(config->queues[2].overflow_to.empty());
}

TEST(LoadConfig, TieBreakDefaultsToLongestIdleAndTransfersKeepArrival) {
  auto config = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  for (const RoutingConfig& r : config->routing_configs) {
    EXPECT_EQ(r.tie_break, TieBreak::longest_idle);
    EXPECT_TRUE(r.transfer_keeps_arrival);
  }
}

TEST(LoadConfig, ReadsTheClassicModelsTieBreaksAndChannelLimits) {
  auto doc = nlohmann::json::parse(testing::kSampleConfig);
  doc["routing_configs"][0]["model"] = "longest_idle_agent";
  doc["routing_configs"][0]["tie_break"] = "most_skilled";
  doc["routing_configs"][0]["transfer_keeps_arrival"] = false;
  doc["presence_configs"][0]["channel_limits"] = {{{"channel", "chat"}, {"max", 4}}};
  auto config = load_config_text(doc.dump());
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->routing_configs[0].model, RoutingModel::longest_idle_agent);
  EXPECT_EQ(config->routing_configs[0].tie_break, TieBreak::most_skilled);
  EXPECT_FALSE(config->routing_configs[0].transfer_keeps_arrival);
  ASSERT_EQ(config->presence_configs[0].channel_limits.size(), 1u);
  EXPECT_EQ(config->presence_configs[0].channel_limits[0].channel, "chat");
  EXPECT_EQ(config->presence_configs[0].channel_limits[0].max, 4);
}

TEST(ValidateReferences, ChecksOverflowOfConfigsBuiltInCode) {
  Config config;
  config.channels.emplace_back().name = "chat";
  config.routing_configs.emplace_back().name = "r";
  for (const char* name : {"a", "b", "c"}) {
    QueueConfig& q = config.queues.emplace_back();
    q.name = name;
    q.channel = "chat";
    q.routing = "r";
  }
  config.queues[0].overflow_after = 10s;
  config.queues[0].overflow_to = "b";
  config.queues[1].overflow_after = 10s;
  config.queues[1].overflow_to = "c";
  EXPECT_TRUE(validate_references(config).has_value());
  config.queues[2].overflow_after = 10s;
  config.queues[2].overflow_to = "a";
  auto result = validate_references(config);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "queues[0].overflow_to: the overflow chain from here comes back to a queue it left");
  config.queues[2].max_wait = -1s;
  result = validate_references(config);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "queues[2].max_wait: must be >= 0");
}

TEST(ValidateReferences, ChecksSkillsOfConfigsBuiltInCode) {
  Config config;
  config.skills = {"English"};
  config.presence_configs.emplace_back().name = "pc";
  ProfileConfig& profile = config.profiles.emplace_back();
  profile.name = "p";
  profile.presence_config = "pc";
  profile.skills.push_back({"English", 12});
  auto result = validate_references(config);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "profiles[0].skills[0].level: must be between 1 and 10");
  profile.skills[0] = {"Engish", 5};
  result = validate_references(config);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "profiles[0].skills[0].skill: unknown skill \"Engish\" (did you mean \"English\"?)");
}

TEST(LoadConfig, EmptyDocumentIsAnEmptyConfig) {
  auto config = load_config_text("{}");
  ASSERT_TRUE(config.has_value());
  EXPECT_TRUE(config->queues.empty());
}

TEST(LoadConfig, FromFile) {
  const auto file = std::filesystem::temp_directory_path() / "omni_config_loader_test.json";
  std::ofstream(file) << testing::kSampleConfig;
  auto config = load_config_file(file);
  std::filesystem::remove(file);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  EXPECT_EQ(config->agents.size(), 4u);
}

// A missing file, and a directory — which an ifstream opens and reads nothing from, so that the
// parser would call it invalid JSON — each say what is wrong with the path.
TEST(LoadConfig, PathsThatAreNotFilesSaySo) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path();
  const std::pair<std::filesystem::path, std::string> cases[] = {
      {"/nonexistent/omni.json", "/nonexistent/omni.json: no such file"},
      {dir, dir.string() + ": is a directory, not a configuration file"},
  };
  for (const auto& [path, message] : cases) {
    const auto config = load_config_file(path);
    EXPECT_EQ(config ? std::string("loaded") : config.error().message(), message);
  }
  const auto text = read_text_file(dir, "scenario file");
  EXPECT_EQ(text ? std::string("read") : text.error().message(), dir.string() + ": is a directory, not a scenario file");
}

// Skill requirements as a host writes them: the kernel's bounds, refused against their path before
// Kernel::prepare_requirements would answer a bare invalid_requirements.
TEST(SkillRequirements, ReadsAndBoundsDropAfterByTheKernelTimer) {
  const std::vector<std::string> skills{"Spanish", "French"};
  const Json ok = Json::parse(R"([{"skill": "Spanish", "min_level": 5}, {"skill": "French", "drop_after": "1h"}])");
  const std::vector<SkillRequirementSpec> read = read_skill_requirements(ok, "item.requirements", skills);
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].min_level, 5);
  EXPECT_EQ(read[0].drop_after, Duration::zero());
  EXPECT_EQ(read[1].drop_after, Duration(std::chrono::hours(1)));
  const Json over = Json::parse(R"([{"skill": "Spanish"}, {"skill": "French", "drop_after": "61m"}])");
  try {
    (void)read_skill_requirements(over, "item.requirements", skills);
    ADD_FAILURE() << "a drop_after above 1h was accepted";
  } catch (const FieldError& e) {
    EXPECT_EQ(e.to_config_error().message(), "item.requirements[1].drop_after: must be at most 1h");
  }
}

// JSON leaves duplicate keys undefined and nlohmann keeps the last one: a second "capacity" or a
// second "channels" section would silently replace the first. Refused, naming the path.
TEST(LoadConfig, DuplicateKeysAreRefusedNamingThePath) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {R"("limits": {)", R"("channels": [], "limits": {)", "channels: duplicate key"},
      {R"({"name": "alice", "profile": "agent",)", R"({"name": "alice", "profile": "agent", "name": "bob",)",
       "agents[0].name: duplicate key"},
      {R"("model": "most_available",)", R"("model": "most_available", "model": "least_active",)",
       "queues[1].routing.model: duplicate key"},
      {R"("flows": ["bot"]})", R"("flows": ["bot"], "queues": []})",
       "presence_configs[0].transfer_destinations.queues: duplicate key"},
      {R"("$comment": "two channels, two queues, one profile",)", R"("$comment": "a", "$comment": "b",)",
       "$comment: duplicate key"},
  };
  for (const Case& c : cases) {
    std::string text = testing::kSampleConfig;
    const size_t at = text.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    text.replace(at, c.from.size(), c.to);
    auto config = load_config_text(text, "omni.json");
    ASSERT_FALSE(config.has_value()) << c.expected;
    EXPECT_EQ(config.error().message(), c.expected);
  }
  // In an array of objects, each object has its own keys; agents[3] is the fourth element.
  auto config = load_config_text(R"({"agents": [{"name": "a"}, {"name": "b"}, {"name": "c"},
                                                {"name": "d", "profile": "p", "name": "e"}]})");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().message(), "agents[3].name: duplicate key");
  // A syntax error before the duplicate is still reported with its line and column.
  config = load_config_text("{\"a\": 1,, \"a\": 2}", "x.json");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().field.rfind("x.json:1:", 0), 0u) << config.error().message();
  EXPECT_EQ(config.error().reason.rfind("invalid JSON", 0), 0u) << config.error().message();
}

TEST(ValidateReferences, WorksOnConfigsBuiltInCode) {
  Config config;
  config.channels.emplace_back().name = "chat";
  QueueConfig& queue = config.queues.emplace_back();
  queue.name = "q";
  queue.channel = "chat";
  queue.routing = "nope";
  auto result = validate_references(config);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().message(), "queues[0].routing: unknown routing config \"nope\"");
}

}  // namespace
}  // namespace omni::config
