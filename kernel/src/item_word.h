// ItemWord — a work item's whole routing state in one 16-byte atomic (x86-64 cmpxchg16b).
//
// Every transition is ONE compare-and-swap from the exact word the caller validated to the next,
// and everything a racing thread needs to act on the item travels inside that word: the state,
// the agent, the capacity the item holds, the queue and the paused value. Nothing another thread
// may read is written beside the word before the CAS that makes the transition yours, so a losing
// transfer cannot leave its sizes behind for a winning pause (issue 8, defect 1), and a thread
// holding a stale word cannot write into the slot's next occupant (defect 2): its CAS fails.
//
//   lo  bits  0..20  agent index (offered/active/paused/wrap-up), kNoAgent = none
//       bits 21..23  ItemState
//       bits 24..63  version: +1 on every transition of the slot, never reset (40 bits)
//   hi  bits  0..23  capacity held, 1/1000 units (meaningful in offered/active/wrap-up; kept
//                    while paused, so resume and close know what to take back)
//       bit  24      held on the interruptible pool
//       bits 25..44  queue index
//       bits 45..56  paused value (while paused)
//       bits 57..60  optional skills dropped so far (the item's requirement stage)
//       bit  61      queued for its preferred agent only (the agent field names that agent)
//       bits 62..63  channel counter held on the agent (0 none, 1 or 2: AgentWord counter 0 or 1;
//                    kept while paused like the capacity, so resume knows what to take back)
//
// Why 40 bits of version never wrap in use (docs/ARCHITECTURE.md, "Widths"): a stale word matches
// again only after exactly 2^40 transitions of its slot. A slot is retired (never reused) once its
// version passes kRetireVersion = 2^39, so ids are never issued twice; the remaining headroom is
// 2^39 transitions of ONE life — 3.8 hours of nothing but transitions of one item at a bare
// CAS each — while the longest anyone holds a word is a timer's, and timers are capped at one hour
// by the configuration.
#pragma once
#include <atomic>
#include <cstdint>

#include "omnikernel/kernel.h"

namespace omni::internal {

// What an item holds on its agent: `size` on one capacity pool, and one count on a channel
// counter when the agent's presence configuration limits the item's channel (counter ≥ 0).
struct Hold {
  int32_t size = 0;
  bool interruptible = false;
  int8_t counter = -1;
};

struct alignas(16) ItemWord {
  uint64_t lo = 0;
  uint64_t hi = 0;

  static constexpr int kAgentBits = 21, kStateShift = 21, kVersionShift = 24;
  static constexpr uint32_t kNoAgent = (1u << kAgentBits) - 1;
  static constexpr uint64_t kVersionMask = (uint64_t{1} << 40) - 1;
  static constexpr uint64_t kRetireVersion = uint64_t{1} << 39;
  static constexpr int32_t kMaxHeld = (1 << 24) - 1;
  static constexpr uint32_t kMaxQueues = (1u << 20) - 1;

  static ItemWord make(uint64_t version, ItemState state, uint32_t agent, uint32_t queue) {
    ItemWord w;
    w.lo = ((version & kVersionMask) << kVersionShift) |
           (uint64_t{static_cast<uint8_t>(state)} << kStateShift) | (agent & kNoAgent);
    w.hi = uint64_t{queue & kMaxQueues} << 25;
    return w;
  }
  [[nodiscard]] uint32_t agent() const { return static_cast<uint32_t>(lo & kNoAgent); }
  [[nodiscard]] ItemState state() const { return static_cast<ItemState>((lo >> kStateShift) & 7); }
  [[nodiscard]] uint64_t version() const { return lo >> kVersionShift; }
  [[nodiscard]] int32_t held() const { return static_cast<int32_t>(hi & kMaxHeld); }
  [[nodiscard]] bool interruptible() const { return (hi >> 24) & 1; }
  [[nodiscard]] uint32_t queue() const { return static_cast<uint32_t>((hi >> 25) & kMaxQueues); }
  [[nodiscard]] uint16_t paused_value() const { return static_cast<uint16_t>((hi >> 45) & 0xFFF); }
  [[nodiscard]] uint32_t stage() const { return static_cast<uint32_t>((hi >> 57) & 0xF); }
  [[nodiscard]] bool preferred() const { return (hi >> 61) & 1; }
  [[nodiscard]] int8_t counter() const { return static_cast<int8_t>(static_cast<int>(hi >> 62) - 1); }
  [[nodiscard]] Hold hold() const { return {held(), interruptible(), counter()}; }
  // Does the item hold capacity on its agent in this state?
  [[nodiscard]] bool holds() const {
    return state() == ItemState::offered || state() == ItemState::active || state() == ItemState::wrap_up;
  }

