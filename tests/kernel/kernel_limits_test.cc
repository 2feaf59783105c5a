// Limits that used to wrap, overflow or drop silently (issue 8, defects 3, 4, 5, 9, 10, 12): each
// is now a typed status returned before anything changes, documented back-pressure, or a width
// that does not wrap in use.
#include <set>

#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using Limits = KernelTest;

// Defect 3: resume did not check the 8-bit open-items count; at 255 it carried into the status
// bits and the agent silently went from Online to Away.
TEST_F(Limits, ResumePastTheOpenItemsLimitIsRefused) {
  Config c = contact_centre(1, 300.0);
  c.presence_configs[0].auto_accept = true;
  c.presence_configs[0].allow_decline = false;
  c.presence_configs[0].decline_reasons.clear();
  c.queues[0].max_waiting = 512;
  c.limits.max_items = 512;
  build(c);
  const ItemId paused = submit("sales");
  ASSERT_EQ(kernel->pause(paused, PausedValueId{0}), Status::ok);
  for (int i = 0; i < 255; ++i) {
    ASSERT_EQ(state(submit("sales")), ItemState::active) << i;
    if (i % 100 == 0) drain();
  }
  EXPECT_EQ(kernel->agent(agent("a0"))->open_items, 255u);
  EXPECT_EQ(kernel->resume(paused), Status::no_capacity);
  const auto a = *kernel->agent(agent("a0"));
  EXPECT_EQ(a.status, status("Online")) << "the status bits are untouched";
  EXPECT_EQ(a.open_items, 255u);
  EXPECT_EQ(state(paused), ItemState::paused);
  expect_audit_ok();
}

// Defect 4: the 8-bit transition sequence wrapped, and a stale push time-out matched the word
// again 256 transitions later and fired early.
TEST_F(Limits, AStalePushTimeOutNeverMatchesALaterOffer) {
  build(contact_centre(1, 1.0));
  const ItemId id = submit("sales");  // offered at t=0: push time-out due at 30 s
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  for (int i = 0; i < 200; ++i) {  // 400 transitions
    ASSERT_EQ(kernel->pause(id, PausedValueId{0}), Status::ok);
    ASSERT_EQ(kernel->resume(id), Status::ok);
  }
  drain();
  ASSERT_EQ(kernel->transfer_to_queue(id, queue("sales")), Status::ok);
  advance(std::chrono::seconds(31));  // the transferrer's exclusion ends: offered again, at 31 s
  ASSERT_EQ(state(id), ItemState::offered);
  const uint64_t offered_at = kernel->item(id)->seq;
  advance(std::chrono::seconds(10));
  EXPECT_EQ(state(id), ItemState::offered) << "no early time-out";
  EXPECT_EQ(kernel->item(id)->seq, offered_at);
  advance(std::chrono::seconds(21));
  EXPECT_EQ(state(id), ItemState::queued) << "its own time-out, 30 s after the offer";
}

// Defect 5: the 24-bit incarnation wrapped to 0 after 2^24 lives of a slot, making id 0, which
// every call refuses as unknown — while the item held capacity. Ids are now slot + version at
// submit, never 0 and never repeated. (The 2^24 lives themselves run in limits_slow_test.)
TEST_F(Limits, IdsOfOneSlotAreNeverZeroAndNeverRepeat) {
  Config c = contact_centre(1);
  c.limits.max_items = 1;
  build(c);
  std::set<uint64_t> seen;
  for (int i = 0; i < 50'000; ++i) {
    const ItemId id = submit("sales");
    ASSERT_NE(index(id), 0u);
    ASSERT_TRUE(seen.insert(index(id)).second) << "id repeated at life " << i;
    ASSERT_EQ(kernel->close(id), Status::ok);
    if (i % 1000 == 0) drain();
  }
}

