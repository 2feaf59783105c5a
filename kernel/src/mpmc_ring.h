// MpmcRing<T> — a bounded multi-producer multi-consumer FIFO (Vyukov's sequence-per-cell ring).
//
// Why this and not Boost.Lockfree's queue: every producer and consumer does one CAS on its own
// index and one acquire/release pair on the cell, never touches a freelist, never allocates
// after construction, and lets a router *peek* the oldest entry to compare arrival times across
// queues. bench/ measures it against boost::lockfree::queue/spsc_queue, atomic_queue and
// moodycamel (docs/ARCHITECTURE.md records the numbers).
//
// Progress: a producer or consumer that stalls between claiming a cell and publishing it delays
// consumers of that one cell only; other cells and all other operations proceed. "full" and
// "empty" are explicit outcomes (false), never exceptions or blocking.
//
// Memory ordering: a producer's release store of cell.seq = pos + 1 publishes the value it wrote
// to a consumer's acquire load of cell.seq; a consumer's release store of seq = pos + capacity
// hands the (now free) cell back to the producer's acquire load one lap later. The indices are
// claimed with relaxed CAS: they order nothing by themselves, the cell sequence does.
#pragma once
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "cache_line.h"
#include "sched_point.h"

namespace omni::internal {

template <class T>
class MpmcRing {
  static_assert(std::is_trivially_copyable_v<T>, "cells are overwritten without destruction");
  // Word-sized values are stored in an atomic so that peek() may read a cell a producer is about
  // to overwrite one lap later without a data race; larger ones are plain.
  static constexpr bool kAtomicValue = sizeof(T) <= 8 && std::atomic<T>::is_always_lock_free;
  using Value = std::conditional_t<kAtomicValue, std::atomic<T>, T>;

 public:
  explicit MpmcRing(std::size_t min_capacity)
      : mask_(std::bit_ceil(min_capacity < 2 ? std::size_t{2} : min_capacity) - 1),
        cells_(std::make_unique<Cell[]>(mask_ + 1)) {
    for (std::size_t i = 0; i <= mask_; ++i) cells_[i].seq.store(i, std::memory_order_relaxed);
  }
  MpmcRing(const MpmcRing&) = delete;
  MpmcRing& operator=(const MpmcRing&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  [[nodiscard]] bool try_push(const T& value) noexcept {
    std::size_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      // acquire: pairs with the consumer's release that freed this cell one lap ago.
      const std::size_t seq = cell.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos);
      if (diff == 0) {
        OMNI_SCHED_POINT("ring.push.claim");
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          store(cell, value);
          OMNI_SCHED_POINT("ring.push.publish");
          cell.seq.store(pos + 1, std::memory_order_release);  // publish to the consumer
          return true;
        }
      } else if (diff < 0) {
        return false;  // full: the cell still holds last lap's value
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  [[nodiscard]] bool try_pop(T& out) noexcept {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      // acquire: pairs with the producer's release of seq = pos + 1, making the value visible.
      const std::size_t seq = cell.seq.load(std::memory_order_acquire);
      const auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(pos + 1);
      if (diff == 0) {
        OMNI_SCHED_POINT("ring.pop.claim");
        if (head_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
          out = load(cell);
          OMNI_SCHED_POINT("ring.pop.release");
          cell.seq.store(pos + mask_ + 1, std::memory_order_release);  // hand back to producers
          return true;
        }
      } else if (diff < 0) {
        return false;  // empty
      } else {
        pos = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // The oldest published value, if any, without removing it. A hint: it may be popped by the
  // time the caller acts on it.
  [[nodiscard]] std::optional<T> peek() const noexcept
    requires kAtomicValue
  {
    const std::size_t pos = head_.load(std::memory_order_acquire);
    const Cell& cell = cells_[pos & mask_];
    if (cell.seq.load(std::memory_order_acquire) != pos + 1) return std::nullopt;
    const T value = cell.value.load(std::memory_order_relaxed);
    // Re-check: if the cell moved on while we read, the value may belong to a later lap.
    if (cell.seq.load(std::memory_order_acquire) != pos + 1) return std::nullopt;
    return value;
  }

  // Calls f(value) for every published, not yet popped entry, oldest first. For the white-box
  // audit only: call it while no thread pushes or pops.
  template <class F>
  void for_each(F&& f) const noexcept {
    for (std::size_t pos = head_.load(std::memory_order_acquire);; ++pos) {
      const Cell& cell = cells_[pos & mask_];
      if (cell.seq.load(std::memory_order_acquire) != pos + 1) return;
      f(load(cell));
    }
  }

  // Entries published and not yet popped; approximate under concurrency.
  [[nodiscard]] std::size_t size_hint() const noexcept {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    const std::size_t head = head_.load(std::memory_order_relaxed);
    return tail >= head ? tail - head : 0;
  }

 private:
  struct alignas(kAtomicValue ? 16 : kCacheLine) Cell {
    std::atomic<std::size_t> seq;
    Value value;
  };
  static void store(Cell& cell, const T& v) noexcept {
    if constexpr (kAtomicValue) cell.value.store(v, std::memory_order_relaxed);
    else cell.value = v;
  }
  static T load(const Cell& cell) noexcept {
    if constexpr (kAtomicValue) return cell.value.load(std::memory_order_relaxed);
    else return cell.value;
  }

  const std::size_t mask_;
  std::unique_ptr<Cell[]> cells_;
  // Producers and consumers each own a cache line, so they do not invalidate each other's index.
  alignas(kCacheLine) std::atomic<std::size_t> tail_{0};
  alignas(kCacheLine) std::atomic<std::size_t> head_{0};
};

}  // namespace omni::internal
