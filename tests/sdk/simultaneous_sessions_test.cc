// Seed 004's truth table: both flag states × every decision point, run twice — through the
// FakeHost (the plugin's C ABI, no kernel) and through the real loader and PolicyPlugin (the
// omni::PolicyHook the kernel calls, with the kernel's session snapshot).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "omnikernel/runtime/plugin_loader.h"
#include "omnikernel/sdk/fake_host.hpp"
#include "simultaneous_sessions_policy.h"

OMNI_PLUGIN_INFO(omni::plugins::SimultaneousSessionsPolicy, "simultaneous_sessions", "test");

namespace {

using omni::plugins::kAlreadyInSession;
using omni::plugins::kDuplicateQueue;
using omni::plugins::kDuplicateService;
using omni::plugins::kOutboundDuringSession;
using Op = omni::sdk::PolicyOp;

// Services and queues of the scenario: service 1 has queues 10 and 11, service 2 has queue 20.
struct Existing {
  uint64_t item;
  uint32_t queue;
  uint32_t service;
};
constexpr Existing kInS1Q10{100, 10, 1};
constexpr Existing kInS2Q20{200, 20, 2};
constexpr uint64_t kCustomer = 77;

struct Row {
  const char* name;
  bool flag;
  Op op;
  std::vector<Existing> sessions;
  bool is_bot = false;
  uint64_t from_item = 0;  // 0 = not a transfer
  uint32_t to_queue = omni::sdk::kNoId;
  uint32_t to_service = 0;
  bool allow = true;
  int32_t code = 0;
};

std::vector<Row> truth_table() {
  const uint32_t none = omni::sdk::kNoId;
  return {
      // ---- flag off: one session per customer, whatever the service ----
      {"off/open/first session", false, Op::open, {}, false, 0, 10, 1, true, 0},
      {"off/open/other service", false, Op::open, {kInS1Q10}, false, 0, 20, 2, false, kAlreadyInSession},
      {"off/open/same service", false, Op::open, {kInS1Q10}, false, 0, 11, 1, false, kAlreadyInSession},
      {"off/open/bot same rule", false, Op::open, {kInS1Q10}, true, 0, 20, 2, false, kAlreadyInSession},
      {"off/transfer/to a free service", false, Op::transfer, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"off/transfer/within its own service", false, Op::transfer, {kInS1Q10}, false, 100, 11, 1, true, 0},
      {"off/transfer/to a service in session", false, Op::transfer, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"off/transfer_by_tag/to a free service", false, Op::transfer_by_tag, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"off/transfer_by_tag/already served there", false, Op::transfer_by_tag, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"off/transfer_bulk/to a free service", false, Op::transfer_bulk, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"off/transfer_bulk/already served there", false, Op::transfer_bulk, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"off/transfer/bot same rule", false, Op::transfer, {kInS1Q10, kInS2Q20}, true, 100, 20, 2, false, kDuplicateService},
      {"off/template/no session", false, Op::outbound_template, {}, false, 0, none, 1, true, 0},
      {"off/template/in session at destination", false, Op::outbound_template, {kInS1Q10}, false, 0, none, 1, false, kOutboundDuringSession},
      {"off/template/in session elsewhere", false, Op::outbound_template, {kInS1Q10}, false, 0, none, 2, true, 0},
      {"off/broadcast/in session at destination", false, Op::outbound_broadcast, {kInS1Q10}, false, 0, none, 1, false, kOutboundDuringSession},
      {"off/broadcast/in session elsewhere", false, Op::outbound_broadcast, {kInS2Q20}, false, 0, none, 1, true, 0},
      // ---- flag on: several sessions, each in a different service and queue ----
      {"on/open/first session", true, Op::open, {}, false, 0, 10, 1, true, 0},
      {"on/open/other service and queue", true, Op::open, {kInS1Q10}, false, 0, 20, 2, true, 0},
      {"on/open/same service other queue", true, Op::open, {kInS1Q10}, false, 0, 11, 1, false, kDuplicateService},
      {"on/open/same service same queue", true, Op::open, {kInS1Q10}, false, 0, 10, 1, false, kDuplicateService},
      {"on/open/same queue (inconsistent service)", true, Op::open, {kInS1Q10}, false, 0, 10, 9, false, kDuplicateQueue},
      {"on/open/bot other service", true, Op::open, {kInS1Q10}, true, 0, 20, 2, true, 0},
      {"on/open/bot same service", true, Op::open, {kInS1Q10}, true, 0, 11, 1, false, kDuplicateService},
      {"on/transfer/no duplicate", true, Op::transfer, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"on/transfer/within its own service", true, Op::transfer, {kInS1Q10}, false, 100, 11, 1, true, 0},
      {"on/transfer/duplicate at destination", true, Op::transfer, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"on/transfer_by_tag/no duplicate", true, Op::transfer_by_tag, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"on/transfer_by_tag/duplicate", true, Op::transfer_by_tag, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"on/transfer_bulk/no duplicate", true, Op::transfer_bulk, {kInS1Q10}, false, 100, 20, 2, true, 0},
      {"on/transfer_bulk/duplicate", true, Op::transfer_bulk, {kInS1Q10, kInS2Q20}, false, 100, 20, 2, false, kDuplicateService},
      {"on/template/in session at destination", true, Op::outbound_template, {kInS1Q10}, false, 0, none, 1, true, 0},
      {"on/broadcast/in session at destination", true, Op::outbound_broadcast, {kInS1Q10, kInS2Q20}, false, 0, none, 2, true, 0},
  };
}

const char* config_for(bool flag) {
  return flag ? R"({"allow_simultaneous_sessions": true})" : "";
}

TEST(SimultaneousSessionsTruthTable, CoversEveryOperationInBothFlagStates) {
  bool seen[2][6] = {};
  for (const Row& row : truth_table()) seen[row.flag][static_cast<int>(row.op)] = true;
  for (int flag = 0; flag < 2; ++flag)
    for (int op = 0; op < 6; ++op) EXPECT_TRUE(seen[flag][op]) << "flag " << flag << " op " << op;
}

TEST(SimultaneousSessionsTruthTable, ThroughTheFakeHost) {
  omni::sdk::testing::FakeHost host;
  auto off = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>, config_for(false));
  auto on = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>, config_for(true));
  ASSERT_TRUE(off.ok()) << off.error();
  ASSERT_TRUE(on.ok()) << on.error();
  for (const Row& row : truth_table()) {
    SCOPED_TRACE(row.name);
    std::vector<omni::sdk::testing::Session> sessions;
    for (const auto& s : row.sessions) sessions.push_back({s.item, s.queue, s.service, 1});
    host.set_sessions(kCustomer, sessions);
    auto verdict = (row.flag ? on : off)
                       .check({.op = row.op,
                               .customer = kCustomer,
                               .is_bot = row.is_bot,
                               .has_from = row.from_item != 0,
                               .from_item = row.from_item,
                               .from_queue = row.from_item != 0 ? 10u : omni::sdk::kNoId,
                               .to_queue = row.to_queue,
                               .to_service = row.to_service});
    ASSERT_EQ(verdict.status, OMNI_OK) << verdict.error;
    EXPECT_EQ(verdict.allow, row.allow);
    EXPECT_EQ(verdict.code, row.code);
    EXPECT_EQ(verdict.reason.empty(), row.allow) << "a refusal carries a reason: " << verdict.reason;
  }
}

