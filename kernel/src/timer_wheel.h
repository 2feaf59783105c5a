// TimerWheel — push time-outs, wrap-up ends, exclusion ends and missed-state ends, advanced by the
// host's tick(). No timer is ever lost and arming one can never fail.
//
// Each timer has its own node, preallocated by the kernel: one "item" node per item slot (an item
// is offered or in wrap-up, never both, so one node serves both time-outs), one exclusion node per
// item slot, one missed node per agent. Arming a node from any thread replaces what it was armed
// with: it stores {expect, deadline} in the node's 16-byte record and, unless a request for the
// node is already pending, pushes the node's index on a request ring. The ring holds every node
// at most once, so it never fills (capacity ≥ nodes + 2; see mpmc_ring.h on a stalled consumer).
// One thread at a time (the kernel's tick()) drains the requests into a wheel that only it
// touches — doubly linked bucket lists, so re-arming moves a node in O(1) — and fires the due
// nodes. A firing the kernel cannot complete now (its events do not fit: back-pressure) returns
// false and the node stays due, to fire on the next advance. Timers are never cancelled: a node
// carries the exact word it expects and the kernel's handler does nothing if its target moved on.
//
// Complexity: arm O(1) (a 16-byte store, an exchange, at most one ring push); advance
// O(requests + buckets passed + nodes in them).
//
// Memory ordering: arm stores the record (release) before its acq_rel exchange of `pending`; the
// ticker pops the request (acquire, from the ring), clears `pending` with an acq_rel exchange,
// then loads the record (acquire). An arm that found `pending` already set came before that
// clearing exchange in `pending`'s modification order, so the ticker synchronises with it and
// reads its record or a later one; an arm after the clearing exchange pushes a new request.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "mpmc_ring.h"
#include "omnikernel/time.h"
#include "sched_point.h"

namespace omni::internal {

class TimerWheel {
 public:
  static constexpr uint32_t kBuckets = 4096;
  static constexpr uint32_t kNil = UINT32_MAX;

  TimerWheel(uint32_t nodes, Duration resolution, Time start)
      : resolution_(resolution.count() > 0 ? resolution.count() : 1),
        records_(std::make_unique<std::atomic<Record>[]>(nodes)),
        pending_(std::make_unique<std::atomic<bool>[]>(nodes)),
        requests_(nodes + 2),
        next_(std::make_unique<uint32_t[]>(nodes)),
        prev_(std::make_unique<uint32_t[]>(nodes)),
        bucket_of_(std::make_unique<uint32_t[]>(nodes)),
        deadline_(std::make_unique<int64_t[]>(nodes)),
        expect_(std::make_unique<uint64_t[]>(nodes)),
        buckets_(std::make_unique<uint32_t[]>(kBuckets)),
        last_slot_(start.time_since_epoch().count() / resolution_) {
    for (uint32_t i = 0; i < nodes; ++i) {
      records_[i].store(Record{}, std::memory_order_relaxed);
      pending_[i].store(false, std::memory_order_relaxed);
      bucket_of_[i] = kNil;
    }
    for (uint32_t b = 0; b < kBuckets; ++b) buckets_[b] = kNil;
  }

  // Any thread: node n fires at `deadline` with `expect`, replacing its previous arming — unless
  // that one expects a newer word. Every node's `expect` only grows (an item version, an agent's
  // missed epoch), so an arming delayed by a stalled thread cannot replace a newer timer of the
  // same node (a stale push time-out must not erase the wrap-up end armed after it).
  void arm(uint32_t n, uint64_t expect, Time deadline) noexcept {
    const int64_t d = deadline.time_since_epoch().count();
    const Record mine{expect, d == 0 ? 1 : d};
    Record cur = records_[n].load(std::memory_order_acquire);
    do {
      if (cur.deadline != 0 && cur.expect > expect) return;
      OMNI_SCHED_POINT("timer.arm.record");
    } while (!records_[n].compare_exchange_weak(cur, mine, std::memory_order_acq_rel,
                                                std::memory_order_acquire));
    OMNI_SCHED_POINT("timer.arm.pending");
    if (!pending_[n].exchange(true, std::memory_order_acq_rel)) {
      // Never full: each node is in the ring at most once (the `pending` flag).
      const bool pushed = requests_.try_push(n);
      (void)pushed;
    }
  }