  // The next word of a transition: version + 1, the new state and agent, the rest kept (but a
  // preference holds only while the item waits for that agent: any transition ends it).
  [[nodiscard]] ItemWord next(ItemState state, uint32_t agent = kNoAgent) const {
    ItemWord w = with_preferred(false);
    w.lo = (((version() + 1) & kVersionMask) << kVersionShift) |
           (uint64_t{static_cast<uint8_t>(state)} << kStateShift) | (agent & kNoAgent);
    return w;
  }
  [[nodiscard]] ItemWord with_hold(Hold h) const {
    ItemWord w = *this;
    w.hi = (w.hi & ~uint64_t{(1u << 25) - 1} & ~(uint64_t{3} << 62)) |
           (static_cast<uint64_t>(h.size) & kMaxHeld) | (uint64_t{h.interruptible} << 24) |
           (static_cast<uint64_t>(h.counter + 1) << 62);
    return w;
  }
  [[nodiscard]] ItemWord with_queue(uint32_t q) const {
    ItemWord w = *this;
    w.hi = (w.hi & ~(uint64_t{kMaxQueues} << 25)) | (uint64_t{q & kMaxQueues} << 25);
    return w;
  }
  [[nodiscard]] ItemWord with_paused_value(uint16_t v) const {
    ItemWord w = *this;
    w.hi = (w.hi & ~(uint64_t{0xFFF} << 45)) | (uint64_t{v & 0xFFFu} << 45);
    return w;
  }
  [[nodiscard]] ItemWord with_preferred(bool p) const {
    ItemWord w = *this;
    w.hi = (w.hi & ~(uint64_t{1} << 61)) | (uint64_t{p} << 61);
    return w;
  }
  [[nodiscard]] ItemWord with_stage(uint32_t stage) const {
    ItemWord w = *this;
    w.hi = (w.hi & ~(uint64_t{0xF} << 57)) | (uint64_t{stage & 0xFu} << 57);
    return w;
  }
  friend bool operator==(const ItemWord&, const ItemWord&) = default;
};
static_assert(sizeof(ItemWord) == 16);

// A lane entry names one queued life of an item: its slot and the version of the queued word.
// An entry whose item has moved on (offered, closed, recycled) no longer matches: it is stale.
struct LaneEntry {
  static uint64_t make(uint32_t slot, uint64_t version) { return (version << kItemSlotBits) | slot; }
  static uint32_t slot(uint64_t e) { return static_cast<uint32_t>(e & ((1u << kItemSlotBits) - 1)); }
  static uint64_t version(uint64_t e) { return e >> kItemSlotBits; }
};

// An exclusion: "not back to this agent first" for one queued version of an item. Tagged with
// that version, so it means nothing once the item moves on — a late writer cannot exclude anyone
// from a later life.
struct Exclusion {
  static uint64_t make(uint32_t agent, uint64_t version) { return (uint64_t{agent + 1} << 40) | version; }
  static uint64_t version(uint64_t e) { return e & ItemWord::kVersionMask; }
  static uint32_t agent(uint64_t e) { return static_cast<uint32_t>(e >> 40) - 1; }  // UINT32_MAX: none
};

}  // namespace omni::internal
