// The loader and Kernel::create check the skill fields alike: a Config built in code (no JSON)
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
};

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
