// Routing order and the two routing models of seed 002.
#include <map>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class Routing : public KernelTest {};

TEST_F(Routing, LowerRoutingPriorityIsServedFirstWhenCapacityFrees) {
  build(contact_centre(1, 1.0));
  const ItemId busy = submit("sales");
  ASSERT_EQ(kernel->accept(busy, agent("a0")), Status::ok);
  clock.advance(1s);
  const ItemId task = submit("backoffice");  // priority 2 (and interruptible: own pool)
  ASSERT_EQ(kernel->close(task), Status::ok);  // keep the interruptible pool out of it
  const ItemId chat = submit("support");      // priority 1, arrived later
  clock.advance(1s);
  const ItemId call = submit("calls");        // priority 0, arrived last
  ASSERT_EQ(kernel->close(busy), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(busy), Status::ok);
  EXPECT_EQ(state(call), ItemState::offered) << "priority 0 first, whatever the arrival order";
  EXPECT_EQ(state(chat), ItemState::queued);
}

TEST_F(Routing, EarliestArrivalFirstAcrossQueuesOfOnePriority) {
  build(contact_centre(1, 1.0));
  const ItemId busy = submit("sales");
  ASSERT_EQ(kernel->accept(busy, agent("a0")), Status::ok);
  const ItemId support = submit("support");
  clock.advance(1s);
  const ItemId sales = submit("sales");
  ASSERT_EQ(kernel->close(busy), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(busy), Status::ok);
  EXPECT_EQ(state(support), ItemState::offered);
  EXPECT_EQ(state(sales), ItemState::queued);
}

TEST_F(Routing, MostAvailableOffersToTheAgentWithTheMostRoom) {
  build(contact_centre(3, 3.0));
  const ItemId x = submit("sales");
  EXPECT_EQ(holder(x), agent("a0")) << "all tie at 3 free: first member";
  const ItemId y = submit("sales");
  EXPECT_EQ(holder(y), agent("a1")) << "a0 has 2 free, a1 and a2 3: a1 is first of those";
  const ItemId z = submit("sales");
  EXPECT_EQ(holder(z), agent("a2"));
  const ItemId w = submit("sales");
  EXPECT_EQ(holder(w), agent("a0")) << "all at 2 free again";
}

TEST_F(Routing, LeastActiveOffersToTheAgentWithTheFewestOpenItems) {
  Config c = contact_centre(2, 4.0);
  c.routing_configs[0].model = RoutingModel::least_active;
  c.agents[0].presence_config = "";  // a0: standard (4)
  PresenceConfigConfig small = c.presence_configs[0];
  small.name = "small";
  small.capacity = 2;
  c.presence_configs.push_back(small);
  c.agents[1].presence_config = "small";
  build(c);
  const ItemId first = submit("sales");
  EXPECT_EQ(holder(first), agent("a0")) << "tie at 0 open: first member";
  const ItemId second = submit("sales");
  EXPECT_EQ(holder(second), agent("a1")) << "a1 has fewer open items, though less capacity";
  const ItemId third = submit("sales");
  EXPECT_EQ(holder(third), agent("a0"));
}

TEST_F(Routing, PercentSizeMakesVoiceExclusive) {
  build(contact_centre(1, 3.0));
  const ItemId call = submit("calls");
  EXPECT_EQ(used(agent("a0")), 3000) << "100 % of a capacity of 3";
  const ItemId chat = submit("sales");
  EXPECT_EQ(state(chat), ItemState::queued);
  ASSERT_EQ(kernel->abandon(call), Status::ok);
  EXPECT_EQ(state(chat), ItemState::offered);
  const ItemId call2 = submit("calls");
  EXPECT_EQ(state(call2), ItemState::queued) << "a chat is open: no room for an exclusive call";
}

