#include "mpmc_ring.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace omni::internal {
namespace {

TEST(MpmcRing, CapacityIsAPowerOfTwoAndFullIsAnOutcome) {
  MpmcRing<uint64_t> ring(5);
  EXPECT_EQ(ring.capacity(), 8u);
  for (uint64_t i = 0; i < 8; ++i) EXPECT_TRUE(ring.try_push(i));
  EXPECT_FALSE(ring.try_push(99)) << "full is a false, not a block or an overwrite";
  uint64_t v;
  for (uint64_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(ring.try_pop(v));
    EXPECT_EQ(v, i) << "FIFO";
  }
  EXPECT_FALSE(ring.try_pop(v));
}

TEST(MpmcRing, PeekShowsTheOldestWithoutRemovingIt) {
  MpmcRing<uint64_t> ring(4);
  EXPECT_FALSE(ring.peek().has_value());
  ASSERT_TRUE(ring.try_push(7));
  ASSERT_TRUE(ring.try_push(8));
  EXPECT_EQ(ring.peek(), 7u);
  uint64_t v;
  ASSERT_TRUE(ring.try_pop(v));
  EXPECT_EQ(ring.peek(), 8u);
}

TEST(MpmcRing, WrapsAroundManyLaps) {
  MpmcRing<uint64_t> ring(4);
  uint64_t v;
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(ring.try_push(i));
    ASSERT_TRUE(ring.try_pop(v));
    ASSERT_EQ(v, i);
  }
}

// Every value pushed by any producer is popped exactly once by some consumer.
TEST(MpmcRing, ConcurrentProducersAndConsumersLoseAndDuplicateNothing) {
  constexpr uint64_t kPerProducer = 200'000;
  constexpr int kProducers = 2, kConsumers = 2;
  MpmcRing<uint64_t> ring(256);
  std::vector<std::atomic<uint8_t>> seen(kPerProducer * kProducers);
  std::atomic<uint64_t> popped{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p)
    threads.emplace_back([&, p] {
      for (uint64_t i = 0; i < kPerProducer; ++i)
        while (!ring.try_push(p * kPerProducer + i)) std::this_thread::yield();
    });
  for (int c = 0; c < kConsumers; ++c)
    threads.emplace_back([&] {
      uint64_t v;
      while (popped.load() < kPerProducer * kProducers) {
        if (ring.try_pop(v)) {
          seen[v].fetch_add(1);
          popped.fetch_add(1);
        } else {
          std::this_thread::yield();
        }
      }
    });
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i].load(), 1) << "value " << i;
}

}  // namespace
}  // namespace omni::internal
