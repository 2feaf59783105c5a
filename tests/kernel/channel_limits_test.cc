// Per-channel limits (issue 9, item 6): "at most 1 voice call and 2 chats" beside capacity units,
// taken in the same CAS as capacity, released with it (pause, close, wrap-up end), and reported
// by explain() as the reason an agent with spare capacity did not get an item.
#include <atomic>
#include <random>
#include <thread>

#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

// One agent with room for ten units of anything, but at most 1 voice call and 2 chats.
Config limited_centre(ResumeRule rule = ResumeRule::allow_over_capacity, int agents = 1) {
  Config c = contact_centre(agents, 10.0);
  c.routing_configs[1].size_unit = SizeUnit::units;  // voice: 1 unit, so capacity never binds
  c.routing_configs[1].size = 1.0;
  c.presence_configs[0].channel_limits = {{"voice", 1}, {"chat", 2}};
  c.presence_configs[0].resume_rule = rule;
  return c;
}

class ChannelLimits : public KernelTest {
 protected:
  void SetUp() override { build(limited_centre()); }
  CandidateVerdict verdict(ItemId id) {
    auto x = kernel->explain(id);
    EXPECT_TRUE(x.has_value());
    return x ? x->candidates.at(0).verdict : CandidateVerdict::offered;
  }
};

TEST_F(ChannelLimits, ASecondCallWaitsThoughCapacityIsFree) {
  const ItemId first = submit("calls");
  const ItemId second = submit("calls");
  EXPECT_EQ(state(first), ItemState::offered);
  EXPECT_EQ(state(second), ItemState::queued);
  EXPECT_EQ(used(agent("a0")), 1000) << "nine units free: only the limit holds the call back";
  EXPECT_EQ(verdict(second), CandidateVerdict::channel_limit);
  expect_audit_ok();
}

TEST_F(ChannelLimits, ChatsCountSeparatelyFromCalls) {
  const ItemId call = submit("calls");
  const ItemId c1 = submit("sales"), c2 = submit("support"), c3 = submit("sales");
  EXPECT_EQ(state(call), ItemState::offered);
  EXPECT_EQ(state(c1), ItemState::offered);
  EXPECT_EQ(state(c2), ItemState::offered);
  EXPECT_EQ(state(c3), ItemState::queued) << "two chats across both chat queues is the limit";
  EXPECT_EQ(verdict(c3), CandidateVerdict::channel_limit);
  const ItemId task = submit("backoffice");  // an unlimited channel still routes
  EXPECT_EQ(state(task), ItemState::offered);
  expect_audit_ok();
}

