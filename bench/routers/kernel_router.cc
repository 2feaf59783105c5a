#include "routers/kernel_router.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace omni::bench {

bool KernelRouter::build(KernelRouter& router, std::unique_ptr<ManualClock>& clock,
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
  // Every requirement set of the scenario, prepared once (control plane, before anything is
  // timed): submits then carry only its id.
  router.requirements_.clear();
  std::vector<SkillRequirement> skills;
  for (const RequirementSpec& set : scenario.requirement_sets) {
    skills.clear();
    for (const SkillNeed& n : set.needs) {
      skills.push_back(SkillRequirement{.skill = SkillId{n.skill}, .min_level = n.level});
    }
    auto id = kernel->prepare_requirements(QueueId{set.queue}, skills);
    if (!id) {
      std::fprintf(stderr, "bench: prepare_requirements refused set %zu: %s\n",
                   router.requirements_.size(), std::string(to_string(id.error())).c_str());
      return false;
    }
    router.requirements_.push_back(*id);
  }
  return true;
}

std::unique_ptr<KernelRouter> KernelRouter::create(const Scenario& scenario,
                                                   std::span<PolicyHook* const> policies) {
  std::unique_ptr<KernelRouter> r(new KernelRouter());
  if (!build(*r, r->clock_, r->kernel_, scenario, policies)) return nullptr;
  r->stash_.reserve(scenario.config.limits.event_capacity);
  return r;
}

std::unique_ptr<LockedKernelRouter> LockedKernelRouter::create(const Scenario& scenario) {
  std::unique_ptr<LockedKernelRouter> r(new LockedKernelRouter());
  if (!build(*r, r->clock_, r->kernel_, scenario, {})) return nullptr;
  r->stash_.reserve(scenario.config.limits.event_capacity);
  return r;
}

void KernelRouter::relieve() noexcept {
  events_full_.fetch_add(1, std::memory_order_relaxed);
  std::array<Event, 256> events;
  std::lock_guard lock(stash_mutex_);
  for (;;) {
    const size_t n = kernel_->poll_events(events);
    for (size_t i = 0; i < n; ++i) {
      if (events[i].type != EventType::offered) continue;
      if (stash_.size() == stash_.capacity()) std::abort();  // more offers than the ring holds
      stash_.push_back(Offer{events[i].item, events[i].agent, events[i].queue});
    }
    if (n < events.size()) break;
  }
  if (!stash_.empty()) stash_filled_.store(true, std::memory_order_release);
}

size_t KernelRouter::drain_offers(std::span<Offer> out) noexcept {
  // Events of other types are dropped here: the driver only acts on offers.
  size_t copied = 0;
  if (stash_filled_.load(std::memory_order_acquire)) {  // offers drained by a relieve() first
    std::lock_guard lock(stash_mutex_);
    const size_t n = std::min(out.size(), stash_.size());
    std::copy(stash_.end() - static_cast<std::ptrdiff_t>(n), stash_.end(), out.begin());
    stash_.resize(stash_.size() - n);
    if (stash_.empty()) stash_filled_.store(false, std::memory_order_release);
    copied = n;
  }
  std::array<Event, 256> events;
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
