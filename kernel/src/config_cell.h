// ConfigCell — publishes an immutable configuration to routing threads, and frees the one it
// replaces only once no operation can still be reading it (read-copy-update, issue 10 item 1).
//
// Readers (every kernel operation) pin the current configuration for the length of the call and
// see ONE version from start to end: a live change is never half seen. The writer (the control
// plane, serialised by the kernel's control mutex) swaps the pointer and waits for a grace
// period; readers never wait for anything.
//
// The grace period is counted with two reader counters per shard, one per epoch parity (the
// scheme of SRCU): a reader reads the epoch e, counts itself in parity e & 1, and checks the
// epoch is still e — if a writer flipped it meanwhile, it uncounts and retries (only a completed
// flip makes it retry, so readers are lock-free). The writer stores the new pointer, flips the
// epoch from e to e + 1, and waits until parity e & 1 is empty in every shard. Why that suffices:
// a reader that loaded the OLD pointer did so before the store, so its epoch check (earlier in
// its program order, seq_cst throughout) read e or less; a reader counted under e - 1 was waited
// for by the previous writer, who finished before this one started; so it is counted under e and
// the writer waits for it. Readers counted under e that loaded the NEW pointer are waited for
// needlessly, which costs the writer time, never correctness.
//
// Cost on the hot path: two RMWs on the calling thread's shard line (threads spread over
// kShards lines) and three loads of lines that change only on a live change.
#pragma once
#include <sched.h>

#include <atomic>
#include <cstdint>
#include <memory>

#include "cache_line.h"
#include "sched_point.h"

namespace omni::internal {

// Which reader shard the calling thread counts in: threads are spread round-robin on first use.
inline uint32_t reader_shard() noexcept {
  static std::atomic<uint32_t> next{0};
  thread_local const uint32_t shard = next.fetch_add(1, std::memory_order_relaxed);
  return shard;
}

template <class T>
class ConfigCell {
 public:
  static constexpr uint32_t kShards = 64;

  explicit ConfigCell(std::unique_ptr<const T> first) : current_(first.release()) {}
  ~ConfigCell() { delete current_.load(std::memory_order_relaxed); }
  ConfigCell(const ConfigCell&) = delete;
  ConfigCell& operator=(const ConfigCell&) = delete;

  // The configuration an operation reads from start to end; valid until the Pin is destroyed.
  class Pin {
   public:
    Pin(Pin&& o) noexcept : counter_(o.counter_), value_(o.value_) { o.counter_ = nullptr; }
    Pin(const Pin&) = delete;
    Pin& operator=(const Pin&) = delete;
    Pin& operator=(Pin&&) = delete;
    ~Pin() {
      if (!counter_) return;
      OMNI_SCHED_POINT("config.unpin");
      // release: every read of the configuration happens before the writer, which acquires the
      // counter, may free it.
      counter_->fetch_sub(1, std::memory_order_release);
    }
    [[nodiscard]] const T& operator*() const noexcept { return *value_; }
    [[nodiscard]] const T* operator->() const noexcept { return value_; }
    [[nodiscard]] const T* get() const noexcept { return value_; }

   private:
    friend class ConfigCell;
    Pin(std::atomic<int64_t>* counter, const T* value) : counter_(counter), value_(value) {}
    std::atomic<int64_t>* counter_;
    const T* value_;
  };

  [[nodiscard]] Pin pin() const noexcept {
    Shard& shard = shards_[reader_shard() % kShards];
    for (;;) {
      OMNI_SCHED_POINT("config.pin.epoch");
      const uint64_t e = epoch_.load(std::memory_order_seq_cst);
      OMNI_SCHED_POINT("config.pin.count");
      std::atomic<int64_t>& counter = shard.readers[e & 1];
      counter.fetch_add(1, std::memory_order_seq_cst);
      OMNI_SCHED_POINT("config.pin.recheck");
      if (epoch_.load(std::memory_order_seq_cst) == e) {
        OMNI_SCHED_POINT("config.pin.load");
        return Pin(&counter, current_.load(std::memory_order_seq_cst));
      }
      counter.fetch_sub(1, std::memory_order_release);  // a writer flipped meanwhile: count anew
    }
  }

  // Control plane only, one caller at a time (the kernel's control mutex): the value now, without
  // a pin — nobody else replaces it while the caller holds the mutex.
  [[nodiscard]] const T& unpinned() const noexcept { return *current_.load(std::memory_order_acquire); }

  // Control plane only, one caller at a time. Publishes `next`; returns once no reader can still
  // see the value it replaced, which is then freed. Never call it while pinning this cell on the
  // same thread (it would wait for itself).
  void replace(std::unique_ptr<const T> next) noexcept {
    OMNI_SCHED_POINT("config.replace.store");
    const T* old = current_.exchange(next.release(), std::memory_order_seq_cst);
    OMNI_SCHED_POINT("config.replace.flip");
    const uint64_t e = epoch_.fetch_add(1, std::memory_order_seq_cst);
    for (Shard& shard : shards_) {
      for (;;) {
        OMNI_SCHED_POINT("config.replace.wait");
        // acquire: pairs with the readers' release on unpin, so their reads are done.
        if (shard.readers[e & 1].load(std::memory_order_acquire) == 0) break;
        sched_yield();
      }
    }
    delete old;
  }

 private:
  struct alignas(kCacheLine) Shard {
    std::atomic<int64_t> readers[2] = {0, 0};
  };
  alignas(kCacheLine) std::atomic<const T*> current_;
  std::atomic<uint64_t> epoch_{0};
  mutable Shard shards_[kShards];
};

}  // namespace omni::internal
