#include "routers/kernel_router.h"

#include <array>
#include <cstdio>

namespace omni::bench {

static bool build(KernelRouter& router, std::unique_ptr<ManualClock>& clock,
                  std::unique_ptr<Kernel>& kernel, const Scenario& scenario,
                  std::span<PolicyHook* const> policies) {
  clock = std::make_unique<ManualClock>();
  auto created = Kernel::create(scenario.config, *clock, policies);
  if (!created) {
    std::fprintf(stderr, "bench: kernel refused the scenario: %s\n",
                 created.error().message().c_str());
    return false;
  }
  kernel = std::move(*created);
  (void)router;
  return true;
}

std::unique_ptr<KernelRouter> KernelRouter::create(const Scenario& scenario,
                                                   std::span<PolicyHook* const> policies) {
  std::unique_ptr<KernelRouter> r(new KernelRouter());
  if (!build(*r, r->clock_, r->kernel_, scenario, policies)) return nullptr;
  return r;
}

std::unique_ptr<LockedKernelRouter> LockedKernelRouter::create(const Scenario& scenario) {
  std::unique_ptr<LockedKernelRouter> r(new LockedKernelRouter());
  if (!build(*r, r->clock_, r->kernel_, scenario, {})) return nullptr;
  return r;
}

size_t KernelRouter::drain_offers(std::span<Offer> out) noexcept {
  // Events of other types are dropped here: the driver only acts on offers.
  std::array<Event, 256> events;
  size_t copied = 0;
  while (copied < out.size()) {
    const size_t room = std::min(events.size(), out.size() - copied);
    const size_t n = kernel_->poll_events(std::span(events.data(), room));
    for (size_t i = 0; i < n; ++i) {
      if (events[i].type != EventType::offered) continue;
      out[copied++] = Offer{events[i].item, events[i].agent, events[i].queue};
    }
    if (n < room) break;
  }
  return copied;
}

int64_t KernelRouter::used_milli(AgentId agent) const noexcept {
  const auto snapshot = kernel_->agent(agent);
  return snapshot ? snapshot->used_milli : -1;
}

uint64_t KernelRouter::waiting() const noexcept {
  uint64_t n = 0;
  for (uint32_t q = 0; q < kernel_->queue_count(); ++q) {
    if (const auto s = kernel_->queue(QueueId{q})) n += s->waiting;
  }
  return n;
}

}  // namespace omni::bench