  // Is node n armed (requested or linked) with exactly `expect`? For the white-box audit only:
  // call it while no thread arms or advances.
  [[nodiscard]] bool armed_with(uint32_t n, uint64_t expect) const noexcept {
    const Record r = records_[n].load(std::memory_order_acquire);
    if (pending_[n].load(std::memory_order_acquire)) return r.deadline != 0 && r.expect == expect;
    return bucket_of_[n] != kNil && expect_[n] == expect;
  }

  // One thread at a time: fires every node due at or before `now`. fire(n, expect) returns false
  // to keep the node due (it fires again on the next advance).
  template <class Fire>
  void advance(Time now, Fire&& fire) noexcept {
    drain_requests();
    const int64_t now_ns = now.time_since_epoch().count();
    const int64_t now_slot = now_ns / resolution_;
    const int64_t last = last_slot_;
    if (now_slot < last) return;
    const int64_t first = (now_slot - last >= kBuckets) ? now_slot - kBuckets + 1 : last;
    last_slot_ = now_slot;
    uint32_t kept = kNil;  // due but not completed: relinked after the walk
    for (int64_t slot = first; slot <= now_slot; ++slot) {
      const uint32_t b = static_cast<uint32_t>(slot % kBuckets);
      uint32_t n = buckets_[b];
      while (n != kNil) {
        const uint32_t after = next_[n];
        if (deadline_[n] <= now_ns) {
          unlink(n);
          if (!fire(n, expect_[n])) {
            next_[n] = kept;
            kept = n;
          }
        }
        n = after;
      }
    }
    while (kept != kNil) {
      const uint32_t after = next_[kept];
      link(kept, bucket_for(deadline_[kept]));
      kept = after;
    }
  }

 private:
  struct alignas(16) Record {
    uint64_t expect = 0;
    int64_t deadline = 0;  // 0 = never armed
  };

  void drain_requests() noexcept {
    uint32_t n;
    while (requests_.try_pop(n)) {
      pending_[n].exchange(false, std::memory_order_acq_rel);
      const Record r = records_[n].load(std::memory_order_acquire);
      if (bucket_of_[n] != kNil) unlink(n);
      deadline_[n] = r.deadline;
      expect_[n] = r.expect;
      link(n, bucket_for(r.deadline));
    }
  }

  [[nodiscard]] uint32_t bucket_for(int64_t deadline_ns) const noexcept {
    int64_t slot = deadline_ns / resolution_;
    if (slot < last_slot_) slot = last_slot_;  // overdue: the next advance visits it first
    return static_cast<uint32_t>(slot % kBuckets);
  }

  void link(uint32_t n, uint32_t b) noexcept {
    prev_[n] = kNil;
    next_[n] = buckets_[b];
    if (buckets_[b] != kNil) prev_[buckets_[b]] = n;
    buckets_[b] = n;
    bucket_of_[n] = b;
  }

  void unlink(uint32_t n) noexcept {
    const uint32_t b = bucket_of_[n];
    if (prev_[n] != kNil) next_[prev_[n]] = next_[n];
    else buckets_[b] = next_[n];
    if (next_[n] != kNil) prev_[next_[n]] = prev_[n];
    bucket_of_[n] = kNil;
  }

  const int64_t resolution_;
  // Shared between arming threads and the ticker.
  std::unique_ptr<std::atomic<Record>[]> records_;
  std::unique_ptr<std::atomic<bool>[]> pending_;
  MpmcRing<uint32_t> requests_;
  // The ticker's own: no other thread reads or writes these.
  std::unique_ptr<uint32_t[]> next_, prev_, bucket_of_;
  std::unique_ptr<int64_t[]> deadline_;
  std::unique_ptr<uint64_t[]> expect_;
  std::unique_ptr<uint32_t[]> buckets_;
  int64_t last_slot_;
};

}  // namespace omni::internal
