// Property 5: bad input gets a typed error, never a crash, and changes nothing.
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

class BadInput : public KernelTest {
 protected:
  void SetUp() override { build(contact_centre(2, 1.0)); }
  PausedValueId paused() { return *kernel->find_paused_value(*kernel->find_channel("chat"), "Paused"); }
  // Every operation on `id` gets `expected` and leaves the agents' capacity as it was.
  void expect_all(ItemId id, Status expected) {
    const int32_t before = used(agent("a0")) + used(agent("a1"));
    EXPECT_EQ(kernel->accept(id, agent("a0")), expected);
    EXPECT_EQ(kernel->decline(id, agent("a0"), std::nullopt), expected);
    EXPECT_EQ(kernel->pause(id, paused()), expected);
    EXPECT_EQ(kernel->resume(id), expected);
    EXPECT_EQ(kernel->close(id), expected);
    EXPECT_EQ(kernel->end_wrap_up(id), expected);
    EXPECT_EQ(kernel->abandon(id), expected);
    EXPECT_EQ(kernel->transfer_to_queue(id, queue("support")), expected);
    EXPECT_EQ(kernel->transfer_to_agent(id, agent("a1")), expected);
    const auto snapshot = kernel->item(id);
    EXPECT_EQ(snapshot ? Status::ok : snapshot.error(), expected == Status::wrong_state ? Status::ok : expected);
    EXPECT_EQ(used(agent("a0")) + used(agent("a1")), before);
  }
};

TEST_F(BadInput, UnknownItemIds) {
  expect_all(ItemId{0}, Status::unknown_item);
  expect_all(make_item_id(1'000'000, 1), Status::unknown_item);
  expect_all(make_item_id(0, 77), Status::unknown_item);
}

TEST_F(BadInput, StaleIdOfARecycledSlotIsUnknownNotTheNewItem) {
  const ItemId old = submit("sales");
  ASSERT_EQ(kernel->abandon(old), Status::ok);
  expect_all(old, Status::wrong_state);  // done, slot not yet reused
  std::vector<ItemId> fresh;
  for (int i = 0; i < 300; ++i) {  // cycle every slot at least once
    auto id = kernel->submit({queue("sales"), CustomerId{}});
    if (id) {
      ASSERT_EQ(kernel->abandon(*id), Status::ok);
    }
  }
  const ItemId current = submit("sales");
  expect_all(old, Status::unknown_item);
  EXPECT_EQ(state(current), ItemState::offered) << "the new item was not touched";
}

TEST_F(BadInput, UnknownAgentsQueuesStatusesReasons) {
  const ItemId id = submit("sales");
  EXPECT_EQ(kernel->accept(id, AgentId{99}), Status::unknown_agent);
  EXPECT_EQ(kernel->decline(id, AgentId{99}, std::nullopt), Status::unknown_agent);
  EXPECT_EQ(kernel->decline(id, holder(id), DeclineReasonId{42}), Status::unknown_reason);
  EXPECT_EQ(kernel->set_status(AgentId{99}, status("Online")), Status::unknown_agent);
  EXPECT_EQ(kernel->set_status(agent("a0"), StatusId{999}), Status::unknown_status);
  EXPECT_EQ(kernel->submit({QueueId{4242}, CustomerId{}}).error(), Status::unknown_queue);
  EXPECT_EQ(kernel->agent(AgentId{99}).error(), Status::unknown_agent);
  EXPECT_EQ(kernel->queue(QueueId{99}).error(), Status::unknown_queue);
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  EXPECT_EQ(kernel->pause(id, PausedValueId{9}), Status::unknown_reason);
  EXPECT_EQ(kernel->transfer_to_queue(id, QueueId{77}), Status::unknown_queue);
  EXPECT_EQ(kernel->transfer_to_agent(id, AgentId{77}), Status::unknown_agent);
  EXPECT_EQ(kernel->transfer_to_flow(id, FlowId{3}), Status::unknown_reason);
  EXPECT_EQ(state(id), ItemState::active);
  EXPECT_FALSE(kernel->find_queue("nope").has_value());
  EXPECT_FALSE(kernel->find_decline_reason(agent("a0"), "nope").has_value());
}

TEST_F(BadInput, WrongStateCallsChangeNothing) {
  const ItemId id = submit("sales");
  const AgentId a = holder(id);
  EXPECT_EQ(kernel->pause(id, paused()), Status::wrong_state) << "offered, not active";
  EXPECT_EQ(kernel->resume(id), Status::wrong_state);
  EXPECT_EQ(kernel->end_wrap_up(id), Status::wrong_state);
  EXPECT_EQ(kernel->transfer_to_queue(id, queue("support")), Status::wrong_state);
  const AgentId other = a == agent("a0") ? agent("a1") : agent("a0");
  EXPECT_EQ(kernel->accept(id, other), Status::not_offered_to_agent);
  EXPECT_EQ(kernel->decline(id, other, std::nullopt), Status::not_offered_to_agent);
  ASSERT_EQ(kernel->accept(id, a), Status::ok);
  EXPECT_EQ(kernel->accept(id, a), Status::wrong_state) << "accept twice";
  EXPECT_EQ(kernel->abandon(id), Status::wrong_state) << "customer cannot abandon an active session";
  EXPECT_EQ(used(a), 1000);
}