TEST(SimultaneousSessionsTruthTable, ThroughTheLoaderAndPolicyHook) {
  omni::runtime::PluginLoader loader;
  auto plugin = loader.load_file(OMNI_SIMULTANEOUS_SESSIONS_PLUGIN);
  ASSERT_TRUE(plugin) << plugin.error().message();
  EXPECT_EQ((*plugin)->name(), "simultaneous_sessions");
  EXPECT_EQ((*plugin)->kind(), omni::runtime::PluginKind::policy);
  auto off = loader.create_policy("simultaneous_sessions", config_for(false));
  auto on = loader.create_policy("simultaneous_sessions", config_for(true));
  ASSERT_TRUE(off) << off.error().text();
  ASSERT_TRUE(on) << on.error().text();
  for (const Row& row : truth_table()) {
    SCOPED_TRACE(row.name);
    std::vector<omni::SessionInfo> sessions;
    for (const auto& s : row.sessions)
      sessions.push_back({omni::ItemId{s.item}, omni::QueueId{s.queue},
                          omni::ServiceId{static_cast<uint16_t>(s.service)}, omni::ChannelId{1}});
    omni::PolicyRequest request{
        .op = static_cast<omni::PolicyOp>(row.op),
        .customer = omni::CustomerId{kCustomer},
        .is_bot = row.is_bot,
        .has_from = row.from_item != 0,
        .from_item = omni::ItemId{row.from_item},
        .from_queue = omni::QueueId{10},
        // The kernel has no "no queue" for outbound checks: PolicyPlugin maps it to OMNI_NO_ID.
        .to_queue = omni::QueueId{row.to_queue == omni::sdk::kNoId ? 0u : row.to_queue},
        .to_service = omni::ServiceId{static_cast<uint16_t>(row.to_service)},
        .to_channel = omni::ChannelId{1},
        .sessions = sessions};
    omni::PolicyHook& hook = row.flag ? **on : **off;
    omni::PolicyVerdict verdict = hook.check(request);
    EXPECT_EQ(verdict.allow, row.allow);
    EXPECT_EQ(verdict.reason.empty(), row.allow) << verdict.reason;
  }
}

