// TimerWheel — push time-outs, wrap-up ends and missed-state ends, advanced by the host's tick().
//
// A hashed wheel of kBuckets slots of `resolution` each. Any thread schedules a timer by taking a
// node from a preallocated pool (a Treiber stack whose head carries an ABA tag) and pushing it on
// its bucket's stack (CAS). One thread at a time advances the wheel: it takes a bucket's whole
// stack with one exchange, fires the due nodes and pushes the rest back. Timers are never
// cancelled: a node records the exact state word it expects, and the kernel's handler does
// nothing if the item has moved on — so a late time-out cannot race a close into a double release.
//
// Complexity: schedule O(1) (one CAS + one CAS); advance O(buckets visited + nodes in them).
//
// Memory ordering: a node's fields are written (relaxed) before the release CAS that links it
// into a bucket; advance() takes the bucket with an acquire exchange and so sees them. The pool's
// head is popped with an acquire CAS (seeing the node's `next` as published by the release CAS
// that pushed it); the 32-bit tag in the head makes a stale `next` read lose its CAS.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>

#include "omnikernel/time.h"

namespace omni::internal {

enum class TimerKind : uint8_t {
  push_timeout,    // target = item slot, expect = the offered item word
  wrap_up_end,     // target = item slot, expect = the wrap-up item word
  missed_end,      // target = agent, expect = the agent's missed epoch
  exclusion_end,   // target = queue: a declined item may now go back to its decliner
};

struct TimerFire {
  TimerKind kind;
  uint32_t target;  // item slot or agent index
  uint64_t expect;  // the item word (or agent missed epoch) the timer was set for
  Time deadline;
};

class TimerWheel {
 public:
  static constexpr uint32_t kBuckets = 4096;
  static constexpr uint32_t kNil = UINT32_MAX;

  TimerWheel(uint32_t nodes, Duration resolution, Time start)
      : resolution_(resolution.count() > 0 ? resolution.count() : 1),
        nodes_(std::make_unique<Node[]>(nodes)),
        buckets_(std::make_unique<std::atomic<uint32_t>[]>(kBuckets)),
        last_slot_(start.time_since_epoch().count() / resolution_) {
    for (uint32_t i = 0; i < kBuckets; ++i) buckets_[i].store(kNil, std::memory_order_relaxed);
    for (uint32_t i = 0; i < nodes; ++i)
      nodes_[i].next.store(i + 1 < nodes ? i + 1 : kNil, std::memory_order_relaxed);
    free_.store(nodes ? 0 : kNil, std::memory_order_relaxed);
  }

  // False when the node pool is exhausted (sized so that it is not, see Kernel::create).
  [[nodiscard]] bool schedule(const TimerFire& t) noexcept {
    const uint32_t n = pop_free();
    if (n == kNil) return false;
    Node& node = nodes_[n];
    node.kind.store(t.kind, std::memory_order_relaxed);
    node.target.store(t.target, std::memory_order_relaxed);
    node.expect.store(t.expect, std::memory_order_relaxed);
    node.deadline.store(t.deadline.time_since_epoch().count(), std::memory_order_relaxed);
    push(bucket_for(t.deadline.time_since_epoch().count()), n);
    return true;
  }

  // Fires every timer due at or before `now` (calls fire(const TimerFire&)). One caller at a time:
  // the kernel guards it with an atomic flag.
  template <class Fire>
  void advance(Time now, Fire&& fire) noexcept {
    const int64_t now_ns = now.time_since_epoch().count();
    const int64_t now_slot = now_ns / resolution_;
    const int64_t last = last_slot_.load(std::memory_order_relaxed);
    if (now_slot <= last) return;
    const int64_t first = (now_slot - last >= kBuckets) ? now_slot - kBuckets + 1 : last + 1;
    // Publish the new horizon first: timers scheduled while we fire land in future buckets.
    last_slot_.store(now_slot, std::memory_order_release);
    for (int64_t slot = first; slot <= now_slot; ++slot) {
      uint32_t n = buckets_[slot % kBuckets].exchange(kNil, std::memory_order_acquire);
      while (n != kNil) {
        Node& node = nodes_[n];
        const uint32_t next = node.next.load(std::memory_order_relaxed);
        const int64_t deadline = node.deadline.load(std::memory_order_relaxed);
        if (deadline <= now_ns) {
          const TimerFire t{node.kind.load(std::memory_order_relaxed),
                            node.target.load(std::memory_order_relaxed),
                            node.expect.load(std::memory_order_relaxed), Time{Duration{deadline}}};
          push_free(n);
          fire(t);
        } else {
          push(bucket_for(deadline), n);  // a later lap of the wheel
        }
        n = next;
      }
    }
  }

 private:
  struct Node {
    std::atomic<uint32_t> next{kNil};
    std::atomic<TimerKind> kind{};
    std::atomic<uint32_t> target{};
    std::atomic<uint64_t> expect{};
    std::atomic<int64_t> deadline{};
  };

  [[nodiscard]] uint32_t bucket_for(int64_t deadline_ns) const noexcept {
    int64_t slot = deadline_ns / resolution_;
    // Never behind the horizon: such a timer would wait a whole lap.
    const int64_t horizon = last_slot_.load(std::memory_order_acquire) + 1;
    if (slot < horizon) slot = horizon;
    return static_cast<uint32_t>(slot % kBuckets);
  }

  void push(uint32_t bucket, uint32_t n) noexcept {
    uint32_t head = buckets_[bucket].load(std::memory_order_relaxed);
    do {
      nodes_[n].next.store(head, std::memory_order_relaxed);
    } while (!buckets_[bucket].compare_exchange_weak(head, n, std::memory_order_release,
                                                     std::memory_order_relaxed));
  }

  uint32_t pop_free() noexcept {
    uint64_t head = free_.load(std::memory_order_acquire);
    for (;;) {
      const auto n = static_cast<uint32_t>(head);
      if (n == kNil) return kNil;
      const uint64_t next = (head & ~uint64_t{UINT32_MAX}) + (uint64_t{1} << 32) +
                            nodes_[n].next.load(std::memory_order_relaxed);
      if (free_.compare_exchange_weak(head, next, std::memory_order_acquire,
                                      std::memory_order_acquire))
        return n;
    }
  }

  void push_free(uint32_t n) noexcept {
    uint64_t head = free_.load(std::memory_order_relaxed);
    for (;;) {
      nodes_[n].next.store(static_cast<uint32_t>(head), std::memory_order_relaxed);
      const uint64_t next = (head & ~uint64_t{UINT32_MAX}) + (uint64_t{1} << 32) + n;
      if (free_.compare_exchange_weak(head, next, std::memory_order_release,
                                      std::memory_order_relaxed))
        return;
    }
  }

  const int64_t resolution_;
  std::unique_ptr<Node[]> nodes_;
  std::unique_ptr<std::atomic<uint32_t>[]> buckets_;
  std::atomic<int64_t> last_slot_;
  std::atomic<uint64_t> free_{kNil};  // tag (high 32) | node index (low 32)
};

}  // namespace omni::internal
