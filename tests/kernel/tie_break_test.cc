// Fair tie-breaks and the classic ACD models (issue 9, item 3), and whether a transfer keeps the
// item's arrival (item 5). Agents a0..a2 are identical (capacity 1, no wrap-up), so every offer is
// a tie that the tie-break alone decides.
#include <map>

#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

Config identical(TieBreak tie, RoutingModel model = RoutingModel::most_available) {
  Config c = contact_centre(3, 1.0);
  c.presence_configs[0].wrap_up = {};
  c.routing_configs[0].tie_break = tie;
  c.routing_configs[0].model = model;
  return c;
}

class TieBreaks : public KernelTest {
 protected:
  // Gives a0, a1, a2 one item each, then ends them in the order `order` one second apart, so the
  // agent ended first has been idle longest.
  void end_in_order(std::initializer_list<const char*> order) {
    std::map<std::string, ItemId> held;
    for (size_t i = 0; i < order.size(); ++i) {
      const ItemId id = submit("sales");
      ASSERT_EQ(state(id), ItemState::offered);
      held["a" + std::to_string(index(holder(id)))] = id;
    }
    ASSERT_EQ(held.size(), order.size()) << "each agent got one";
    for (const char* who : order) {
      advance(1s);
      ASSERT_EQ(kernel->accept(held[who], agent(who)), Status::ok);
      ASSERT_EQ(kernel->close(held[who]), Status::ok);
    }
  }
  std::vector<AgentId> next_three() {
    std::vector<AgentId> got;
    for (int i = 0; i < 3; ++i) got.push_back(holder(submit("sales")));
    return got;
  }
};

TEST_F(TieBreaks, LongestIdleGoesToTheAgentWhoseLastItemEndedFirst) {
  build(identical(TieBreak::longest_idle));
  end_in_order({"a2", "a0", "a1"});
  EXPECT_EQ(next_three(), (std::vector{agent("a2"), agent("a0"), agent("a1")}));
  expect_audit_ok();
}

TEST_F(TieBreaks, RoundRobinIgnoresIdleTime) {
  build(identical(TieBreak::round_robin));
  end_in_order({"a2", "a0", "a1"});
  // The cursor is past a2 (the third chosen): a0, a1, a2 whatever their idle times.
  EXPECT_EQ(next_three(), (std::vector{agent("a0"), agent("a1"), agent("a2")}));
}

TEST_F(TieBreaks, ListedOrderAlwaysStartsAtTheFirstMember) {
  build(identical(TieBreak::listed_order));
  end_in_order({"a2", "a0", "a1"});
  EXPECT_EQ(holder(submit("sales")), agent("a0"));
}

TEST_F(TieBreaks, LongestIdleIsTheDefault) {
  EXPECT_EQ(RoutingConfig{}.tie_break, TieBreak::longest_idle);
}

TEST_F(TieBreaks, ComingOnlineStartsTheIdleClock) {
  Config c = identical(TieBreak::longest_idle);
  c.agents[0].status = "Offline";
  build(c);
  end_in_order({"a1", "a2"});  // a0 is offline: the items went to a1 and a2
  advance(1s);
  ASSERT_EQ(kernel->set_status(agent("a0"), status("Online")), Status::ok);
  // a0 never had an item but came online last: a1 and a2 have waited longer.
  EXPECT_EQ(holder(submit("sales")), agent("a1"));
  EXPECT_EQ(holder(submit("sales")), agent("a2"));
  EXPECT_EQ(holder(submit("sales")), agent("a0"));
}

// Least Active still ranks by load first: the tie-break only orders agents at the same level.
TEST_F(TieBreaks, TheModelRanksFirstAndTheTieBreakOrdersWithinALevel) {
  Config c = identical(TieBreak::longest_idle, RoutingModel::least_active);
  c.presence_configs[0].capacity = 3;
  build(c);
  const ItemId x = submit("sales");  // a0 (all tied at 0 open, cursor 0)
  ASSERT_EQ(holder(x), agent("a0"));
  advance(1s);
  // a1 and a2 have 0 open items, a0 has 1: a1 or a2, never a0, although a0 is "idle since 0" too.
  const AgentId next = holder(submit("sales"));
  EXPECT_NE(next, agent("a0"));
}

