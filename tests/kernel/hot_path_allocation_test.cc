// Property 4: the hot path allocates nothing in steady state. Global operator new is replaced in
// this binary to count allocations; every hot-path operation runs inside the counted window.
#include <atomic>
#include <cstdlib>
#include <new>

#include "kernel_fixture.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

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

  g_allocations = 0;
  g_counting = true;
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
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);
}

}  // namespace
}  // namespace omni::testing
