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
// answer at the moment (KernelImpl::eligible), which a live change may alter; the index keeps
// positions for the agents that may become one, and non-members are never placed (or placed
// absent when met). Member positions are compact, in the order agents joined (`members` maps a
// position to its agent), with room for `room` agents: the members at create (a queue) or the
// qualified at preparation (a class), plus headroom for hires, moves and skill changes; a live
// change that would need more is refused. Compact, because a set's index is touched on every
// capacity change of its agents: sized by all agents, the indexes would not stay in cache
// (measured: per-op close 2.5x slower at 10,000 agents, bench/RESULTS.md "Live changes").
// Items are counted against their queue's max_waiting in `occupancy` of the queue's own set.
struct QueueSlot {
  // `room` compact positions, filled by the control plane.
  QueueSlot(uint32_t queue_index, uint32_t max_waiting, uint32_t room)
      : queue(queue_index),
        room(room),
        members(std::make_unique<std::atomic<uint32_t>[]>(room)),
        fresh(2 * std::bit_ceil(max_waiting)),
        retry(2 * std::bit_ceil(max_waiting)),
        index(room) {}
  // The agent at member position m. A position is written before the agent is ever placed at
  // it (the seq_cst placement orders the write for whoever finds the bit): relaxed suffices.
  [[nodiscard]] uint32_t agent_at(uint32_t m) const noexcept {
    return members[m].load(std::memory_order_relaxed);
  }
  const uint32_t queue;                // the queue whose items wait here
  const uint32_t room;                 // member positions
  std::unique_ptr<std::atomic<uint32_t>[]> members;  // position → agent
  uint32_t filled = 0;                 // positions taken (control plane only)
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

// One class in an agent's class list: the class, the agent's position in it, and whether the
// agent is a member under one configuration version ((version + 1) << 1 | member; 0 = not known:
// KernelImpl::class_member). Written by the control plane before the list's count publishes it;
// the verdict is a cache any thread refreshes.
//
// `priority` caches the class's queue's routing priority, so that pull() can pass over a class
// without touching it or the configuration (measured: reading it from the configuration cost
// per-op close 2x at 10,000 agents); a live change that moves the priority rewrites it before
// reconfigure returns (an operation running meanwhile may order by the old one).
struct ClassEntry {
  uint32_t set = 0;
  uint32_t member = 0;
  std::atomic<uint64_t> verdict{0};
  std::atomic<int32_t> priority{0};
  [[nodiscard]] Membership membership() const noexcept {
    return {set, member, priority.load(std::memory_order_relaxed)};
  }
};

// A skill class (a lane set beyond the queues' own): the skills an agent needs to be a member,
// written once before the class is published (set_count_, release).
struct SkillClass {
  std::vector<SkillRequirement> needs;
};

// A prepared skill requirement set (Kernel::prepare_requirements): immutable once published, but
// for `retired`, set by a live change that removes one of its skills (submits then refuse it).
struct RequirementSet {
  std::atomic<bool> retired{false};
  uint32_t queue = 0;
  uint32_t stages = 1;                // 1 + optional skills
  uint32_t set[9] = {};               // the lane set (class) of each stage
  Duration drop_after[8] = {};        // since arrival, when the optional skill of each stage drops
};

}  // namespace omni::internal