TEST_F(ChannelLimits, ClosingACallOffersTheNextAfterWrapUp) {
  const ItemId first = submit("calls");
  const ItemId second = submit("calls");
  ASSERT_EQ(kernel->accept(first, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->close(first), Status::ok);
  EXPECT_EQ(state(second), ItemState::queued) << "wrap-up holds the call's place under the limit";
  expect_audit_ok();
  ASSERT_EQ(kernel->end_wrap_up(first), Status::ok);
  EXPECT_EQ(state(second), ItemState::offered);
  expect_audit_ok();
}

TEST_F(ChannelLimits, PausingAChatLetsTheNextOneIn) {
  const ItemId c1 = submit("sales"), c2 = submit("sales"), c3 = submit("sales");
  ASSERT_EQ(state(c3), ItemState::queued);
  ASSERT_EQ(kernel->accept(c1, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->pause(c1, *kernel->find_paused_value(ChannelId{0}, "Paused")), Status::ok);
  EXPECT_EQ(state(c3), ItemState::offered) << "a paused chat releases its place like its capacity";
  expect_audit_ok();
  // Resuming over the limit is allowed by this presence config: the agent then takes no chat.
  ASSERT_EQ(kernel->resume(c1), Status::ok);
  const ItemId c4 = submit("sales");
  EXPECT_EQ(state(c4), ItemState::queued);
  ASSERT_EQ(kernel->accept(c2, agent("a0")), Status::ok);
  ASSERT_EQ(kernel->close(c2), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(c2), Status::ok);
  EXPECT_EQ(state(c4), ItemState::queued) << "still two chats open (c1 and c3): at the limit";
  ASSERT_EQ(kernel->close(c1), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(c1), Status::ok);
  EXPECT_EQ(state(c4), ItemState::offered);
  (void)c2;
  expect_audit_ok();
}

TEST(ChannelLimitsRefuse, ResumeIsRefusedAtTheLimitWhenTheRuleRefuses) {
  ManualClock clock;
  auto k = Kernel::create(limited_centre(ResumeRule::refuse), clock);
  ASSERT_TRUE(k.has_value()) << k.error().message();
  auto& kernel = **k;
  const QueueId sales = *kernel.find_queue("sales");
  const AgentId a0 = *kernel.find_agent("a0");
  const ItemId c1 = *kernel.submit({sales, CustomerId{1}});
  ASSERT_EQ(kernel.accept(c1, a0), Status::ok);
  ASSERT_EQ(kernel.pause(c1, *kernel.find_paused_value(ChannelId{0}, "Paused")), Status::ok);
  const ItemId c2 = *kernel.submit({sales, CustomerId{2}});
  const ItemId c3 = *kernel.submit({sales, CustomerId{3}});
  ASSERT_EQ(kernel.item(c2)->state, ItemState::offered);
  ASSERT_EQ(kernel.item(c3)->state, ItemState::offered);
  EXPECT_EQ(kernel.resume(c1), Status::no_capacity) << "capacity is free, the chat limit is not";
  EXPECT_EQ(kernel.item(c1)->state, ItemState::paused) << "nothing changed";
  ASSERT_EQ(kernel.close(c2), Status::ok);
  EXPECT_EQ(kernel.resume(c1), Status::ok);
  const auto report = internal::audit(kernel);
  EXPECT_TRUE(report.ok()) << report.text();
}

TEST_F(ChannelLimits, ATransferToAnAgentAtItsLimitIsRefused) {
  build(limited_centre(ResumeRule::allow_over_capacity, 2));
  const ItemId call = submit("calls");          // a0
  const ItemId other = submit("calls");         // a1
  ASSERT_EQ(holder(call), agent("a0"));
  ASSERT_EQ(holder(other), agent("a1"));
  ASSERT_EQ(kernel->accept(call, agent("a0")), Status::ok);
  EXPECT_EQ(kernel->transfer_to_agent(call, agent("a1")), Status::no_capacity);
  EXPECT_EQ(state(call), ItemState::active);
  expect_audit_ok();
}

// Many threads submit calls and chats, close, pause and resume at once; no agent may ever hold
// more than its limits. With ten units of capacity and items of one unit, only the limits keep an
// agent's open items at 3 or fewer (1 call + 2 chats; the refuse rule stops resumes over them):
// a sampler reads every agent's snapshot throughout, and the audit checks the counters against
// the items at the end.
TEST(ChannelLimitsConcurrent, NoInterleavingExceedsALimit) {
  ManualClock clock;
  Config c = limited_centre(ResumeRule::refuse, 4);
  c.limits.event_capacity = 1 << 16;
  c.limits.max_items = 1024;
  c.limits.max_customers = 1024;
  auto k = Kernel::create(c, clock);
  ASSERT_TRUE(k.has_value()) << k.error().message();
  auto& kernel = **k;
  const QueueId queues[] = {*kernel.find_queue("sales"), *kernel.find_queue("calls")};
  const PausedValueId paused = *kernel.find_paused_value(ChannelId{0}, "Paused");
  std::atomic<bool> go{false};
  std::atomic<uint64_t> customer{1};
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<ItemId> mine;
    while (!go.load()) {}
    for (int i = 0; i < 4000; ++i) {
      const int op = static_cast<int>(rng() % 6);
      if (op <= 1 || mine.empty()) {
        if (auto id = kernel.submit({queues[rng() % 2], CustomerId{customer.fetch_add(1)}})) mine.push_back(*id);
        continue;
      }
      const size_t pick = rng() % mine.size();
      const ItemId id = mine[pick];
      const auto s = kernel.item(id);
      if (!s) {
        mine.erase(mine.begin() + static_cast<ptrdiff_t>(pick));
        continue;
      }
      switch (s->state) {
        case ItemState::offered: (void)kernel.accept(id, s->agent); break;
        case ItemState::active: (void)(op == 2 ? kernel.pause(id, paused) : kernel.close(id)); break;
        case ItemState::paused: (void)(op == 3 ? kernel.resume(id) : kernel.close(id)); break;
        case ItemState::wrap_up: (void)kernel.end_wrap_up(id); break;
        default: (void)kernel.close(id); break;
      }
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < 3; ++t) threads.emplace_back(worker, 100 + t);
  std::vector<Event> events;
  std::atomic<bool> stop{false};
  uint32_t most_open = 0;
  uint64_t samples = 0;
  std::thread drainer([&] {
    Event buf[512];
    while (!go.load()) {}
    while (!stop.load()) {
      const size_t n = kernel.poll_events(buf);
      events.insert(events.end(), buf, buf + n);
      for (uint32_t a = 0; a < 4; ++a, ++samples)
        most_open = std::max(most_open, kernel.agent(AgentId{a})->open_items);
    }
  });
  go = true;
  for (auto& t : threads) t.join();
  stop = true;
  drainer.join();
  EXPECT_LE(most_open, 3u) << "over " << samples << " samples";
  EXPECT_GT(samples, 1000u);
  Event buf[512];
  while (size_t n = kernel.poll_events(buf)) events.insert(events.end(), buf, buf + n);
  const auto report = internal::audit(kernel);
  EXPECT_TRUE(report.ok()) << report.text();
  EXPECT_GT(events.size(), 1000u);
}

const ConfigCase kBadLimits[] = {
    {"unknown_channel", [](Config& c) { c.presence_configs[0].channel_limits = {{"fax", 1}}; },
     "presence_configs[0].channel_limits[0].channel"},
    {"twice", [](Config& c) { c.presence_configs[0].channel_limits = {{"chat", 1}, {"chat", 2}}; },
     "presence_configs[0].channel_limits[1].channel"},
    {"zero", [](Config& c) { c.presence_configs[0].channel_limits = {{"chat", 0}}; },
     "presence_configs[0].channel_limits[0].max"},
    {"sixteen", [](Config& c) { c.presence_configs[0].channel_limits = {{"chat", 16}}; },
     "presence_configs[0].channel_limits[0].max"},
    {"three_channels",
     [](Config& c) { c.presence_configs[0].channel_limits = {{"chat", 1}, {"voice", 1}, {"task", 1}}; },
     "presence_configs[0].channel_limits"},
    {"capacity_over_4000", [](Config& c) { c.presence_configs[0].capacity = 4001; }, "presence_configs[0].capacity"},
    {"interruptible_over_64", [](Config& c) { c.presence_configs[0].interruptible_capacity = 65; },
     "presence_configs[0].interruptible_capacity"},
};
class BadChannelLimits : public ::testing::TestWithParam<ConfigCase> {};
TEST_P(BadChannelLimits, NameTheField) { expect_config_error(contact_centre(), GetParam()); }
INSTANTIATE_TEST_SUITE_P(All, BadChannelLimits, ::testing::ValuesIn(kBadLimits), config_case_name);

}  // namespace
}  // namespace omni::testing
