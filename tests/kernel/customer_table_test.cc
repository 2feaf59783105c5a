#include "customer_table.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>
#include <vector>

namespace omni::internal {
namespace {

std::vector<uint64_t> sessions_of(const CustomerTable& t, uint64_t customer) {
  uint64_t buf[32];
  const size_t n = t.sessions(customer, buf);
  std::vector<uint64_t> v(buf, buf + n);
  std::sort(v.begin(), v.end());
  return v;
}

TEST(CustomerTable, AddRemoveAndList) {
  CustomerTable t(16);
  ASSERT_TRUE(t.add(7, 100));
  ASSERT_TRUE(t.add(7, 101));
  ASSERT_TRUE(t.add(8, 200));
  EXPECT_EQ(sessions_of(t, 7), (std::vector<uint64_t>{100, 101}));
  t.remove(7, 100);
  EXPECT_EQ(sessions_of(t, 7), (std::vector<uint64_t>{101}));
  EXPECT_TRUE(sessions_of(t, 9).empty());
}

// The table holds the customers with sessions now, not every customer ever seen.
TEST(CustomerTable, SlotsOfFinishedCustomersAreReused) {
  CustomerTable t(8);
  for (uint64_t c = 1; c <= 100'000; ++c) {
    ASSERT_TRUE(t.add(c, c * 10)) << "customer " << c;
    t.remove(c, c * 10);
  }
  EXPECT_TRUE(sessions_of(t, 100'000).empty());
}

TEST(CustomerTable, FullWindowIsAnOutcome) {
  CustomerTable t(16);  // 32 slots: every window is the whole table
  for (uint64_t c = 1; c <= 32; ++c) ASSERT_TRUE(t.add(c, c));
  EXPECT_FALSE(t.add(33, 33));
  t.remove(5, 5);
  EXPECT_TRUE(t.add(33, 33)) << "a freed slot is taken by the next customer";
}

// Threads with disjoint customers share one tiny table, so slots change hands constantly; each
// thread's view of its own customers must stay exact.
TEST(CustomerTable, ConcurrentHandOversKeepEveryCustomerExact) {
  CustomerTable t(16);
  constexpr int kThreads = 2;
  std::vector<std::thread> threads;
  std::atomic<bool> failed{false};
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      std::mt19937_64 rng(th + 1);
      std::vector<std::vector<uint64_t>> model(6);
      uint64_t next_item = 1;
      for (int op = 0; op < 200'000 && !failed; ++op) {
        const size_t c = rng() % model.size();
        const uint64_t customer = 1 + th * 1000 + c;
        auto& mine = model[c];
        if (mine.empty() || (mine.size() < 3 && rng() % 2)) {
          const uint64_t item = (uint64_t(th) << 40) | next_item++;
          if (t.add(customer, item)) mine.push_back(item);
        } else {
          const size_t k = rng() % mine.size();
          t.remove(customer, mine[k]);
          mine.erase(mine.begin() + k);
        }
        auto expected = mine;
        std::sort(expected.begin(), expected.end());
        if (sessions_of(t, customer) != expected) failed = true;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_FALSE(failed.load());
}

}  // namespace
}  // namespace omni::internal
