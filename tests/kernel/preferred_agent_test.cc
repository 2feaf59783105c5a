// Preferred (sticky) agents (issue 9, item 4): offered only to the preferred agent while the
// wait limit runs, then to everyone eligible; an offline preferred agent falls back at once.
#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class Preferred : public KernelTest {
 protected:
  void SetUp() override { build(contact_centre(3, 1.0)); }
  ItemId submit_for(std::string_view who, Duration wait) {
    SubmitRequest r{queue("sales"), CustomerId{0}};
    r.preferred = agent(who);
    r.preferred_wait = wait;
    auto id = kernel->submit(r);
    EXPECT_TRUE(id.has_value()) << to_string(id.error());
    return id.value_or(ItemId{});
  }
};

TEST_F(Preferred, APreferredAgentWithRoomGetsItFirst) {
  EXPECT_EQ(holder(submit_for("a2", 30s)), agent("a2")) << "not a0, who is listed first";
  expect_audit_ok();
}

TEST_F(Preferred, TheItemWaitsForItsAgentThenFallsBack) {
  const ItemId busy = submit_for("a1", 30s);
  ASSERT_EQ(holder(busy), agent("a1"));
  const ItemId id = submit_for("a1", 20s);  // a1 is full (capacity 1); a0 and a2 are free
  EXPECT_EQ(state(id), ItemState::queued);
  EXPECT_EQ(kernel->item(id)->preferred, agent("a1"));
  expect_audit_ok();
  auto x = kernel->explain(id);
  ASSERT_TRUE(x.has_value());
  EXPECT_EQ(x->candidates[0].verdict, CandidateVerdict::reserved);
  EXPECT_EQ(x->candidates[1].verdict, CandidateVerdict::no_room);
  advance(19s);
  EXPECT_EQ(state(id), ItemState::queued);
  advance(2s);
  EXPECT_EQ(state(id), ItemState::offered);
  EXPECT_EQ(holder(id), agent("a0")) << "after the wait, anyone eligible";
  bool ended = false;
  for (const Event& e : drain()) ended |= e.item == id && e.type == EventType::preference_ended;
  EXPECT_TRUE(ended);
  expect_audit_ok();
}

TEST_F(Preferred, ThePreferredAgentFreeingCapacityTakesItsItem) {
  const ItemId busy = submit_for("a1", 30s);
  const ItemId id = submit_for("a1", 30s);
  ASSERT_EQ(state(id), ItemState::queued);
  ASSERT_EQ(kernel->accept(busy, agent("a1")), Status::ok);
  ASSERT_EQ(kernel->close(busy), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(busy), Status::ok);
  EXPECT_EQ(holder(id), agent("a1"));
  expect_audit_ok();
}

TEST_F(Preferred, AnOfflinePreferredAgentFallsBackAtOnce) {
  ASSERT_EQ(kernel->set_status(agent("a2"), status("Offline")), Status::ok);
  EXPECT_EQ(holder(submit_for("a2", 30s)), agent("a0")) << "offline at submit: no preference";
  ASSERT_EQ(kernel->set_status(agent("a2"), status("Online")), Status::ok);
  const ItemId busy = submit_for("a2", 30s);
  ASSERT_EQ(holder(busy), agent("a2"));
  const ItemId id = submit_for("a2", 30s);
  ASSERT_EQ(state(id), ItemState::queued);
  ASSERT_EQ(kernel->set_status(agent("a2"), status("Offline")), Status::ok);  // goes offline later
  EXPECT_EQ(holder(id), agent("a1")) << "a0 is busy; a1 is free";
  expect_audit_ok();
}

TEST_F(Preferred, AbandoningAWaitingPreferredItemLeavesNothingBehind) {
  (void)submit_for("a1", 30s);
  const ItemId id = submit_for("a1", 30s);
  ASSERT_EQ(kernel->abandon(id), Status::ok);
  expect_audit_ok();
  advance(31s);  // its preference timer finds nothing to do
  expect_audit_ok();
}

TEST_F(Preferred, TooManyWaitingForOneAgentRouteWithoutPreference) {
  Config c = contact_centre(2, 1.0);
  c.limits.max_preferred_waiting = 1;
  build(c);
  const ItemId busy = submit_for("a1", 30s);
  const ItemId waits = submit_for("a1", 30s);
  const ItemId over = submit_for("a1", 30s);
  ASSERT_EQ(holder(busy), agent("a1"));
  EXPECT_EQ(kernel->item(waits)->preferred, agent("a1"));
  EXPECT_EQ(holder(over), agent("a0")) << "the personal lane is full: routed as usual";
  expect_audit_ok();
}

