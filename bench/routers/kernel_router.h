// KernelRouter — omni::Kernel behind the Router interface, lock-free as shipped.
// LockedKernelRouter — the same kernel with every call under one std::mutex: the kernel's own
// layout with the mutex router's lock discipline. The public API does not expose the kernel's
// internal structures, so this is the closest honest equivalent of "the kernel's structures
// behind one mutex": it costs the kernel's atomics *plus* the lock, which isolates what the lock
// costs under contention from what the layout saves.
#pragma once
#include <memory>
#include <mutex>

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
    return kernel_->submit(SubmitRequest{.queue = queue, .customer = customer});
  }
  [[nodiscard]] Status accept(ItemId item, AgentId agent) noexcept override {
    return kernel_->accept(item, agent);
  }
  [[nodiscard]] Status close(ItemId item) noexcept override { return kernel_->close(item); }
  [[nodiscard]] size_t drain_offers(std::span<Offer> out) noexcept override;
  [[nodiscard]] int64_t used_milli(AgentId agent) const noexcept override;
  [[nodiscard]] uint64_t waiting() const noexcept override;

  [[nodiscard]] Kernel& kernel() noexcept { return *kernel_; }
  [[nodiscard]] ManualClock& clock() noexcept { return *clock_; }

 protected:
  KernelRouter() = default;
  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<Kernel> kernel_;
};

class LockedKernelRouter final : public KernelRouter {
 public:
  static std::unique_ptr<LockedKernelRouter> create(const Scenario& scenario);

  [[nodiscard]] std::string_view name() const noexcept override { return "kernel+mutex"; }
  [[nodiscard]] Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept override {
    std::lock_guard lock(mutex_);
    return KernelRouter::submit(queue, customer);
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
