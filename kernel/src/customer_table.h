// CustomerTable — each customer's current sessions (items queued … paused), for the policies of
// seed 004 ("one active session per customer", "no duplicate at the destination").
//
// Open addressing with linear probing over a power-of-two array. A key is claimed once with a CAS
// from 0 and never removed, so lookups need no tombstones and no reclamation; each entry holds up
// to kSessions item ids, each claimed and cleared with a CAS. Limitation, by design: the table
// holds limits.max_customers distinct customers over the kernel's lifetime (sized ×2 for probing);
// beyond that, submits for NEW customers get Status::customers_exhausted. CustomerId 0 means
// "anonymous" and is not tracked.
//
// Memory ordering: the key CAS is acq_rel so a reader that finds the key sees the entry's
// initial (zeroed) sessions; session slots are claimed/cleared with acq_rel CAS and read with
// acquire. A snapshot (sessions_of) may miss a session being added concurrently — policies that
// need exactness across threads get it from the kernel's order of operations (see kernel.cc).
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>

namespace omni::internal {

class CustomerTable {
 public:
  static constexpr int kSessions = 8;

  explicit CustomerTable(uint32_t max_customers)
      : mask_(std::bit_ceil(std::max<uint32_t>(max_customers, 8) * 2) - 1),
        entries_(std::make_unique<Entry[]>(mask_ + 1)) {}

  // Records `item` as a session of `customer`. False when the table or the entry is full.
  [[nodiscard]] bool add(uint64_t customer, uint64_t item) noexcept {
    Entry* e = find(customer, /*insert=*/true);
    if (!e) return false;
    for (auto& s : e->sessions) {
      uint64_t empty = 0;
      if (s.load(std::memory_order_relaxed) == 0 &&
          s.compare_exchange_strong(empty, item, std::memory_order_acq_rel))
        return true;
    }
    return false;
  }

  void remove(uint64_t customer, uint64_t item) noexcept {
    Entry* e = find(customer, /*insert=*/false);
    if (!e) return;
    for (auto& s : e->sessions) {
      uint64_t expected = item;
      if (s.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) return;
    }
  }

  // Copies the customer's item ids into `out`; returns how many sessions it has.
  size_t sessions(uint64_t customer, std::span<uint64_t> out) const noexcept {
    const Entry* e = const_cast<CustomerTable*>(this)->find(customer, /*insert=*/false);
    if (!e) return 0;
    size_t n = 0;
    for (const auto& s : e->sessions) {
      const uint64_t v = s.load(std::memory_order_acquire);
      if (v == 0) continue;
      if (n < out.size()) out[n] = v;
      ++n;
    }
    return n;
  }

 private:
  struct Entry {
    std::atomic<uint64_t> key{0};
    std::atomic<uint64_t> sessions[kSessions]{};
  };

  Entry* find(uint64_t customer, bool insert) noexcept {
    // Fibonacci hashing spreads sequential ids (hosts often hand out counters).
    uint64_t i = (customer * 0x9E3779B97F4A7C15ull) >> 20;
    for (uint64_t probe = 0; probe <= mask_; ++probe, ++i) {
      Entry& e = entries_[i & mask_];
      uint64_t key = e.key.load(std::memory_order_acquire);
      if (key == customer) return &e;
      if (key == 0) {
        if (!insert) return nullptr;
        if (e.key.compare_exchange_strong(key, customer, std::memory_order_acq_rel)) return &e;
        if (key == customer) return &e;  // another thread inserted the same customer
      }
    }
    return nullptr;
  }

  const uint64_t mask_;
  std::unique_ptr<Entry[]> entries_;
};

}  // namespace omni::internal
