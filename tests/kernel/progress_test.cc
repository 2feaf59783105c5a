// Progress (issue 8, defects 6 and 7): an item never waits while an agent that may take it has
// room — checked by the white-box audit BEFORE any call that could route again.
#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using Progress = KernelTest;

// Defect 6: dispatch skipped the head's decliner for EVERY item, so after one decline a new item
// waited a whole push time-out while the only agent sat at 0 of 2.
TEST_F(Progress, ADeclineDoesNotHoldBackTheItemsBehindIt) {
  build(contact_centre(1, 2.0));
  const ItemId declined = submit("sales");
  ASSERT_EQ(kernel->decline(declined, agent("a0")), Status::ok);
  ASSERT_EQ(state(declined), ItemState::queued) << "not straight back to its decliner";
  const ItemId next = submit("sales");
  EXPECT_EQ(state(next), ItemState::offered) << "the new item is not the declined one";
  EXPECT_EQ(holder(next), agent("a0"));
  expect_audit_ok();
}

// Defect 7: pull() gave up after 64 rounds of 4 pops. More than 256 abandoned entries ahead of a
// live item hid it from an agent coming online.
TEST_F(Progress, AnAgentComingOnlineLooksPastAnyNumberOfAbandonedEntries) {
  Config c = contact_centre(1, 2.0);
  c.agents[0].status = "Offline";
  c.queues[0].max_waiting = 1024;
  c.limits.max_items = 2048;
  build(c);
  for (int i = 0; i < 600; ++i) ASSERT_EQ(kernel->abandon(submit("sales")), Status::ok);
  drain();
  const ItemId live = submit("sales");
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  EXPECT_EQ(state(live), ItemState::offered);
  expect_audit_ok();
}

// Defect 7, the other half: an agent of capacity 200 coming online with 150 waiting got 64 offers.
TEST_F(Progress, AnAgentComingOnlineTakesAllItCanHold) {
  Config c = contact_centre(1, 200.0);
  c.agents[0].status = "Offline";
  c.queues[0].max_waiting = 256;
  c.limits.max_items = 512;
  build(c);
  std::vector<ItemId> ids;
  for (int i = 0; i < 150; ++i) ids.push_back(submit("sales"));
  drain();
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  int offered = 0;
  for (ItemId id : ids) offered += state(id) == ItemState::offered;
  EXPECT_EQ(offered, 150);
  expect_audit_ok();
}

// An item excluded for its decliner goes back to it when the exclusion ends — by the timer, with
// nobody else around (the bounded exception of the progress rule).
TEST_F(Progress, TheOnlyAgentGetsItsDeclinedItemBackAfterOnePushTimeOut) {
  build(contact_centre(1, 2.0));
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->decline(id, agent("a0")), Status::ok);
  advance(std::chrono::seconds(29));
  EXPECT_EQ(state(id), ItemState::queued);
  advance(std::chrono::seconds(2));
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_EQ(holder(id), agent("a0"));
  expect_audit_ok();
}

// When everything waiting is excluded for the best member, routing goes on to the next one.
TEST_F(Progress, ItemsExcludedForTheBestMemberGoToTheNext) {
  build(contact_centre(2, 1.0));
  const ItemId first = submit("sales");
  const AgentId decliner = holder(first);
  ASSERT_EQ(kernel->decline(first, decliner), Status::ok);
  const AgentId other = decliner == agent("a0") ? agent("a1") : agent("a0");
  EXPECT_EQ(holder(first), other);
  expect_audit_ok();
}

}  // namespace
}  // namespace omni::testing
