// ItemWord — a work item's life-cycle state, packed in one 64-bit atomic. Every transition is a
// CAS from the exact word the caller validated, so two racing transitions (close during a
// time-out, pause twice) cannot both win: capacity is released by the single winner only.
//
//   bits  0..23  agent index (offered/active/paused/wrap-up), 0xFFFFFF = none
//   bits 24..31  ItemState
//   bits 32..39  transition sequence (mod 256), copied into events for ordering
//   bits 40..63  incarnation of the slot (mod 2^24): stale ItemIds are refused
#pragma once
#include <cstdint>

#include "omnikernel/kernel.h"

namespace omni::internal {

struct ItemWord {
  uint64_t raw = 0;

  static constexpr uint32_t kNoAgent = 0xFFFFFF;
  static constexpr uint32_t kIncarnationMask = 0xFFFFFF;

  static ItemWord make(uint32_t incarnation, uint8_t seq, ItemState state, uint32_t agent) {
    return {(uint64_t{incarnation & kIncarnationMask} << 40) | (uint64_t{seq} << 32) |
            (uint64_t{static_cast<uint8_t>(state)} << 24) | (agent & kNoAgent)};
  }
  [[nodiscard]] uint32_t agent() const { return static_cast<uint32_t>(raw & kNoAgent); }
  [[nodiscard]] ItemState state() const { return static_cast<ItemState>((raw >> 24) & 0xFF); }
  [[nodiscard]] uint8_t seq() const { return static_cast<uint8_t>(raw >> 32); }
  [[nodiscard]] uint32_t incarnation() const { return static_cast<uint32_t>(raw >> 40); }

  // The next word of a transition: same incarnation, sequence + 1.
  [[nodiscard]] ItemWord next(ItemState state, uint32_t agent = kNoAgent) const {
    return make(incarnation(), static_cast<uint8_t>(seq() + 1), state, agent);
  }
};

}  // namespace omni::internal
