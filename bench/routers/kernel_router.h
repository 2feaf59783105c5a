// KernelRouter — omni::Kernel behind the Router interface, lock-free as shipped.
// LockedKernelRouter — the same kernel with every call under one std::mutex: the kernel's own
// layout with the mutex router's lock discipline. The public API does not expose the kernel's
// internal structures, so this is the closest honest equivalent of "the kernel's structures
// behind one mutex": it costs the kernel's atomics *plus* the lock, which isolates what the lock
// costs under contention from what the layout saves.
//
// Back-pressure: the kernel never drops an event; a call whose events do not fit in the ring
// returns Status::events_full before it changes anything. The router then drains the ring into a
// preallocated stash (which drain_offers hands out first) and calls again, so the driver sees
// only the call's real outcome; the retries are counted (back_pressure()) and reported.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "omnikernel/kernel.h"
#include "routers/router.h"
#include "workload/scenario.h"

namespace omni::bench {

class KernelRouter : public Router {
 public:
  // Fails (with the kernel's ConfigError message on stderr) only on a bad scenario.
  static std::unique_ptr<KernelRouter> create(const Scenario& scenario,
                                              std::span<PolicyHook* const> policies = {});

  [[nodiscard]] std::string_view name() const noexcept override { return "kernel"; }
  [[nodiscard]] Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept override {
    for (;;) {
      auto r = kernel_->submit(SubmitRequest{.queue = queue, .customer = customer});
      if (r || r.error() != Status::events_full) return r;
      relieve();
    }
  }
  [[nodiscard]] Result<ItemId> submit_with(QueueId queue, CustomerId customer,
                                           uint32_t set) noexcept override {
    const SubmitRequest request{
        .queue = queue, .customer = customer, .requirements = requirements_[set]};
    for (;;) {
      auto r = kernel_->submit(request);
      if (r || r.error() != Status::events_full) return r;
      relieve();
    }
  }
  [[nodiscard]] Status accept(ItemId item, AgentId agent) noexcept override {
    return retry([&] { return kernel_->accept(item, agent); });
  }
  [[nodiscard]] Status close(ItemId item) noexcept override {
    return retry([&] { return kernel_->close(item); });
  }
  [[nodiscard]] size_t drain_offers(std::span<Offer> out) noexcept override;
  [[nodiscard]] int64_t used_milli(AgentId agent) const noexcept override;
  [[nodiscard]] uint64_t waiting() const noexcept override;
  [[nodiscard]] uint64_t back_pressure() const noexcept override {
    return events_full_.load(std::memory_order_relaxed) + kernel_->stats().routing_deferred;
  }

  // Calls fn (a kernel call returning Status) until it is not events_full, draining the event
  // ring into the stash between attempts. For the per-operation benchmarks' direct kernel calls.
  template <class Fn>
  Status retry(Fn&& fn) noexcept {
    for (;;) {
      const Status st = fn();
      if (st != Status::events_full) return st;
      relieve();
    }
  }
  // events_full answers, and times routing waited for a drain (KernelStats::routing_deferred).
  [[nodiscard]] uint64_t events_full() const noexcept {
    return events_full_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] uint64_t routing_deferred() const noexcept {
    return kernel_->stats().routing_deferred;
  }

  [[nodiscard]] Kernel& kernel() noexcept { return *kernel_; }
  [[nodiscard]] ManualClock& clock() noexcept { return *clock_; }

 protected:
  KernelRouter() = default;
  static bool build(KernelRouter& router, std::unique_ptr<ManualClock>& clock,
                    std::unique_ptr<Kernel>& kernel, const Scenario& scenario,
                    std::span<PolicyHook* const> policies);
  // Drains the ring into stash_ (offers only) after an events_full answer. poll_events has one
  // drainer at a time: when another thread is draining, this returns having taken nothing, and
  // the caller's retry finds the room that drain made.
  void relieve() noexcept;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<Kernel> kernel_;
  std::atomic<uint64_t> events_full_{0};
  std::mutex stash_mutex_;              // only on the back-pressure path
  std::atomic<bool> stash_filled_{false};
  std::vector<Offer> stash_;            // reserved to the event ring's capacity: never allocates
  // Scenario::requirement_sets prepared by Kernel::prepare_requirements at creation (untimed).
  std::vector<RequirementsId> requirements_;
};

class LockedKernelRouter final : public KernelRouter {
 public:
  static std::unique_ptr<LockedKernelRouter> create(const Scenario& scenario);

  [[nodiscard]] std::string_view name() const noexcept override { return "kernel+mutex"; }
  [[nodiscard]] Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::submit(queue, customer);
  }
  [[nodiscard]] Result<ItemId> submit_with(QueueId queue, CustomerId customer,
                                           uint32_t set) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::submit_with(queue, customer, set);
  }
  [[nodiscard]] Status accept(ItemId item, AgentId agent) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::accept(item, agent);
  }
  [[nodiscard]] Status close(ItemId item) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::close(item);
  }
  [[nodiscard]] size_t drain_offers(std::span<Offer> out) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::drain_offers(out);
  }

 private:
  std::mutex mutex_;
};

}  // namespace omni::bench
