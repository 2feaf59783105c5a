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

// One work item slot. The routing state is the 16-byte `word` (item_word.h): every transition is
// one CAS on it. The other fields are written once per life by submit, before the release store
// that publishes the queued word, while the slot is owned by that submit alone (just popped from
// the free list) — except `exclusion`, which is tagged with the queued version it belongs to.
struct alignas(kCacheLine) ItemSlot {
  std::atomic<ItemWord> word{ItemWord{}};
  std::atomic<uint64_t> birth{0};      // version of the queued word that began this life (the id)
  std::atomic<uint64_t> exclusion{0};  // Exclusion: decliner + the queued version it applies to
  std::atomic<int64_t> arrival{0};     // ns; kept through re-queues, overflows and transfers (a
                                       // transfer may restart it: RoutingConfig::transfer_keeps_arrival)
  std::atomic<uint64_t> customer{0};
  std::atomic<uint32_t> requirements{0};  // RequirementsId of this life (0 = none)
  std::atomic<bool> is_bot{false};
};
static_assert(sizeof(ItemSlot) == kCacheLine, "one item per cache line");

struct alignas(kCacheLine) AgentSlot {
  std::atomic<uint64_t> word{0};  // AgentWord: capacity, open items, status, missed
  std::atomic<uint32_t> missed_epoch{0};
  std::atomic<uint32_t> wrap_up_items{0};
  // When its last item ended or it came online (ns): the longest_idle tie-break's key. A hint
  // read by searchers to order tied agents, never part of a decision's correctness: relaxed.
  std::atomic<int64_t> idle_since{0};
  // Items waiting for this agent as their preferred agent (the personal lane, see kernel.cc):
  // `pref_waiting` is the Dekker partner of this agent's word for them, like a queue's `waiting`;
  // `pref_entries` bounds the personal lane's entries (live or stale), like occupancy.
  alignas(kCacheLine) std::atomic<int32_t> pref_waiting{0};
  std::atomic<int32_t> pref_entries{0};
};

// A lane set: where waiting items of one routing class wait, and which agents may take them.
// Each queue has its own (set index = queue index: the queue's agents may take them); each
// prepared skill requirement class of a queue has another (the agents qualified for it, among the
// queue's agents unless its routing is skills-based). Who is a member is the configuration's
// answer at the moment (KernelImpl::eligible): a live change may add or take members, so the
// index has a position for every agent the kernel can hold (member position = agent index) and
// never placed non-members. Items are counted against their queue's max_waiting in `occupancy`
// of the queue's own set.
struct QueueSlot {
  QueueSlot(uint32_t queue_index, uint32_t max_waiting, uint32_t max_agents)
      : queue(queue_index),
        fresh(2 * std::bit_ceil(max_waiting)),
        retry(2 * std::bit_ceil(max_waiting)),
        index(max_agents) {}
  const uint32_t queue;                // the queue whose items wait here
  // Two lanes: new arrivals, and items re-queued after a decline or time-out. Re-queued items keep
  // their arrival time, so the router takes whichever head arrived first.
  MpmcRing<uint64_t> fresh;  // LaneEntry values
  MpmcRing<uint64_t> retry;  // items with an exclusion (declined, timed out, transferred in)
  AgentIndex index;
  // Items in state queued here. Dekker partner of the AgentIndex (see kernel.cc "lost wake-ups").
  alignas(kCacheLine) std::atomic<int32_t> waiting{0};
  // New queued versions ever pushed (not re-pushes): lets a freeing agent tell whether an item
  // arrived while it held a reservation it then gave back (kernel.cc, rule 2).
  std::atomic<uint64_t> pushes{0};
  // On a queue's own set: its items waiting for a preferred agent (they wait in that agent's
  // personal lane, not here). For observation only: relaxed.
  std::atomic<int32_t> preferring{0};
  // Round-robin tie-breaks: the member position after the last one chosen (a hint; relaxed).
  std::atomic<uint32_t> cursor{0};
  // On a queue's own set: lane entries (live or stale) in all of the queue's sets + items offered
  // from the queue, bounded by max_waiting, which keeps every lane from ever filling up.
  alignas(kCacheLine) std::atomic<int32_t> occupancy{0};
};

// A skill class (a lane set beyond the queues' own): the skills an agent needs to be a member,
// written once before the class is published (set_count_, release).
struct SkillClass {
  std::vector<SkillRequirement> needs;
};

// A prepared skill requirement set (Kernel::prepare_requirements): immutable once published.
struct RequirementSet {
  uint32_t queue = 0;
  uint32_t stages = 1;                // 1 + optional skills
  uint32_t set[9] = {};               // the lane set (class) of each stage
  Duration drop_after[8] = {};        // since arrival, when the optional skill of each stage drops
};

}  // namespace omni::internal
