// PolicyPlugin::check runs on the kernel's hot path: with the simultaneous-sessions plugin it must
// allocate nothing, host side or plugin side, whether it allows or refuses. tests/support replaces
// global operator new in this binary, exported (ENABLE_EXPORTS) so the plugin's allocations bind to it too.
#include <gtest/gtest.h>

#include <vector>

#include "allocation_counter.h"
#include "omnikernel/runtime/plugin_loader.h"

namespace {

TEST(PolicyCheckAllocation, AllowAndRefuseAllocateNothing) {
  omni::runtime::PluginLoader loader;
  ASSERT_TRUE(loader.load_file(OMNI_SIMULTANEOUS_SESSIONS_PLUGIN));
  auto off = loader.create_policy("simultaneous_sessions");
  auto on = loader.create_policy("simultaneous_sessions", R"({"allow_simultaneous_sessions":true})");
  ASSERT_TRUE(off && on);
  omni::SessionInfo sessions[3] = {
      {omni::ItemId{1}, omni::QueueId{1}, omni::ServiceId{1}, omni::ChannelId{0}},
      {omni::ItemId{2}, omni::QueueId{2}, omni::ServiceId{2}, omni::ChannelId{0}},
      {omni::ItemId{3}, omni::QueueId{3}, omni::ServiceId{3}, omni::ChannelId{0}}};
  omni::PolicyRequest open_elsewhere{.op = omni::PolicyOp::open, .customer = omni::CustomerId{9},
                                     .to_queue = omni::QueueId{4}, .to_service = omni::ServiceId{4},
                                     .sessions = sessions};
  omni::PolicyRequest open_same{.op = omni::PolicyOp::open, .customer = omni::CustomerId{9},
                                .to_queue = omni::QueueId{5}, .to_service = omni::ServiceId{2},
                                .sessions = sessions};
  omni::PolicyRequest hsm{.op = omni::PolicyOp::outbound_template, .customer = omni::CustomerId{9},
                          .to_service = omni::ServiceId{1}, .sessions = sessions};
  int allowed = 0, refused = 0;
  {
    omni::testing::AllocationWindow window;
    for (int round = 0; round < 100; ++round) {
      for (auto* policy : {off->get(), on->get()})
        for (const auto* request : {&open_elsewhere, &open_same, &hsm})
          (policy->check(*request).allow ? allowed : refused)++;
    }
    EXPECT_EQ(window.allocations(), 0u);
  }
  // Off refuses all three (a session exists; HSM into a service in session); on allows the open
  // elsewhere and the HSM, and refuses the open into a service the customer is already in.
  EXPECT_EQ(allowed, 100 * 2);
  EXPECT_EQ(refused, 100 * 4);
}

// Proves the counter sees allocations made inside the plugin: past 32 sessions the policy
// falls back to a heap buffer.
TEST(PolicyCheckAllocation, TheCounterSeesThePluginsOwnAllocations) {
  omni::runtime::PluginLoader loader;
  ASSERT_TRUE(loader.load_file(OMNI_SIMULTANEOUS_SESSIONS_PLUGIN));
  auto off = loader.create_policy("simultaneous_sessions");
  ASSERT_TRUE(off);
  std::vector<omni::SessionInfo> many;
  for (uint32_t i = 0; i < 40; ++i)
    many.push_back({omni::ItemId{i}, omni::QueueId{i}, omni::ServiceId{uint16_t(i)}, omni::ChannelId{0}});
  omni::PolicyRequest request{.op = omni::PolicyOp::open, .customer = omni::CustomerId{9},
                              .to_queue = omni::QueueId{99}, .to_service = omni::ServiceId{99},
                              .sessions = many};
  omni::testing::AllocationWindow window;
  const bool allow = (*off)->check(request).allow;
  EXPECT_FALSE(allow);
  EXPECT_GT(window.allocations(), 0u);
}

}  // namespace
