// Live changes under load (issue 10, item 1), `stress`: run in release, ASan+UBSan and TSan.
#include <atomic>
#include <random>
#include <thread>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

// Routing threads never wait for a live change, and never see half of one: two threads route
// while a third flips capacities, priorities and a status's channels back and forth; at the end
// every invariant holds.
TEST(LiveChangeStress, RoutingGoesOnThroughChangesAndEveryInvariantHolds) {
  SteadyClock clock;
  Config base = contact_centre(8, 2.0);
  base.skills = {"german"};
  for (auto& a : base.agents) a.skills = {{"german", 6}};
  base.limits.max_items = 1024;
  base.limits.max_agents = 12;  // room to hire four
  for (auto& q : base.queues) q.max_waiting = 256;
  auto made = Kernel::create(base, clock);
  ASSERT_TRUE(made);
  Kernel& k = **made;
  const SkillRequirement german{*k.find_skill("german"), 5};
  const auto rid = k.prepare_requirements(QueueId{0}, std::span(&german, 1));
  ASSERT_TRUE(rid);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> submitted{0};
  auto route = [&](uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<ItemId> mine;
    Event buf[64];
    while (!stop.load(std::memory_order_relaxed)) {
      const uint32_t q = static_cast<uint32_t>(rng() % 4);
      const RequirementsId needs = q == 0 && rng() % 2 ? *rid : RequirementsId{};
      if (auto id = k.submit({QueueId{q}, CustomerId{rng() % 64}, false, needs})) {
        mine.push_back(*id);
        submitted.fetch_add(1, std::memory_order_relaxed);
      }
      for (size_t i = 0; i < mine.size();) {
        const auto s = k.item(mine[i]);
        if (!s || s->state == ItemState::free) {
          mine[i] = mine.back();
          mine.pop_back();
          continue;
        }
        if (s->state == ItemState::offered) (void)k.accept(mine[i], s->agent);
        else if (s->state == ItemState::active && rng() % 2) (void)k.close(mine[i]);
        else if (s->state == ItemState::wrap_up) (void)k.end_wrap_up(mine[i]);
        else if (s->state == ItemState::queued && rng() % 8 == 0) (void)k.abandon(mine[i]);
        ++i;
      }
      (void)k.poll_events(buf);
      (void)k.tick(clock.now());
    }
    for (ItemId id : mine) {
      (void)k.abandon(id);
      (void)k.close(id);
      (void)k.end_wrap_up(id);
      while (k.poll_events(buf)) {}
    }
  };
  std::thread t1(route, 1), t2(route, 2);
  uint32_t changes = 0;
  for (int i = 0; i < 1000; ++i) {
    Config next = base;
    next.presence_configs[0].capacity = 1.0 + i % 4;
    next.routing_configs[0].priority = i % 3 - 1;
    next.routing_configs[1].model = i % 2 ? RoutingModel::most_available : RoutingModel::least_active;
    next.statuses[1].channels = i % 5 == 0 ? std::vector<std::string>{"chat"} : base.statuses[1].channels;
    // Move agents between queues, change skills, hire.
    if (i % 7 < 3) next.agents[3].queues = {"support"};
    if (i % 11 < 5) next.agents[2].skills = {{"german", 3}};
    for (int hired = 0; hired < std::min(4, i / 200); ++hired)
      next.agents.push_back({"hire" + std::to_string(hired), "agent", "", {"sales", "calls"}, "Online"});
    auto done = k.reconfigure(next);
    ASSERT_TRUE(done.has_value()) << done.error().message();
    ++changes;
  }
  stop = true;
  t1.join();
  t2.join();
  Event buf[256];
  while (k.poll_events(buf)) {}
  const auto report = internal::audit(k);
  EXPECT_TRUE(report.ok()) << report.text();
  EXPECT_EQ(changes, 1000u);
  EXPECT_GT(submitted.load(), 1000u) << "routing went on while the changes were made";
}

}  // namespace
}  // namespace omni::testing
