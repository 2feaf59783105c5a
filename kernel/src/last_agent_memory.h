// LastAgentMemory — which agent last took a conversation of each customer, for sticky routing
// ("offer it to the agent who served this customer last", SubmitRequest::prefer_last_agent).
//
// A direct-mapped table of limits.remembered_customers entries (rounded up to a power of two),
// each one 16-byte atomic {customer, agent}: remembering is one store, recalling one load, and a
// recall never mixes one customer's id with another's agent. Bounded memory, so it forgets: a
// customer whose entry another customer hashes onto is no longer remembered, and a submit that
// asks for its last agent then routes as if none were preferred. That is a hint lost, never an
// item — which is why a lossy table is acceptable here and nowhere on the item path.
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>

namespace omni::internal {

class LastAgentMemory {
 public:
  explicit LastAgentMemory(uint32_t capacity)
      : mask_(capacity == 0 ? 0 : std::bit_ceil(capacity) - 1),
        entries_(capacity == 0 ? nullptr : std::make_unique<std::atomic<Entry>[]>(mask_ + 1)) {}

  // Relaxed: a hint read by later submits, ordered with nothing else.
  void remember(uint64_t customer, uint32_t agent) noexcept {
    if (customer == 0 || !entries_) return;
    entries_[slot(customer)].store({customer, agent}, std::memory_order_relaxed);
  }

  [[nodiscard]] std::optional<uint32_t> recall(uint64_t customer) const noexcept {
    if (customer == 0 || !entries_) return std::nullopt;
    const Entry e = entries_[slot(customer)].load(std::memory_order_relaxed);
    if (e.customer != customer) return std::nullopt;
    return static_cast<uint32_t>(e.agent);
  }

 private:
  struct alignas(16) Entry {
    uint64_t customer = 0;
    uint64_t agent = 0;
  };

  size_t slot(uint64_t customer) const noexcept {
    return static_cast<size_t>((customer * 0x9E3779B97F4A7C15ull) >> 32) & mask_;  // Fibonacci hashing
  }

  const uint64_t mask_;
  std::unique_ptr<std::atomic<Entry>[]> entries_;
};

}  // namespace omni::internal
