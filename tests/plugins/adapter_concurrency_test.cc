// One adapter instance parsing from several threads at once (the ABI allows it): every call
// sees exactly its own payload's messages. Run under ThreadSanitizer (label stress).
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "omnikernel/sdk/fake_host.hpp"
#include "payload_files.h"

namespace {

using omni::sdk::testing::FakeHost;

TEST(AdapterConcurrency, ParallelParsesOnOneInstanceDoNotMix) {
  FakeHost host;
  auto adapter = host.adapter(FakeHost::open_entry(OMNI_WHATSAPP_PLUGIN));
  ASSERT_TRUE(adapter.ok()) << adapter.error();
  const std::string all_types = omni::test::read_payload("whatsapp_all_types.json");
  const std::string multi = omni::test::read_payload("whatsapp_multi_entry.json");
  constexpr int kThreads = 24;  // more than the pool's slots: some calls use a private parser
  constexpr int kRounds = 200;
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        const bool odd = (t + round) % 2 != 0;
        auto result = adapter.parse(odd ? all_types : multi);
        const size_t expected = odd ? 14 : 3;
        if (result.status != OMNI_OK || result.messages.size() != expected ||
            result.messages[0].message_id != (odd ? "wamid.1" : "wamid.a1")) {
          wrong.fetch_add(1, std::memory_order_relaxed);
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