TEST_F(Routing, InterruptibleWorkUsesItsOwnCapacity) {
  build(contact_centre(1, 1.0));
  const ItemId chat = submit("sales");
  ASSERT_EQ(kernel->accept(chat, agent("a0")), Status::ok);
  const ItemId task = submit("backoffice");
  EXPECT_EQ(state(task), ItemState::offered) << "full for chats, but tasks are interruptible";
  EXPECT_EQ(kernel->agent(agent("a0"))->interruptible_used_milli, 1000);
  EXPECT_EQ(used(agent("a0")), 1000);
  const ItemId task2 = submit("backoffice");
  EXPECT_EQ(state(task2), ItemState::queued);
}

TEST_F(Routing, StatusChannelsLimitWhatAnAgentGets) {
  build(contact_centre(1, 3.0));
  ASSERT_EQ(kernel->set_status(agent("a0"), status("ChatOnly")), Status::ok);
  const ItemId call = submit("calls");
  EXPECT_EQ(state(call), ItemState::queued);
  const ItemId chat = submit("sales");
  EXPECT_EQ(state(chat), ItemState::offered);
}

TEST_F(Routing, OnlyMembersOfAQueueGetItsWork) {
  Config c = contact_centre(2, 1.0);
  c.agents[0].queues = {"support"};
  build(c);
  const ItemId id = submit("sales");
  EXPECT_EQ(holder(id), agent("a1"));
}

// Functional, not timed: 10,000 agents in 1,000 queues route correctly and stay consistent.
TEST_F(Routing, TenThousandAgentsAndAThousandQueues) {
  Config c = contact_centre(0, 5.0);
  c.queues.clear();
  for (int q = 0; q < 1000; ++q) c.queues.push_back({"q" + std::to_string(q), "chat", "chat_rc", "", 32});
  for (int a = 0; a < 10'000; ++a) {
    std::vector<std::string> qs;
    for (int k = 0; k < 5; ++k) qs.push_back("q" + std::to_string((a * 7 + k * 131) % 1000));
    c.agents.push_back({"agent" + std::to_string(a), "agent", "", qs, "Online"});
  }
  c.limits.max_items = 30'000;
  build(c);
  std::vector<ItemId> ids;
  for (int i = 0; i < 20'000; ++i) {
    ids.push_back(submit("q" + std::to_string(i % 1000)));
    if (i % 1'000 == 999) drain();  // the host drains; a full event ring would push back
  }
  int64_t offered = 0;
  for (ItemId id : ids) offered += state(id) == ItemState::offered;
  EXPECT_EQ(offered, 20'000) << "50 members of capacity 5 per queue, 20 chats each: all fit";
  int64_t used_total = 0;
  for (uint32_t a = 0; a < 10'000; ++a) {
    const auto s = *kernel->agent(AgentId{a});
    EXPECT_LE(s.used_milli, s.capacity_milli);
    used_total += s.used_milli;
  }
  EXPECT_EQ(used_total, 20'000 * 1000);
}

}  // namespace
}  // namespace omni::testing

namespace omni::testing {
namespace {

// Fair tie-breaks (issue 9, item 3): when identical agents are all idle, listed order gives every
// item to the first one; round-robin shares them.
TEST_F(Routing, RoundRobinTiesShareTheWorkAmongIdenticalAgents) {
  for (TieBreak tie : {TieBreak::listed_order, TieBreak::round_robin}) {
    Config c = contact_centre(3, 1.0);
    c.routing_configs[0].tie_break = tie;
    c.presence_configs[0].wrap_up = {};
    build(c);
    std::map<uint32_t, int> got;
    for (int i = 0; i < 30; ++i) {
      const ItemId id = submit("sales");
      const AgentId a = holder(id);
      ++got[index(a)];
      ASSERT_EQ(kernel->accept(id, a), Status::ok);
      ASSERT_EQ(kernel->close(id), Status::ok);
      drain();
    }
    if (tie == TieBreak::listed_order) {
      EXPECT_EQ(got[0], 30);
    } else {
      EXPECT_EQ(got[0], 10);
      EXPECT_EQ(got[1], 10);
      EXPECT_EQ(got[2], 10);
    }
  }
}

}  // namespace
}  // namespace omni::testing
