// The loader and Kernel::create check the skill, overflow and expiry fields alike: a Config built in code (no JSON)
// gets from validate_references() the same field path and reason as from the kernel, and a file
// the loader accepts is one the kernel accepts.
#include <gtest/gtest.h>

#include <functional>

#include "omnikernel/config/loader.h"
#include "omnikernel/kernel.h"
#include "sample_config.h"

namespace omni::config {
namespace {

TEST(SkillsKernelAgreement, TheKernelAcceptsWhatTheLoaderReads) {
  auto config = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ManualClock clock;
  auto kernel = Kernel::create(*config, clock);
  ASSERT_TRUE(kernel.has_value()) << kernel.error().message();
  EXPECT_TRUE((*kernel)->find_skill("Billing").has_value());
  EXPECT_FALSE((*kernel)->find_skill("French").has_value());
}

struct Mutation {
  const char* what;
  std::function<void(Config&)> mutate;
};

void PrintTo(const Mutation& m, std::ostream* os) { *os << m.what; }

class SkillsKernelAgreement : public ::testing::TestWithParam<Mutation> {};

TEST_P(SkillsKernelAgreement, SameFieldAndReason) {
  auto config = load_config_text(testing::kSampleConfig);
  ASSERT_TRUE(config.has_value()) << config.error().message();
  GetParam().mutate(*config);
  auto loader = validate_references(*config);
  ASSERT_FALSE(loader.has_value()) << "the loader accepted it";
  ManualClock clock;
  auto kernel = Kernel::create(*config, clock);
  ASSERT_FALSE(kernel.has_value()) << "the kernel accepted it";
  EXPECT_EQ(loader.error().message(), kernel.error().message());
}

const Mutation kMutations[] = {
    {"duplicate skill", [](Config& c) { c.skills[2] = "English"; }},
    {"empty skill", [](Config& c) { c.skills[1] = ""; }},
    {"profile level too high", [](Config& c) { c.profiles[0].skills[1].level = 11; }},
    {"agent level zero", [](Config& c) { c.agents[0].skills[0].level = 0; }},
    {"unknown profile skill", [](Config& c) { c.profiles[0].skills[0].skill = "Klingon"; }},
    {"agent skill twice", [](Config& c) { c.agents[0].skills[1].skill = "Spanish"; }},
    // Overflow and expiry (issue 9, item 5).
    {"negative max_wait", [](Config& c) { c.queues[1].max_wait = Duration{-1}; }},
    {"negative overflow_after", [](Config& c) { c.queues[0].overflow_after = -std::chrono::seconds(3); }},
    {"overflow_after without overflow_to", [](Config& c) { c.queues[0].overflow_after = std::chrono::seconds(30); }},
    {"overflow_to without overflow_after", [](Config& c) { c.queues[1].overflow_to = "chat_sales"; }},
    {"overflow_to unknown",
     [](Config& c) {
       c.queues[0].overflow_after = std::chrono::seconds(30);
       c.queues[0].overflow_to = "Klingon";
     }},
    {"overflow into itself",
     [](Config& c) {
       c.queues[1].overflow_after = std::chrono::seconds(30);
       c.queues[1].overflow_to = "wa_support";
     }},
    {"overflow chain loops",
     [](Config& c) {
       c.queues[0].overflow_after = std::chrono::seconds(30);
       c.queues[0].overflow_to = "wa_support";
       c.queues[1].overflow_after = std::chrono::seconds(60);
       c.queues[1].overflow_to = "chat_sales";
     }},
};

TEST(SkillsKernelAgreement, TheKernelAcceptsOverflowAndTieBreaksTheLoaderReads) {
  auto config = load_config_text(R"({
    "channels": [{"name": "chat"}],
    "routing_configs": [{"name": "fair", "tie_break": "round_robin"}],
    "queues": [{"name": "front", "channel": "chat", "routing": "fair", "overflow_after": "45s",
                "overflow_to": "back", "max_wait": 600},
               {"name": "back", "channel": "chat", "routing": "fair", "max_wait": "10m"}],
    "statuses": [{"name": "Offline", "kind": "offline"}]})");
  ASSERT_TRUE(config.has_value()) << config.error().message();
  ManualClock clock;
  auto kernel = Kernel::create(*config, clock);
  ASSERT_TRUE(kernel.has_value()) << kernel.error().message();
  EXPECT_EQ((*kernel)->config()->routing_configs[0].tie_break, TieBreak::round_robin);
}

INSTANTIATE_TEST_SUITE_P(Skills, SkillsKernelAgreement, ::testing::ValuesIn(kMutations),
                         [](const auto& info) {
                           std::string name = info.param.what;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace omni::config
