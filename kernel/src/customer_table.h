// CustomerTable — each customer's current sessions (items queued … paused), for the policies of
// seed 004 ("one active session per customer", "no duplicate at the destination").
//
// Open addressing over a power-of-two array; a customer lives within kWindow slots of its home
// slot. Each slot has a key, up to kSessions item ids, and a state word = version (high 56 bits) |
// sessions held (low 8 bits, or kLocked while the slot changes hands). A slot whose sessions are
// all gone is reused by the next customer that needs one in that window, so the table holds the
// customers that have sessions NOW (limits.max_customers of them, sized ×2), not every customer
// ever seen.
//
// Joining a slot is a CAS of the state from the value read *before* the key: it succeeds only if
// no hand-over happened since (a hand-over always bumps the version), so the key read in between
// is still the slot's key. Handing a slot over is: CAS state (0 held, v) → (locked, v+1), write the
// key, then publish (1 held, v+1) for the new customer's first session. A thread stalled while
// holding a slot locked blocks nobody: others skip that slot (at worst placing a customer in two
// slots, which readers handle by collecting from every slot with the key).
//
// Slots are never empty again once used, so nobody is placed beyond a never-used slot and a lookup
// stops at the first one.
//
// Memory ordering: the state CASes are acq_rel; the key is written between the locking CAS and the
// publishing store (release), so whoever acquires the published state reads the new key. Session
// ids are claimed and cleared with acq_rel CAS and read with acquire.
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <span>

#include "cache_line.h"

namespace omni::internal {

class CustomerTable {
 public:
  static constexpr int kSessions = 6;  // a slot is one cache line
  static constexpr uint64_t kWindow = 32;

  explicit CustomerTable(uint32_t max_customers)
      : mask_(std::bit_ceil(std::max<uint64_t>(uint64_t{max_customers} * 2, kWindow)) - 1),
        shift_(64 - std::countr_zero(mask_ + 1)),
        slots_(std::make_unique<Slot[]>(mask_ + 1)) {}

  // Records `item` as a session of `customer` (≠ 0). False only when the customer's window holds
  // no slot it may use: every one belongs to another customer with sessions (or to this customer
  // with kSessions already). A lost race is retried, never reported as full: each retry follows
  // another thread's successful CAS on a slot of the window.
  [[nodiscard]] bool add(uint64_t customer, uint64_t item) noexcept {
    for (;;) {
      uint64_t reusable = kNone, reusable_state = 0;
      bool raced = false;  // a join lost to another thread's CAS: the answer is not final
      for (uint64_t probe = 0; probe < kWindow; ++probe) {
        Slot& slot = at(customer, probe);
        uint64_t state = slot.state.load(std::memory_order_acquire);
        const uint64_t key = slot.key.load(std::memory_order_acquire);
        const uint64_t held = state & kHeldMask;
        if (held == kLocked) continue;  // mid hand-over: not ours to wait for (lock-freedom)
        if (key == customer && held < kSessions) {
          // Join: only if the slot did not change hands since `state` was read.
          if (slot.state.compare_exchange_strong(state, state + 1, std::memory_order_acq_rel)) {
            place(slot, item);
            return true;
          }
          raced = true;
          continue;
        }
        if (held == 0 && reusable == kNone) {
          reusable = probe;
          reusable_state = state;
        }
        if (key == 0 && state == 0) break;  // never used: nobody lives beyond it
      }
      if (reusable == kNone) {
        if (!raced) return false;
        continue;
      }
      Slot& slot = at(customer, reusable);
      uint64_t state = reusable_state;
      const uint64_t version = (state >> kVersionShift) + 1;
      if (!slot.state.compare_exchange_strong(state, (version << kVersionShift) | kLocked,
                                              std::memory_order_acq_rel))
        continue;  // someone joined or took it: look again
      slot.key.store(customer, std::memory_order_relaxed);
      slot.state.store((version << kVersionShift) | 1, std::memory_order_release);
      place(slot, item);
      return true;
    }
    return false;
  }

  void remove(uint64_t customer, uint64_t item) noexcept {
    for (uint64_t probe = 0; probe < kWindow; ++probe) {
      Slot& slot = at(customer, probe);
      const uint64_t state = slot.state.load(std::memory_order_acquire);
      if (state == 0) return;  // never used
      if (slot.key.load(std::memory_order_acquire) != customer) continue;
      for (auto& id : slot.ids) {
        uint64_t expected = item;
        if (id.compare_exchange_strong(expected, 0, std::memory_order_acq_rel)) {
          slot.state.fetch_sub(1, std::memory_order_acq_rel);
          return;
        }
      }
    }
  }

  // Calls f(item) for every id recorded for `customer`, in every slot it has.
  template <class F>
  void for_each_session(uint64_t customer, F&& f) const noexcept {
    for (uint64_t probe = 0; probe < kWindow; ++probe) {
      const Slot& slot = at(customer, probe);
      const uint64_t state = slot.state.load(std::memory_order_acquire);
      if (state == 0) break;
      if ((state & kHeldMask) == 0 || slot.key.load(std::memory_order_acquire) != customer) continue;
      for (const auto& id : slot.ids) {
        const uint64_t v = id.load(std::memory_order_acquire);
        if (v != 0) f(v);
      }
    }
  }

  // Copies the ids recorded for `customer` into `out` (up to out.size()); returns how many exist.
  size_t sessions(uint64_t customer, std::span<uint64_t> out) const noexcept {
    size_t n = 0;
    for_each_session(customer, [&](uint64_t v) {
      if (n < out.size()) out[n] = v;
      ++n;
    });
    return n;
  }

 private:
  static constexpr uint64_t kNone = UINT64_MAX;
  static constexpr uint64_t kHeldMask = 0xFF, kLocked = 0xFF;
  static constexpr int kVersionShift = 8;

  struct alignas(kCacheLine) Slot {
    std::atomic<uint64_t> state{0};
    std::atomic<uint64_t> key{0};
    std::atomic<uint64_t> ids[kSessions]{};
  };
  static_assert(sizeof(Slot) == kCacheLine);

  Slot& at(uint64_t customer, uint64_t probe) const noexcept {
    // Fibonacci hashing: the TOP bits of the product depend on every bit of the id, so both
    // sequential counters and hashes that differ only in high bits spread over the table.
    const uint64_t home = (customer * 0x9E3779B97F4A7C15ull) >> shift_;
    return slots_[(home + probe) & mask_];
  }

  // The slot's held count already reserves one id cell for us; find it.
  static void place(Slot& slot, uint64_t item) noexcept {
    for (;;) {
      for (auto& id : slot.ids) {
        uint64_t empty = 0;
        if (id.load(std::memory_order_relaxed) == 0 &&
            id.compare_exchange_strong(empty, item, std::memory_order_acq_rel))
          return;
      }
      // Unreachable while held ≤ kSessions: a remover clears its cell before decrementing.
    }
  }

  const uint64_t mask_;
  const int shift_;
  std::unique_ptr<Slot[]> slots_;
};

}  // namespace omni::internal
