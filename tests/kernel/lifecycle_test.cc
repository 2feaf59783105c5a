// The work item life cycle of DESIGN.md, one rule per test.
#include <algorithm>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class Lifecycle : public KernelTest {
 protected:
  void SetUp() override { build(contact_centre(1, 2.0)); }
  PausedValueId paused() { return *kernel->find_paused_value(*kernel->find_channel("chat"), "Paused"); }
};

TEST_F(Lifecycle, ArrivalWithAFreeAgentIsOfferedWithinTheSameCall) {
  const ItemId id = submit("sales");
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_EQ(holder(id), agent("a0"));
  EXPECT_EQ(used(agent("a0")), 1000);
}

TEST_F(Lifecycle, AcceptPauseResumeCloseWrapUpDone) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  EXPECT_EQ(state(id), ItemState::active);
  ASSERT_EQ(kernel->pause(id, paused()), Status::ok);
  EXPECT_EQ(state(id), ItemState::paused);
  EXPECT_EQ(used(agent("a0")), 0) << "a paused status value releases the item's capacity";
  ASSERT_EQ(kernel->resume(id), Status::ok);
  EXPECT_EQ(used(agent("a0")), 1000) << "back to an active value consumes it again";
  ASSERT_EQ(kernel->close(id), Status::ok);
  EXPECT_EQ(state(id), ItemState::wrap_up);
  EXPECT_EQ(used(agent("a0")), 1000) << "wrap-up holds the capacity";
  EXPECT_EQ(kernel->agent(agent("a0"))->activity, AgentActivity::wrap_up);
  advance(9s);
  EXPECT_EQ(state(id), ItemState::wrap_up);
  advance(2s);
  EXPECT_EQ(kernel->item(id)->state, ItemState::free) << "wrap-up ends after the configured time";
  EXPECT_EQ(used(agent("a0")), 0);
}

TEST_F(Lifecycle, AgentEndsWrapUpEarly) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->close(id), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(id), Status::ok);
  EXPECT_EQ(used(agent("a0")), 0);
  advance(20s);  // the wrap-up timer finds the item gone and releases nothing twice
  EXPECT_EQ(used(agent("a0")), 0);
}

// Seed 000: capacity 2 with two chats; pause one → a third is offered; resume → the agent
// counts three and gets nothing new until it is under capacity again.
TEST_F(Lifecycle, Seed000PausedSessionFreesCapacityForAThirdChat) {
  const AgentId a0 = agent("a0");
  const ItemId first = submit("sales"), second = submit("sales");
  ASSERT_EQ(kernel->accept(first, a0), Status::ok);
  ASSERT_EQ(kernel->accept(second, a0), Status::ok);
  const ItemId third = submit("sales");
  EXPECT_EQ(state(third), ItemState::queued) << "full: 2 of 2";
  ASSERT_EQ(kernel->pause(first, paused()), Status::ok);
  EXPECT_EQ(state(third), ItemState::offered) << "the freed capacity goes to the waiting chat at once";
  EXPECT_EQ(holder(third), a0);
  ASSERT_EQ(kernel->accept(third, a0), Status::ok);
  ASSERT_EQ(kernel->resume(first), Status::ok);
  EXPECT_EQ(used(a0), 3000) << "resuming may exceed capacity (allow_over_capacity)";
  const ItemId fourth = submit("sales");
  EXPECT_EQ(state(fourth), ItemState::queued) << "over capacity: no new offers";
  ASSERT_EQ(kernel->close(second), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(second), Status::ok);
  EXPECT_EQ(used(a0), 2000);
  EXPECT_EQ(state(fourth), ItemState::queued) << "at capacity still: nothing new";
  ASSERT_EQ(kernel->close(third), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(third), Status::ok);
  EXPECT_EQ(state(fourth), ItemState::offered) << "under capacity again: the waiting chat comes";
}

TEST_F(Lifecycle, ResumeRuleRefuseKeepsTheItemPaused) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].resume_rule = ResumeRule::refuse;
  build(c);
  const ItemId first = submit("sales");
  ASSERT_EQ(kernel->accept(first, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->pause(first, paused()), Status::ok);
  const ItemId second = submit("sales");
  ASSERT_EQ(kernel->accept(second, agent("a0")), Status::ok);
  EXPECT_EQ(kernel->resume(first), Status::no_capacity);
  EXPECT_EQ(state(first), ItemState::paused);
  EXPECT_EQ(used(agent("a0")), 1000);
}

