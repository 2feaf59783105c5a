#include <atomic>
#include <thread>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

// tick() is single-caller by contract: a concurrent call returns busy and does nothing, and every
// push time-out still fires exactly once.
TEST(ConcurrentTick, OneTickerAtATimeAndEveryTimeOutFiresOnce) {
  Config c = contact_centre(16, 1.0);
  c.limits.timer_resolution = std::chrono::milliseconds(1);
  ManualClock clock;
  auto k = *Kernel::create(c, clock);
  const QueueId sales = *k->find_queue("sales");
  for (int i = 0; i < 16; ++i) ASSERT_TRUE(k->submit({sales, CustomerId{}}).has_value());
  std::atomic<int> busy{0}, ok{0};
  std::atomic<bool> go{false};
  auto ticker = [&] {
    while (!go.load()) std::this_thread::yield();
    for (int step = 1; step <= 2000; ++step) {
      clock.advance(std::chrono::milliseconds(10));  // the host ticks with its own clock's time
      const Status s = k->tick(clock.now());
      (s == Status::ok ? ok : busy)++;
      if (s != Status::ok && s != Status::busy) ADD_FAILURE() << to_string(s);
    }
  };
  std::thread a(ticker), b(ticker);
  go.store(true);
  a.join();
  b.join();
  EXPECT_EQ(ok.load() + busy.load(), 4000);
  int timeouts = 0;
  Event events[256];
  while (size_t n = k->poll_events(events))
    for (size_t i = 0; i < n; ++i) timeouts += events[i].type == EventType::push_timed_out;
  // 16 offers time out at 30 s and are re-offered at once to other agents (each is excluded from
  // the agent that missed it); those would time out at 60 s, after the 40 s this test runs.
  EXPECT_EQ(timeouts, 16);
}

}  // namespace
}  // namespace omni::testing
