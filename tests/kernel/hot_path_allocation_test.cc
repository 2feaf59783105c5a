// Property 4: the hot path allocates nothing in steady state: every hot-path operation runs inside
// an allocation-counting window (tests/support replaces operator new in this binary).
#include "allocation_counter.h"
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;

class HotPath : public KernelTest {};

TEST_F(HotPath, EveryOperationIsAllocationFree) {
  Config c = contact_centre(4, 2.0);
  c.presence_configs[0].status_on_push_timeout = "ChatOnly";
  c.presence_configs[0].missed_delay = 1s;
  build(c);
  const PausedValueId paused = *kernel->find_paused_value(*kernel->find_channel("chat"), "Paused");
  const QueueId sales = queue("sales"), calls = queue("calls");
  const StatusId online = status("Online"), lunch = status("Lunch");
  Event events[512];

  AllocationWindow window;
  for (int round = 0; round < 200; ++round) {
    auto a = kernel->submit({sales, CustomerId{uint64_t(round % 50 + 1)}});
    auto b = kernel->submit({calls, CustomerId{}});
    if (a) {
      const auto who = kernel->item(*a)->agent;
      if (round % 3 == 0) {
        (void)kernel->decline(*a, who, DeclineReasonId{0});
      } else {
        (void)kernel->accept(*a, who);
        (void)kernel->pause(*a, paused);
        (void)kernel->resume(*a);
        (void)kernel->transfer_to_queue(*a, queue("support"));
        (void)kernel->close(*a);
        (void)kernel->end_wrap_up(*a);
      }
    }
    if (b) (void)kernel->abandon(*b);
    (void)kernel->set_status(AgentId{uint32_t(round % 4)}, round % 2 ? lunch : online);
    clock.advance(400ms);
    (void)kernel->tick(clock.now());
    while (kernel->poll_events(events) > 0) {
    }
  }
  EXPECT_EQ(window.allocations(), 0u);
}

}  // namespace
}  // namespace omni::testing