// Defect 9: timer nodes came from a shared pool freed only when due; after quick cycles the next
// offer had no push time-out and nothing said so. Each item now owns its timer node.
TEST_F(Limits, EveryOfferHasItsPushTimeOutHoweverManyCameBefore) {
  Config c = contact_centre(1, 1.0);
  c.limits.max_items = 2;
  build(c);
  for (int i = 0; i < 1'000; ++i) {
    const ItemId id = submit("sales");
    ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
    ASSERT_EQ(kernel->close(id), Status::ok);
    ASSERT_EQ(kernel->end_wrap_up(id), Status::ok);
    if (i % 500 == 0) drain();
  }
  const ItemId id = submit("sales");
  expect_audit_ok();  // checks a timer is armed for every offer and wrap-up
  advance(std::chrono::seconds(31));
  bool timed_out = false;
  for (const Event& e : drain()) timed_out |= e.item == id && e.type == EventType::push_timed_out;
  EXPECT_TRUE(timed_out);
}

// Defect 10: a full event ring dropped events (an `offered` the agent never heard of). Now a
// call whose events do not fit is refused before it changes anything, routing waits, and the
// next drain resumes it.
TEST_F(Limits, AFullEventRingPushesBackAndLosesNothing) {
  Config c = contact_centre(1, 100.0);
  c.agents[0].status = "Offline";
  c.limits.event_capacity = 8;
  build(c);
  std::vector<ItemId> ids;
  Result<ItemId> r;
  while ((r = kernel->submit({queue("sales"), CustomerId{0}}))) ids.push_back(*r);
  EXPECT_EQ(r.error(), Status::events_full);
  EXPECT_EQ(ids.size(), 6u) << "a submit reserves room for 3 events and uses 1 while nobody is online";
  EXPECT_EQ(kernel->queue(queue("sales"))->waiting, 6u) << "the refused submit changed nothing";
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);  // its one event fits
  EXPECT_EQ(state(ids[0]), ItemState::queued) << "no room for an `offered` event: routing waits";
  EXPECT_GT(kernel->stats().routing_deferred, 0u);
  std::vector<Event> events;
  for (int i = 0; i < 10; ++i) {  // each drain gives room back and routing resumes
    const auto more = drain();
    events.insert(events.end(), more.begin(), more.end());
  }
  size_t offered = 0;
  for (const Event& e : events) offered += e.type == EventType::offered;
  EXPECT_EQ(offered, ids.size()) << "every offer made was reported";
  for (ItemId id : ids) EXPECT_EQ(state(id), ItemState::offered);
  expect_audit_ok();
}

// Defect 12: the customer table hashed only bits ≥ 20 of the id, so ids differing in high bits
// all shared one home window and the 33rd was refused as customers_exhausted.
TEST_F(Limits, CustomersThatDifferOnlyInHighBitsSpreadOverTheTable) {
  Config c = contact_centre(0);
  c.limits.max_customers = 256;
  c.queues[0].max_waiting = 256;
  build(c);
  for (uint64_t k = 1; k <= 100; ++k) {
    auto id = kernel->submit({queue("sales"), CustomerId{k << 44}});
    ASSERT_TRUE(id.has_value()) << k << ": " << to_string(id.error());
  }
}

// Defect 12: sessions_of stopped counting at 12, contrary to its contract.
TEST_F(Limits, SessionsOfCountsEverySession) {
  Config c = contact_centre(0);
  build(c);
  for (int i = 0; i < 20; ++i) submit(i % 2 ? "sales" : "support", 77);
  SessionInfo out[4];
  EXPECT_EQ(kernel->sessions_of(CustomerId{77}, out), 20u);
}

TEST_F(Limits, TimersLongerThanAnHourAreRefusedNamingTheField) {
  Config c = contact_centre(1);
  c.presence_configs[0].wrap_up = std::chrono::hours(2);
  auto k = Kernel::create(c, clock);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, "presence_configs[0].wrap_up");
  c = contact_centre(1);
  c.routing_configs[0].push_timeout = std::chrono::minutes(61);
  k = Kernel::create(c, clock);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, "routing_configs[0].push_timeout");
}

}  // namespace
}  // namespace omni::testing
