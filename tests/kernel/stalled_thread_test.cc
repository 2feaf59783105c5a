// Property 4's "lock-free means a stalled thread cannot stop the others": a thread is frozen in
// the middle of submit (inside a policy hook: its item slot, queue occupancy and customer session
// are already taken), and every other operation — on the same queue, the same agents, even the
// same customer — still completes.
#include <atomic>
#include <thread>

#include "kernel_fixture.h"

namespace omni::testing {
namespace {

class FreezingPolicy final : public PolicyHook {
 public:
  std::string_view name() const noexcept override { return "freezer"; }
  PolicyVerdict check(const PolicyRequest& r) noexcept override {
    if (index(r.customer) == kFrozenCustomer) {
      frozen.store(true);
      while (!release.load()) std::this_thread::yield();
    }
    return {};
  }
  static constexpr uint64_t kFrozenCustomer = 999;
  std::atomic<bool> frozen{false}, release{false};
};

TEST(StalledThread, OthersCompleteWhileOneIsFrozenMidSubmit) {
  FreezingPolicy policy;
  PolicyHook* hooks[] = {&policy};
  ManualClock clock;
  auto kernel = *Kernel::create(contact_centre(2, 2.0), clock, hooks);
  const QueueId sales = *kernel->find_queue("sales");

  std::thread frozen([&] { ASSERT_TRUE(kernel->submit({sales, CustomerId{FreezingPolicy::kFrozenCustomer}})); });
  while (!policy.frozen.load()) std::this_thread::yield();

  // The frozen thread holds no lock: all of this finishes while it is stuck.
  int completed = 0;
  for (int i = 0; i < 500; ++i) {
    auto id = kernel->submit({sales, CustomerId{uint64_t(i + 1)}});
    ASSERT_TRUE(id.has_value()) << to_string(id.error());
    const AgentId who = kernel->item(*id)->agent;
    ASSERT_NE(who, kNoAgent);
    ASSERT_EQ(kernel->accept(*id, who), Status::ok);
    ASSERT_EQ(kernel->close(*id), Status::ok);
    ASSERT_EQ(kernel->end_wrap_up(*id), Status::ok);
    ASSERT_EQ(kernel->set_status(who, *kernel->find_status(i % 2 ? "Online" : "ChatOnly")), Status::ok);
    clock.advance(std::chrono::milliseconds(100));
    ASSERT_EQ(kernel->tick(clock.now()), Status::ok);
    ++completed;
  }
  EXPECT_EQ(completed, 500);
  EXPECT_TRUE(policy.frozen.load()) << "and the other thread is still frozen";

  policy.release.store(true);
  frozen.join();
  SessionInfo sessions[2];
  ASSERT_EQ(kernel->sessions_of(CustomerId{FreezingPolicy::kFrozenCustomer}, sessions), 1u);
  EXPECT_EQ(kernel->item(sessions[0].item)->state, ItemState::offered) << "the frozen submit finished normally";
}

}  // namespace
}  // namespace omni::testing
