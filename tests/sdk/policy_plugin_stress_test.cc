// PolicyPlugin under concurrency: four threads check different customers at once through one
// plugin instance; each sees exactly its own session snapshot (bound per thread), and interned
// refusal reasons are published safely. Run under TSan by the stress label.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "omnikernel/runtime/plugin_loader.h"

namespace {

TEST(PolicyPluginStress, ConcurrentChecksSeeTheirOwnSnapshots) {
  omni::runtime::PluginLoader loader;
  ASSERT_TRUE(loader.load_file(OMNI_SIMULTANEOUS_SESSIONS_PLUGIN));
  auto policy = loader.create_policy("simultaneous_sessions", R"({"allow_simultaneous_sessions":true})");
  ASSERT_TRUE(policy) << policy.error().text();

  constexpr int kThreads = 4;
  constexpr int kChecks = 20000;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Thread t's customer is in service t+1; checks alternate between that service (refused)
      // and another one (allowed).
      omni::SessionInfo mine{omni::ItemId{uint64_t(t) + 1}, omni::QueueId{uint32_t(t) * 10},
                             omni::ServiceId{uint16_t(t + 1)}, omni::ChannelId{0}};
      for (int i = 0; i < kChecks; ++i) {
        bool duplicate = i % 2 == 0;
        omni::PolicyRequest request{
            .op = omni::PolicyOp::open,
            .customer = omni::CustomerId{uint64_t(t) + 1000},
            .to_queue = omni::QueueId{duplicate ? uint32_t(t) * 10 + 1 : 999},
            .to_service = omni::ServiceId{uint16_t(duplicate ? t + 1 : 50)},
            .sessions = {&mine, 1}};
        omni::PolicyVerdict verdict = (*policy)->check(request);
        if (verdict.allow == duplicate) wrong.fetch_add(1, std::memory_order_relaxed);
        if (!verdict.allow && verdict.reason.find("service") == std::string_view::npos)
          wrong.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