// The classic longest-idle-agent model ignores load: an agent holding an item but idle longest
// (its last item ended long ago) beats a free agent that just finished.
TEST_F(TieBreaks, LongestIdleAgentModelIgnoresLoad) {
  Config c = identical(TieBreak::listed_order, RoutingModel::longest_idle_agent);
  c.presence_configs[0].capacity = 3;
  build(c);
  const ItemId x = submit("sales");  // a0
  const ItemId y = submit("sales");  // a1 (cursor moved on; all idle since 0)
  ASSERT_EQ(holder(x), agent("a0"));
  ASSERT_EQ(holder(y), agent("a1"));
  advance(1s);
  ASSERT_EQ(kernel->accept(y, agent("a1")), Status::ok);
  ASSERT_EQ(kernel->close(y), Status::ok);  // a1: free, idle since 1 s
  advance(1s);
  ASSERT_EQ(kernel->set_status(agent("a2"), status("Busy")), Status::ok);
  // a0 holds x but its idle clock never restarted: it wins over a1 (free since 1 s).
  EXPECT_EQ(holder(submit("sales")), agent("a0"));
  expect_audit_ok();
}

TEST_F(TieBreaks, RoundRobinModelCyclesWhateverTheLoad) {
  Config c = identical(TieBreak::listed_order, RoutingModel::round_robin);
  c.presence_configs[0].capacity = 3;
  build(c);
  std::vector<AgentId> got;
  for (int i = 0; i < 6; ++i) got.push_back(holder(submit("sales", static_cast<uint64_t>(i))));
  EXPECT_EQ(got, (std::vector{agent("a0"), agent("a1"), agent("a2"), agent("a0"), agent("a1"), agent("a2")}));
}

// Most skilled: the item asks for Spanish; the agent with the highest Spanish level gets it.
TEST_F(TieBreaks, MostSkilledPrefersHigherLevelsThenLongestIdle) {
  Config c = identical(TieBreak::most_skilled);
  c.skills = {"Spanish"};
  c.agents[0].skills = {{"Spanish", 3}};
  c.agents[1].skills = {{"Spanish", 9}};
  c.agents[2].skills = {{"Spanish", 5}};
  build(c);
  const auto reqs = kernel->prepare_requirements(queue("sales"), std::vector<SkillRequirement>{{*kernel->find_skill("Spanish"), 2}});
  ASSERT_TRUE(reqs.has_value());
  auto first = kernel->submit({queue("sales"), CustomerId{1}, false, *reqs});
  auto second = kernel->submit({queue("sales"), CustomerId{2}, false, *reqs});
  ASSERT_TRUE(first && second);
  EXPECT_EQ(holder(*first), agent("a1")) << "Spanish 9";
  EXPECT_EQ(holder(*second), agent("a2")) << "Spanish 5 next";
  // Without skills the items go by longest idle (all idle since 0: the rotating start).
  EXPECT_EQ(holder(submit("sales")), agent("a0"));
  expect_audit_ok();
}

// Transfers keep the original arrival unless the destination's routing config restarts it.
TEST_F(TieBreaks, TransferKeepsOrRestartsTheArrival) {
  Config c = identical(TieBreak::longest_idle);
  c.routing_configs.push_back(c.routing_configs[0]);
  c.routing_configs.back().name = "fresh_rc";
  c.routing_configs.back().transfer_keeps_arrival = false;
  c.queues[1].routing = "fresh_rc";  // support restarts the wait; sales keeps it
  build(c);
  const ItemId id = submit("sales");
  const Time arrival = kernel->item(id)->arrival;
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  advance(30s);
  ASSERT_EQ(kernel->transfer_to_queue(id, queue("sales")), Status::ok);
  EXPECT_EQ(kernel->item(id)->arrival, arrival) << "sales keeps the original arrival";
  ASSERT_EQ(kernel->accept(id, holder(id)), Status::ok);
  advance(30s);
  ASSERT_EQ(kernel->transfer_to_queue(id, queue("support")), Status::ok);
  EXPECT_EQ(kernel->item(id)->arrival, clock.now()) << "support restarts the wait";
  expect_audit_ok();
}

const ConfigCase kBadRouting[] = {
    {"model_out_of_range", [](Config& c) { c.routing_configs[0].model = static_cast<RoutingModel>(9); },
     "routing_configs[0].model"},
    {"tie_break_out_of_range", [](Config& c) { c.routing_configs[0].tie_break = static_cast<TieBreak>(9); },
     "routing_configs[0].tie_break"},
};
class BadRouting : public ::testing::TestWithParam<ConfigCase> {};
TEST_P(BadRouting, NameTheField) { expect_config_error(contact_centre(), GetParam()); }
INSTANTIATE_TEST_SUITE_P(All, BadRouting, ::testing::ValuesIn(kBadRouting), config_case_name);

}  // namespace
}  // namespace omni::testing
