// Overflow and expiry (issue 9, item 5): a waiting item moves on after its queue's
// overflow_after, or ends after max_wait — both counted from its arrival, both on the timer
// wheel, both in events; configuration errors name the field.
#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

// sales overflows into support after 60 s; support expires items after 300 s. a0 serves support
// only and starts Offline.
Config overflowing() {
  Config c = contact_centre(0);
  c.queues[0].overflow_after = 60s;
  c.queues[0].overflow_to = "support";
  c.queues[1].max_wait = 300s;
  c.agents.push_back({"a0", "agent", "", {"support"}, "Offline"});
  return c;
}

class OverflowExpiry : public KernelTest {
 protected:
  void SetUp() override { build(overflowing()); }
  bool saw(ItemId id, EventType type) {
    for (const Event& e : events_)
      if (e.item == id && e.type == type) return true;
    return false;
  }
  void collect() {
    auto more = drain();
    events_.insert(events_.end(), more.begin(), more.end());
  }
  std::vector<Event> events_;
};

TEST_F(OverflowExpiry, AnItemOverflowsKeepingItsArrivalAndIsRoutedThere) {
  const ItemId id = submit("sales");
  const Time arrival = kernel->item(id)->arrival;
  advance(59s);
  EXPECT_EQ(kernel->item(id)->queue, queue("sales"));
  expect_audit_ok();
  advance(2s);
  EXPECT_EQ(kernel->item(id)->queue, queue("support"));
  EXPECT_EQ(state(id), ItemState::queued);
  EXPECT_EQ(kernel->item(id)->arrival, arrival);
  collect();
  EXPECT_TRUE(saw(id, EventType::overflowed));
  expect_audit_ok();
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  EXPECT_EQ(holder(id), agent("a0")) << "routed by its new queue's members";
}

TEST_F(OverflowExpiry, AnItemExpiresAfterMaxWaitCountedFromItsArrival) {
  const ItemId id = submit("sales");  // overflows at 60 s, expires in support at 300 s
  advance(61s);
  advance(238s);
  EXPECT_EQ(state(id), ItemState::queued);
  advance(2s);
  EXPECT_EQ(state(id), ItemState::free) << "ended";
  collect();
  EXPECT_TRUE(saw(id, EventType::expired));
  EXPECT_TRUE(saw(id, EventType::done));
  EXPECT_EQ(kernel->queue(queue("support"))->waiting, 0u);
  expect_audit_ok();
}

TEST_F(OverflowExpiry, AnOfferedItemNeitherOverflowsNorExpires) {
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  const ItemId id = submit("support");
  EXPECT_EQ(holder(id), agent("a0"));
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  advance(400s);
  EXPECT_EQ(state(id), ItemState::active);
  expect_audit_ok();
}

TEST_F(OverflowExpiry, LongWaitsAreReachedInHops) {
  Config c = overflowing();
  c.queues[1].max_wait = std::chrono::hours(30);
  build(c);
  const ItemId id = submit("support");
  for (int h = 0; h < 29; ++h) advance(std::chrono::hours(1));
  EXPECT_EQ(state(id), ItemState::queued);
  expect_audit_ok();
  advance(std::chrono::hours(1) + 1s);
  EXPECT_EQ(state(id), ItemState::free);
}

TEST_F(OverflowExpiry, AFullDestinationPostponesTheOverflow) {
  Config c = overflowing();
  c.queues[1].max_waiting = 1;
  c.queues[1].max_wait = {};
  build(c);
  const ItemId blocker = submit("support");
  const ItemId id = submit("sales");
  advance(61s);
  EXPECT_EQ(kernel->item(id)->queue, queue("sales")) << "support is full: it waits where it is";
  expect_audit_ok();
  ASSERT_EQ(kernel->abandon(blocker), Status::ok);
  advance(1s);
  EXPECT_EQ(kernel->item(id)->queue, queue("support"));
  expect_audit_ok();
}

class OverflowConfigErrors : public ::testing::TestWithParam<ConfigCase> {};

TEST_P(OverflowConfigErrors, NameTheField) { expect_config_error(overflowing(), GetParam()); }

INSTANTIATE_TEST_SUITE_P(
    All, OverflowConfigErrors,
    ::testing::Values(
        ConfigCase{"unknown_target", [](Config& c) { c.queues[0].overflow_to = "nowhere"; }, "queues[0].overflow_to"},
        ConfigCase{"no_target", [](Config& c) { c.queues[0].overflow_to = ""; }, "queues[0].overflow_to"},
        ConfigCase{"itself", [](Config& c) { c.queues[0].overflow_to = "sales"; }, "queues[0].overflow_to"},
        ConfigCase{"target_without_delay", [](Config& c) { c.queues[1].overflow_to = "sales"; }, "queues[1].overflow_to"},
        ConfigCase{"loop",
                   [](Config& c) {
                     c.queues[1].overflow_after = 30s;
                     c.queues[1].overflow_to = "sales";
                   },
                   "queues[0].overflow_to"},
        ConfigCase{"negative_wait", [](Config& c) { c.queues[2].max_wait = -1s; }, "queues[2].max_wait"}),
    config_case_name);

}  // namespace
}  // namespace omni::testing