TEST(SimultaneousSessionsPolicy, RefusalReasonsSayWhy) {
  omni::sdk::testing::FakeHost host;
  auto off = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>);
  host.set_sessions(kCustomer, {{100, 10, 1, 1}});
  auto open = off.check({.op = Op::open, .customer = kCustomer, .to_queue = 20, .to_service = 2});
  EXPECT_EQ(open.reason,
            "the customer already has an active session; simultaneous sessions of the same "
            "customer are not allowed");
  auto hsm = off.check({.op = Op::outbound_template, .customer = kCustomer, .to_service = 1});
  EXPECT_NE(hsm.reason.find("templates (HSM) and broadcasts"), std::string::npos) << hsm.reason;
}

TEST(SimultaneousSessionsPolicy, WithoutASessionViewItRefusesRatherThanGuesses) {
  omni::sdk::testing::FakeHost host;
  host.set_sessions_supported(false);
  auto off = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>);
  auto verdict = off.check({.op = Op::open, .customer = kCustomer, .to_queue = 10, .to_service = 1});
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.code, omni::plugins::kSessionsUnavailable);
}

TEST(SimultaneousSessionsPolicy, ManySessionsAreAllSeen) {
  omni::sdk::testing::FakeHost host;
  std::vector<omni::sdk::testing::Session> many;
  for (uint32_t i = 0; i < 40; ++i) many.push_back({1000 + i, 100 + i, 100 + i, 1});
  host.set_sessions(kCustomer, many);
  auto on = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>, config_for(true));
  // The 40th session is past the policy's stack buffer of 32.
  auto verdict = on.check({.op = Op::open, .customer = kCustomer, .to_queue = 500, .to_service = 139});
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.code, kDuplicateService);
}

struct BadConfig {
  const char* config;
  const char* words;
};

TEST(SimultaneousSessionsPolicy, BadConfigsAreTypedErrorsNamingTheKey) {
  omni::sdk::testing::FakeHost host;
  for (BadConfig bad : {BadConfig{"{", "not valid JSON"},
                        BadConfig{"[true]", "expected a JSON object"},
                        BadConfig{R"({"allow_simultaneous_session": true})",
                                  "config.allow_simultaneous_session: unknown key"},
                        BadConfig{R"({"allow_simultaneous_sessions": "yes"})",
                                  "config.allow_simultaneous_sessions: expected true or false, got \"yes\""}}) {
    auto policy = host.policy(omni::sdk::entry<omni::plugins::SimultaneousSessionsPolicy>, bad.config);
    EXPECT_EQ(policy.status(), OMNI_ERR_CONFIG) << bad.config;
    EXPECT_NE(policy.error().find(bad.words), std::string::npos) << policy.error();
  }
}

TEST(SimultaneousSessionsPolicy, TheFlagIsOffByDefault) {
  EXPECT_FALSE(omni::plugins::SimultaneousSessionsPolicy({}, "").allow_simultaneous_sessions());
  EXPECT_FALSE(omni::plugins::SimultaneousSessionsPolicy({}, " {} ").allow_simultaneous_sessions());
  EXPECT_TRUE(omni::plugins::SimultaneousSessionsPolicy({}, config_for(true)).allow_simultaneous_sessions());
}

}  // namespace