TEST_F(Preferred, BadPreferencesAreTypedErrorsThatChangeNothing) {
  SubmitRequest r{queue("sales"), CustomerId{0}};
  r.preferred = AgentId{99};
  r.preferred_wait = 30s;
  EXPECT_EQ(kernel->submit(r).error(), Status::unknown_agent);
  r.preferred = agent("a1");
  r.preferred_wait = -1s;
  EXPECT_EQ(kernel->submit(r).error(), Status::invalid_preference);
  r.preferred_wait = std::chrono::minutes(61);
  EXPECT_EQ(kernel->submit(r).error(), Status::invalid_preference);
  EXPECT_EQ(kernel->queue(queue("sales"))->waiting, 0u);
  EXPECT_TRUE(drain().empty()) << "nothing was submitted";
  expect_audit_ok();
}

// A preferred item that does not fit its agent (a call needs all of its capacity) does not hold
// back a later one that does (a chat): the agent's personal lane is not first-come-only.
TEST_F(Preferred, AnItemThatDoesNotFitDoesNotBlockOneThatDoes) {
  build(contact_centre(2, 2.0));
  const ItemId chat = submit_for("a1", 30s);
  ASSERT_EQ(holder(chat), agent("a1"));  // a1: 1 of 2 units used
  SubmitRequest call{queue("calls"), CustomerId{0}};
  call.preferred = agent("a1");
  call.preferred_wait = 30s;
  const ItemId waiting_call = *kernel->submit(call);  // 100 % of a1: waits for a1
  ASSERT_EQ(kernel->item(waiting_call)->preferred, agent("a1"));
  const ItemId chat2 = submit_for("a1", 30s);  // fits the free unit
  EXPECT_EQ(holder(chat2), agent("a1")) << "offered at once, past the call that cannot fit";
  EXPECT_EQ(kernel->item(waiting_call)->preferred, agent("a1")) << "the call keeps waiting, in its place";
  expect_audit_ok();
}


// The kernel remembers who last accepted a customer's item: prefer_last_agent routes the
// customer's next item there (for the wait limit), whoever is idle longer.
TEST_F(Preferred, TheLastAgentOfACustomerIsRemembered) {
  const ItemId first = submit("sales", 42);
  const AgentId served = holder(first);
  ASSERT_NE(served, kNoAgent);
  EXPECT_FALSE(kernel->last_agent(CustomerId{42}).has_value()) << "offered, not yet accepted";
  ASSERT_EQ(kernel->accept(first, served), Status::ok);
  EXPECT_EQ(kernel->last_agent(CustomerId{42}), served);
  ASSERT_EQ(kernel->close(first), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(first), Status::ok);
  // Without the flag, longest idle: the agent who just finished is the last choice.
  SubmitRequest r{queue("sales"), CustomerId{42}};
  r.prefer_last_agent = true;
  r.preferred_wait = 30s;
  auto again = kernel->submit(r);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(holder(*again), served);
  EXPECT_FALSE(kernel->last_agent(CustomerId{7}).has_value());
  expect_audit_ok();
}

TEST_F(Preferred, AForgottenOrBusyLastAgentFallsBackAsUsual) {
  const ItemId first = submit("sales", 42);
  const AgentId served = holder(first);
  ASSERT_EQ(kernel->accept(first, served), Status::ok);  // still busy (capacity 1)
  SubmitRequest r{queue("sales"), CustomerId{42}};
  r.prefer_last_agent = true;
  r.preferred_wait = 10s;
  auto waits = kernel->submit(r);
  ASSERT_TRUE(waits.has_value());
  EXPECT_EQ(kernel->item(*waits)->preferred, served) << "waits for its agent";
  advance(11s);
  EXPECT_EQ(state(*waits), ItemState::offered);
  EXPECT_NE(holder(*waits), served) << "then anyone";
  // A customer never served: nothing to prefer, routed at once.
  SubmitRequest fresh{queue("sales"), CustomerId{1234}};
  fresh.prefer_last_agent = true;
  fresh.preferred_wait = 10s;
  auto other = kernel->submit(fresh);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(kernel->item(*other)->preferred, kNoAgent);
  expect_audit_ok();
}

TEST_F(Preferred, TheMemoryCanBeTurnedOff) {
  Config c = contact_centre(3, 1.0);
  c.limits.remembered_customers = 0;
  build(c);
  const ItemId first = submit("sales", 42);
  ASSERT_EQ(kernel->accept(first, holder(first)), Status::ok);
  EXPECT_FALSE(kernel->last_agent(CustomerId{42}).has_value());
}

TEST(PreferredConfig, RememberedCustomersIsBounded) {
  Config c = contact_centre();
  c.limits.remembered_customers = (1u << 24) + 1;
  ManualClock clock;
  auto k = Kernel::create(c, clock);
  ASSERT_FALSE(k.has_value());
  EXPECT_EQ(k.error().field, "limits.remembered_customers");
}

}  // namespace
}  // namespace omni::testing