TEST_F(Lifecycle, DeclineRequeuesWithOriginalArrivalAndOffersSomeoneElseFirst) {
  build(contact_centre(2, 1.0));
  const ItemId id = submit("sales");
  const AgentId first = holder(id);
  const Time arrival = kernel->item(id)->arrival;
  clock.advance(3s);
  ASSERT_EQ(kernel->decline(id, first, kernel->find_decline_reason(first, "busy")), Status::ok);
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_NE(holder(id), first) << "not re-offered to the agent that declined it";
  EXPECT_EQ(kernel->item(id)->arrival, arrival) << "keeps its original arrival time";
  EXPECT_EQ(used(first), 0);
}

TEST_F(Lifecycle, DeclinedItemWaitsForTheDeclinerOnlyUntilTheExclusionEnds) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->decline(id, agent("a0"), std::nullopt), Status::ok);
  EXPECT_EQ(state(id), ItemState::queued) << "the only agent just declined it";
  advance(29s);
  EXPECT_EQ(state(id), ItemState::queued);
  advance(2s);  // the push time-out (30 s) bounds the exclusion
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_EQ(holder(id), agent("a0"));
}

TEST_F(Lifecycle, ReQueuedItemIsAheadOfLaterArrivals) {
  build(contact_centre(2, 1.0));
  const ItemId early = submit("sales");
  const ItemId other = submit("sales");  // both agents now full
  const ItemId late = submit("sales");
  ASSERT_EQ(state(late), ItemState::queued);
  const AgentId decliner = holder(early);
  ASSERT_EQ(kernel->decline(early, decliner, std::nullopt), Status::ok);
  // early is excluded from `decliner`, so the late one goes to the decliner
  EXPECT_EQ(holder(late), decliner);
  const AgentId busy = holder(other);
  ASSERT_EQ(kernel->accept(other, busy), Status::ok);
  ASSERT_EQ(kernel->close(other), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(other), Status::ok);
  EXPECT_EQ(holder(early), busy) << "the re-queued item is next for the other agent";
}

TEST_F(Lifecycle, DeclineSetsTheConfiguredStatus) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].status_on_decline = "Busy";
  build(c);
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->decline(id, agent("a0"), std::nullopt), Status::ok);
  EXPECT_EQ(kernel->agent(agent("a0"))->status, status("Busy"));
  advance(31s);
  EXPECT_EQ(state(id), ItemState::queued) << "a busy agent gets no work";
}

TEST_F(Lifecycle, PushTimeOutRequeuesSetsStatusAndMissedStateForTheDelay) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].status_on_push_timeout = "ChatOnly";
  c.presence_configs[0].missed_delay = 5s;
  build(c);
  const ItemId id = submit("sales");
  advance(30s);
  EXPECT_EQ(state(id), ItemState::queued) << "push time-out re-queues";
  auto snap = *kernel->agent(agent("a0"));
  EXPECT_EQ(snap.status, status("ChatOnly"));
  EXPECT_TRUE(snap.missed);
  EXPECT_EQ(snap.activity, AgentActivity::missed);
  EXPECT_EQ(snap.used_milli, 0);
  advance(4s);
  EXPECT_EQ(state(id), ItemState::queued) << "missed: no offers during the delay";
  advance(2s);
  EXPECT_FALSE(kernel->agent(agent("a0"))->missed);
  EXPECT_EQ(state(id), ItemState::queued) << "still excluded from the agent that missed it";
  advance(25s);
  EXPECT_EQ(state(id), ItemState::offered) << "the exclusion (one push time-out) is over";
  const auto events = drain();
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const Event& e) { return e.type == EventType::push_timed_out; }));
  EXPECT_TRUE(std::any_of(events.begin(), events.end(), [](const Event& e) { return e.type == EventType::agent_missed_ended; }));
}

TEST_F(Lifecycle, AcceptedBeforeTheTimeOutStaysActive) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  advance(60s);
  EXPECT_EQ(state(id), ItemState::active);
  EXPECT_EQ(used(agent("a0")), 1000);
}

TEST_F(Lifecycle, AutoAcceptOpensTheItemByItself) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].auto_accept = true;
  c.presence_configs[0].allow_decline = false;
  c.presence_configs[0].decline_reasons.clear();
  build(c);
  const ItemId id = submit("sales");
  EXPECT_EQ(state(id), ItemState::active);
  EXPECT_EQ(kernel->decline(id, agent("a0"), std::nullopt), Status::wrong_state);
}