TEST_F(BadInput, DoublePauseReleasesOnce) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  const AgentId a = holder(id);
  ASSERT_EQ(kernel->pause(id, paused()), Status::ok);
  EXPECT_EQ(kernel->pause(id, paused()), Status::wrong_state);
  EXPECT_EQ(used(a), 0);
  ASSERT_EQ(kernel->close(id), Status::ok);  // paused → wrap-up takes the capacity again
  EXPECT_EQ(used(a), 1000);
  ASSERT_EQ(kernel->end_wrap_up(id), Status::ok);
  EXPECT_EQ(used(a), 0) << "pause then close: released once each hold, no leak";
  EXPECT_EQ(kernel->close(id), Status::wrong_state);
}

TEST_F(BadInput, CloseRacingAPushTimeOutReleasesOnce) {
  const ItemId id = submit("sales");
  const AgentId a = holder(id);
  ASSERT_EQ(kernel->close(id), Status::ok);
  EXPECT_EQ(used(a), 0);
  advance(std::chrono::seconds(31));  // the time-out fires on an item that is gone
  EXPECT_EQ(used(a), 0);
  EXPECT_EQ(used(agent("a0")) + used(agent("a1")), 0);
}

TEST_F(BadInput, DeclineRulesOfThePresenceConfig) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].decline_reasons_required = true;
  build(c);
  const ItemId id = submit("sales");
  EXPECT_EQ(kernel->decline(id, agent("a0"), std::nullopt), Status::reason_required);
  EXPECT_EQ(state(id), ItemState::offered);
  c.presence_configs[0].allow_decline = false;
  c.presence_configs[0].decline_reasons_required = false;
  c.presence_configs[0].decline_reasons.clear();
  build(c);
  const ItemId id2 = submit("sales");
  EXPECT_EQ(kernel->decline(id2, agent("a0"), std::nullopt), Status::decline_not_allowed);
}

TEST_F(BadInput, FullQueueAndExhaustedPoolAreTypedAndLoseNothing) {
  Config c = contact_centre(1, 1.0);
  c.queues[0].max_waiting = 3;
  c.limits.max_items = 5;
  build(c);
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Offline")), Status::ok);
  for (int i = 0; i < 3; ++i) submit("sales");
  EXPECT_EQ(kernel->submit({queue("sales"), CustomerId{}}).error(), Status::queue_full);
  submit("support");
  submit("support");
  EXPECT_EQ(kernel->submit({queue("support"), CustomerId{}}).error(), Status::items_exhausted);
  EXPECT_EQ(kernel->queue(queue("sales"))->waiting, 3u);
  EXPECT_EQ(kernel->queue(queue("support"))->waiting, 2u);
}

TEST_F(BadInput, OutboundCheckOfAnUnknownServiceIsRefusedWithAReason) {
  const auto verdict = kernel->check_outbound(CustomerId{1}, ServiceId{999}, PolicyOp::outbound_template);
  EXPECT_FALSE(verdict.allow);
  EXPECT_EQ(verdict.reason, "unknown service");
}

TEST_F(BadInput, TransferWithANonTransferOperationIsRefused) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  EXPECT_EQ(kernel->transfer_to_queue(id, queue("support"), PolicyOp::outbound_broadcast), Status::wrong_state);
  EXPECT_EQ(state(id), ItemState::active);
}

}  // namespace
}  // namespace omni::testing

namespace omni::testing {
namespace {

// An unattended queue whose customers give up must not fill with what they left behind.
TEST(UnattendedQueue, AbandonedItemsDoNotFillTheQueue) {
  Config c = contact_centre(1, 1.0);
  c.queues[0].max_waiting = 4;
  c.agents[0].status = "Offline";
  ManualClock clock;
  auto k = *Kernel::create(c, clock);
  const QueueId sales = *k->find_queue("sales");
  const ItemId patient = *k->submit({sales, CustomerId{}});  // stays at the head all along
  for (int i = 0; i < 100; ++i) {
    auto id = k->submit({sales, CustomerId{}});
    ASSERT_TRUE(id.has_value()) << "round " << i << ": " << to_string(id.error());
    ASSERT_EQ(k->abandon(*id), Status::ok);
  }
  EXPECT_EQ(k->queue(sales)->waiting, 1u);
  ASSERT_EQ(k->set_status(AgentId{0}, *k->find_status("Online")), Status::ok);
  EXPECT_EQ(k->item(patient)->state, ItemState::offered) << "the live item survived the sweeps";
}

}  // namespace
}  // namespace omni::testing
