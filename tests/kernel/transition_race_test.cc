// Races between two transitions of one item (issue 8, defects 1 and 2): every transition is one
// CAS on the 16-byte item word, and the amounts a winner releases come from the word it replaced.
// The interleaving harness (tests/kernel/interleave) drives these races schedule by schedule; here
// they run on real threads many times, with the white-box audit after each round.
#include <atomic>
#include <barrier>
#include <thread>

#include "audit.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

// Two agents with different capacities, an item sized as a percentage of capacity: the sizes of
// the same item on the two agents differ, so releasing the wrong one shows up in `used`.
Config percent_sizes() {
  Config c = contact_centre(0);
  c.routing_configs[0].size_unit = SizeUnit::percent;
  c.routing_configs[0].size = 50.0;
  PresenceConfigConfig big = c.presence_configs[0];
  big.name = "big";
  big.capacity = 4.0;
  c.presence_configs.push_back(big);
  c.agents.push_back({"small", "agent", "", {"sales"}, "Online"});   // 50 % of 2 = 1 unit
  c.agents.push_back({"big", "", "big", {"support"}, "Offline"});    // 50 % of 4 = 2 units
  return c;
}

class TransitionRace : public KernelTest {
 protected:
  void SetUp() override { build(percent_sizes()); }
  void expect_audit_ok(int round) {
    const auto report = internal::audit(*kernel);
    ASSERT_TRUE(report.ok()) << "round " << round << ":\n" << report.text();
  }
};

// Defect 1: transfer_to_agent wrote the item's held size before its CAS and restored it when it
// lost; a pause winning in between released the loser's size. 2 threads, many rounds.
TEST_F(TransitionRace, PauseRacingTransferToAgentReleasesExactlyWhatWasHeld) {
  ASSERT_EQ(kernel->set_status(agent("big"), status("Online")), Status::ok);
  for (int round = 0; round < 2'000; ++round) {
    const ItemId id = submit("sales");
    ASSERT_EQ(holder(id), agent("small"));
    ASSERT_EQ(kernel->accept(id, agent("small")), Status::ok);
    std::barrier start(2);
    Status paused{}, moved{};
    std::thread t1([&] {
      start.arrive_and_wait();
      paused = kernel->pause(id, PausedValueId{0});
    });
    std::thread t2([&] {
      start.arrive_and_wait();
      moved = kernel->transfer_to_agent(id, agent("big"));
    });
    t1.join();
    t2.join();
    ASSERT_TRUE(paused == Status::ok || moved == Status::ok) << round;
    expect_audit_ok(round);
    if (state(id) == ItemState::offered) ASSERT_EQ(kernel->accept(id, agent("big")), Status::ok);
    ASSERT_EQ(kernel->close(id), Status::ok);
    if (state(id) == ItemState::wrap_up) ASSERT_EQ(kernel->end_wrap_up(id), Status::ok);
    drain();
    ASSERT_EQ(used(agent("small")), 0) << round;
    ASSERT_EQ(used(agent("big")), 0) << round;
  }
}

// Sequential form of the same rule: the transfer releases the size held on the first agent and
// the new agent holds its own size; pausing then releases the new size, once.
TEST_F(TransitionRace, TransferToAgentMovesTheRightAmounts) {
  ASSERT_EQ(kernel->set_status(agent("big"), status("Online")), Status::ok);
  const ItemId id = submit("sales");
  ASSERT_EQ(kernel->accept(id, agent("small")), Status::ok);
  EXPECT_EQ(used(agent("small")), 1000);
  ASSERT_EQ(kernel->transfer_to_agent(id, agent("big")), Status::ok);
  EXPECT_EQ(used(agent("small")), 0);
  EXPECT_EQ(used(agent("big")), 2000);
  ASSERT_EQ(kernel->accept(id, agent("big")), Status::ok);
  ASSERT_EQ(kernel->pause(id, PausedValueId{0}), Status::ok);
  EXPECT_EQ(used(agent("big")), 0);
  EXPECT_EQ(kernel->pause(id, PausedValueId{0}), Status::wrong_state);
  EXPECT_EQ(used(agent("big")), 0);
  EXPECT_TRUE(internal::audit(*kernel).ok()) << internal::audit(*kernel).text();
}

// Defect 2: a transfer_to_queue that stalled after loading the word (a blocking policy hook
// stands in for preemption) wrote arrival and exclusion into the slot's next occupant, which was
// then excluded from its only agent. Now the stale call loses its CAS and writes nothing.
class BlockingPolicy final : public PolicyHook {
 public:
  std::string_view name() const noexcept override { return "blocking"; }
  PolicyVerdict check(const PolicyRequest& r) noexcept override {
    if (r.op == PolicyOp::transfer && block.load()) {
      entered.store(true);
      while (block.load()) std::this_thread::yield();
    }
    return {};
  }
  std::atomic<bool> block{false}, entered{false};
};

TEST(StaleTransition, AStalledTransferDoesNotTouchTheSlotsNextItem) {
  Config c = contact_centre(1);
  c.limits.max_items = 1;  // the next submit reuses the slot
  ManualClock clock;
  BlockingPolicy policy;
  PolicyHook* hooks[] = {&policy};
  auto kernel = *Kernel::create(c, clock, hooks);
  const QueueId sales = *kernel->find_queue("sales"), support = *kernel->find_queue("support");
  const AgentId a0 = *kernel->find_agent("a0");
  const ItemId first = *kernel->submit({sales, CustomerId{0}});
  ASSERT_EQ(kernel->accept(first, a0), Status::ok);
  policy.block = true;
  Status stale{};
  std::thread mover([&] { stale = kernel->transfer_to_queue(first, support); });
  while (!policy.entered.load()) std::this_thread::yield();
  ASSERT_EQ(kernel->close(first), Status::ok);
  ASSERT_EQ(kernel->end_wrap_up(first), Status::ok);
  const ItemId second = *kernel->submit({sales, CustomerId{0}});
  EXPECT_EQ(slot_of(second), slot_of(first));
  ASSERT_EQ(kernel->item(second)->agent, a0) << "offered to the only agent at once";
  ASSERT_EQ(kernel->decline(second, a0), Status::ok);  // the real exclusion of `second`...
  policy.block = false;
  mover.join();
  EXPECT_EQ(stale, Status::wrong_state) << "the stale transfer lost its CAS";
  const auto s = *kernel->item(second);
  EXPECT_EQ(s.state, ItemState::queued);
  EXPECT_EQ(s.queue, sales) << "not moved by the stale transfer";
  const auto report = internal::audit(*kernel);
  EXPECT_TRUE(report.ok()) << report.text();
  clock.advance(std::chrono::seconds(31));  // ...ends after one push time-out, as the rule says
  ASSERT_EQ(kernel->tick(clock.now()), Status::ok);
  EXPECT_EQ(kernel->item(second)->state, ItemState::offered);
}

}  // namespace
}  // namespace omni::testing
