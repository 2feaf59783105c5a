// Live changes under load (issue 10, item 1), `stress`: run in release, ASan+UBSan and TSan.
#include <atomic>
#include <random>
#include <thread>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

// A routing thread of the stress tests: submits what `next` asks until `stop`, and works its
// items (accept every offer, close one active item in `close_one_in`, end wrap-ups, abandon one
// waiting item in `abandon_one_in`), draining events and ticking; at the end it ends them all.
template <class Next>
void work_until(const std::atomic<bool>& stop, Kernel& k, const SteadyClock& clock, std::mt19937_64& rng,
                std::atomic<uint64_t>& submitted, uint64_t close_one_in, uint64_t abandon_one_in, Next next) {
  std::vector<ItemId> mine;
  Event buf[64];
  while (!stop.load(std::memory_order_relaxed)) {
    if (auto id = k.submit(next())) {
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
      else if (s->state == ItemState::active && rng() % close_one_in == 0) (void)k.close(mine[i]);
      else if (s->state == ItemState::wrap_up) (void)k.end_wrap_up(mine[i]);
      else if (s->state == ItemState::queued && rng() % abandon_one_in == 0) (void)k.abandon(mine[i]);
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
}

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
    work_until(stop, k, clock, rng, submitted, /*close_one_in=*/2, /*abandon_one_in=*/8, [&] {
      const uint32_t q = static_cast<uint32_t>(rng() % 4);
      const RequirementsId needs = q == 0 && rng() % 2 ? *rid : RequirementsId{};
      return SubmitRequest{QueueId{q}, CustomerId{rng() % 64}, false, needs};
    });
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

// Queues added and removed, agents hired and removed, while two threads submit to every queue id
// (added, live or removed) and work the items: a removal is refused while work is there and
// retried; at the end the audit holds — in particular no removed queue holds an entry or an
// offer, and no removed agent holds anything it was offered after its removal.
TEST(LiveChangeStress, AddingAndRemovingWhileRoutingLosesNothing) {
  SteadyClock clock;
  Config base = contact_centre(6, 2.0);
  base.limits.max_items = 1024;
  base.limits.max_agents = 6 + 16;
  base.limits.max_queues = 4 + 16;
  for (auto& q : base.queues) q.max_waiting = 128;
  auto made = Kernel::create(base, clock);
  ASSERT_TRUE(made);
  Kernel& k = **made;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> submitted{0};
  auto route = [&](uint64_t seed) {  // every queue id: added, live or removed
    std::mt19937_64 rng(seed);
    work_until(stop, k, clock, rng, submitted, /*close_one_in=*/1, /*abandon_one_in=*/4, [&] {
      return SubmitRequest{QueueId{static_cast<uint32_t>(rng() % 20)}, CustomerId{0}};
    });
  };
  std::thread t1(route, 3), t2(route, 4);
  // Until it is taken: a removal is refused while work is there (typed, naming the entry).
  auto until_taken = [&](const Config& next) {
    for (int attempt = 0; attempt < 5000; ++attempt) {
      auto done = k.reconfigure(next);
      if (done) return true;
      const std::string& field = done.error().field;
      if (field.find(".removed") == std::string::npos) {
        ADD_FAILURE() << "refused for another reason: " << done.error().message();
        return false;
      }
      std::this_thread::yield();
    }
    return false;
  };
  uint32_t removals = 0;
  for (int round = 0; round < 16; ++round) {
    Config next = *k.config();
    const std::string queue = "extra" + std::to_string(round), agent = "temp" + std::to_string(round);
    next.queues.push_back({queue, "chat", "chat_rc", "", 64});
    next.agents.push_back({agent, "agent", "", {queue, "sales"}, "Online"});
    for (int a = 0; a < 3; ++a) next.agents[a].queues.push_back(queue);
    ASSERT_TRUE(until_taken(next));
    std::this_thread::sleep_for(std::chrono::milliseconds(2));  // work arrives in the new queue
    next = *k.config();
    std::erase_if(next.queues, [&](const QueueConfig& q) { return q.name == queue; });
    std::erase_if(next.agents, [&](const AgentConfig& a) { return a.name == agent; });
    for (auto& a : next.agents) std::erase(a.queues, queue);
    removals += until_taken(next);
  }
  stop = true;
  t1.join();
  t2.join();
  Event buf[256];
  while (k.poll_events(buf)) {}
  const auto report = internal::audit(k);
  EXPECT_TRUE(report.ok()) << report.text();
  EXPECT_GT(removals, 8u) << "removals were taken while routing went on";
  EXPECT_GT(submitted.load(), 1000u);
  for (uint32_t q = 4; q < k.config()->queues.size(); ++q)
    EXPECT_EQ(k.queue(QueueId{q})->waiting, 0u) << "nothing waits in a removed queue";
}

}  // namespace
}  // namespace omni::testing