TEST_F(Lifecycle, AbandonWhileQueuedAndWhileOffered) {
  const ItemId offered = submit("calls");  // voice is exclusive: 100 % of capacity
  const ItemId queued = submit("calls");
  ASSERT_EQ(state(queued), ItemState::queued);
  ASSERT_EQ(kernel->abandon(queued), Status::ok);
  EXPECT_EQ(kernel->queue(queue("calls"))->waiting, 0u);
  ASSERT_EQ(kernel->abandon(offered), Status::ok);
  EXPECT_EQ(used(agent("a0")), 0);
  EXPECT_EQ(kernel->abandon(offered), Status::wrong_state);
}

TEST_F(Lifecycle, HostClosesQueuedAndOfferedItems) {
  const ItemId offered = submit("calls");
  const ItemId queued = submit("calls");
  ASSERT_EQ(kernel->close(queued), Status::ok);
  ASSERT_EQ(kernel->close(offered), Status::ok);
  EXPECT_EQ(used(agent("a0")), 0);
  const ItemId next = submit("calls");
  EXPECT_EQ(state(next), ItemState::offered) << "the closed item's stale lane entry is skipped";
}

TEST_F(Lifecycle, TransferToQueueReleasesAndRequeues) {
  build(contact_centre(2, 1.0));
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Offline")), Status::ok);
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->transfer_to_queue(id, queue("support")), Status::ok);
  EXPECT_EQ(used(agent("a0")), 0);
  EXPECT_EQ(state(id), ItemState::queued) << "not offered straight back to the agent who transferred it";
  EXPECT_EQ(kernel->item(id)->queue, queue("support"));
  ASSERT_EQ(kernel->set_status(agent("a1"), status("Online")), Status::ok);
  EXPECT_EQ(holder(id), agent("a1"));
}

TEST_F(Lifecycle, TransferToAgentOffersToThatAgent) {
  build(contact_centre(2, 1.0));
  const ItemId id = submit("sales");
  const AgentId from = holder(id);
  const AgentId to = from == agent("a0") ? agent("a1") : agent("a0");
  ASSERT_EQ(kernel->accept(id, from), Status::ok);
  ASSERT_EQ(kernel->transfer_to_agent(id, to), Status::ok);
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_EQ(holder(id), to);
  EXPECT_EQ(used(from), 0);
  EXPECT_EQ(used(to), 1000);
}

TEST_F(Lifecycle, TransferToFlowLeavesTheKernel) {
  Config c = contact_centre(1, 1.0);
  c.presence_configs[0].transfer_destinations.flows = {"survey_bot"};
  build(c);
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->transfer_to_queue(id, queue("support")), Status::not_a_destination);
  ASSERT_EQ(kernel->transfer_to_flow(id, *kernel->find_flow("survey_bot")), Status::ok);
  EXPECT_EQ(kernel->item(id)->state, ItemState::free);
  EXPECT_EQ(used(agent("a0")), 0);
}

TEST_F(Lifecycle, GoingOnlineOffersTheWaitingWork) {
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Lunch")), Status::ok);
  EXPECT_EQ(kernel->agent(agent("a0"))->activity, AgentActivity::paused);
  const ItemId id = submit("sales");
  EXPECT_EQ(state(id), ItemState::queued) << "paused agents get no queue work";
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  EXPECT_EQ(state(id), ItemState::offered) << "event-driven: offered on the status change";
}

TEST_F(Lifecycle, BusyAgentKeepsItsWork) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Busy")), Status::ok);
  EXPECT_EQ(state(id), ItemState::active);
  EXPECT_EQ(kernel->pause(id, paused()), Status::ok);
  EXPECT_EQ(kernel->resume(id), Status::ok);
}

TEST_F(Lifecycle, EveryTransitionIsPublishedInOrderWithSequenceNumbers) {
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->pause(id, paused()), Status::ok);
  ASSERT_EQ(kernel->resume(id), Status::ok);
  ASSERT_EQ(kernel->close(id), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(id), Status::ok);
  std::vector<EventType> types;
  uint64_t last_seq = 0;
  for (const Event& e : drain()) {
    if (e.item != id) continue;
    types.push_back(e.type);
    EXPECT_GE(e.seq, last_seq);  // strictly greater per transition; `done` shares its transition's
    last_seq = e.seq;
  }
  EXPECT_EQ(types, (std::vector<EventType>{EventType::submitted, EventType::offered, EventType::accepted,
                                           EventType::paused, EventType::resumed, EventType::closed,
                                           EventType::wrap_up_ended, EventType::done}));
}

}  // namespace
}  // namespace omni::testing
