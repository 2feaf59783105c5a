// KernelImpl — the state behind omni::Kernel. The hot path itself is in kernel.cc; this header
// only lays out the preallocated state it works on.
#pragma once
#include <atomic>
#include <memory>
#include <vector>

#include "agent_index.h"
#include "agent_word.h"
#include "cache_line.h"
#include "customer_table.h"
#include "item_word.h"
#include "mpmc_ring.h"
#include "omnikernel/kernel.h"
#include "resolved_config.h"
#include "timer_wheel.h"

namespace omni::internal {

// One work item slot. Every field is atomic because a stale ItemId (or an observer) may read a
// slot while its owner rewrites it; the `word` CAS is what decides who owns a transition.
struct alignas(kCacheLine) ItemSlot {
  std::atomic<uint64_t> word{ItemWord::make(0, 0, ItemState::free, ItemWord::kNoAgent).raw};
  std::atomic<uint32_t> queue{0};
  std::atomic<int32_t> held{0};            // milli-units the item holds (or held before pausing)
  std::atomic<bool> interruptible{false};  // held on the interruptible pool
  std::atomic<bool> is_bot{false};
  std::atomic<uint16_t> paused_value{0};
  std::atomic<int64_t> arrival{0};
  std::atomic<uint64_t> customer{0};
  std::atomic<uint32_t> excluded_agent{UINT32_MAX};  // last decliner / time-out
  std::atomic<int64_t> excluded_until{0};
};
static_assert(sizeof(ItemSlot) == kCacheLine, "one item per cache line");

struct alignas(kCacheLine) AgentSlot {
  std::atomic<uint64_t> word{0};  // AgentWord: capacity, open items, status, missed
  std::atomic<uint32_t> missed_epoch{0};
  std::atomic<uint32_t> wrap_up_items{0};
};

struct QueueSlot {
  QueueSlot(uint32_t max_waiting, uint32_t members)
      : fresh(2 * std::bit_ceil(max_waiting)), retry(2 * std::bit_ceil(max_waiting)), index(members) {}
  // Two lanes: new arrivals, and items re-queued after a decline or time-out. Re-queued items keep
  // their arrival time, so the router takes whichever head arrived first.
  MpmcRing<uint64_t> fresh;
  MpmcRing<uint64_t> retry;
  AgentIndex index;
  // Items in state queued here. Dekker partner of the AgentIndex (see kernel.cc "lost wake-ups").
  alignas(kCacheLine) std::atomic<int32_t> waiting{0};
  // Lane entries (live or stale) + items offered from here: bounded by max_waiting, which keeps
  // both lanes from ever filling up.
  alignas(kCacheLine) std::atomic<int32_t> occupancy{0};
};

}  // namespace omni::internal
