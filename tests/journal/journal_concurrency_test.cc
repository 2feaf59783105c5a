// Concurrent appenders: 4 threads × N records (OMNI_STRESS_OPS / 100, at least 5,000 each), every
// record present exactly once, LSNs dense, each thread's records in its own call order; durable()
// seen by waiting threads only grows and covers what they waited for.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

size_t records_per_thread() {
  const char* env = std::getenv("OMNI_STRESS_OPS");
  size_t ops = env != nullptr ? std::strtoull(env, nullptr, 10) : 1'000'000;
  return std::max<size_t>(5'000, std::min<size_t>(ops / 100, 50'000));
}

struct Tag {
  uint32_t thread;
  uint32_t seq;
};

TEST(JournalConcurrency, FourAppendersEveryRecordOnceLsnsDenseOrderKept) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.segment_bytes = 256 << 10;
  o.max_pending_bytes = 64 << 10;  // small: the appenders meet busy as well
  constexpr uint32_t kThreads = 4;
  const size_t n = records_per_thread();
  std::atomic<uint64_t> busy{0};
  std::atomic<bool> durable_went_back{false};
  {
    auto w = Writer::open(o);
    ASSERT_TRUE(w);
    Writer& writer = **w;
    std::vector<std::thread> threads;
    for (uint32_t t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        Lsn seen = 0;
        std::byte payload[40] = {};
        for (uint32_t i = 0; i < n; ++i) {
          Tag tag{t, i};
          std::memcpy(payload, &tag, sizeof tag);
          for (;;) {
            auto r = writer.append(static_cast<uint16_t>(t), payload);
            if (r) {
              // Every 500th record: wait for it, as a host acknowledging a webhook would.
              if (i % 500 == 0) {
                if (!writer.wait_durable(*r, std::chrono::seconds(30))) durable_went_back = true;
                Lsn d = writer.durable();
                if (d < seen || d < *r) durable_went_back = true;
                seen = d;
              }
              break;
            }
            if (r.error() != JournalStatus::busy) {
              ADD_FAILURE() << to_string(r.error());
              return;
            }
            busy.fetch_add(1, std::memory_order_relaxed);
            std::this_thread::yield();
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    ASSERT_EQ(writer.flush(), JournalStatus::ok);
    EXPECT_EQ(writer.durable(), kThreads * n);
  }
  EXPECT_FALSE(durable_went_back);
  auto r = Reader::open(dir.path(), false);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->warnings().empty());
  ASSERT_EQ(r->records().size(), kThreads * n);
  std::vector<uint32_t> next(kThreads, 0);
  for (size_t i = 0; i < r->records().size(); ++i) {
    const Record& rec = r->records()[i];
    ASSERT_EQ(rec.lsn, i + 1);
    ASSERT_EQ(rec.payload.size(), 40u);
    Tag tag;
    std::memcpy(&tag, rec.payload.data(), sizeof tag);
    ASSERT_LT(tag.thread, kThreads);
    ASSERT_EQ(rec.type, tag.thread);
    // Per thread, the records are in call order: each seq once, none skipped, none twice.
    ASSERT_EQ(tag.seq, next[tag.thread]) << "thread " << tag.thread << " at LSN " << rec.lsn;
    ++next[tag.thread];
  }
  for (uint32_t t = 0; t < kThreads; ++t) EXPECT_EQ(next[t], n);
  RecordProperty("busy_retries", static_cast<int>(busy.load()));
}

}  // namespace
}  // namespace omni::journal::test
