// SlotIds — item handles in the kernel's ItemId layout for the baselines, which key their own
// containers by it (slot in the low kItemSlotBits, birth above; births start at 1 so no handle is
// 0, as the kernel's). Slot + birth, recycled LIFO. Not thread-safe: the owning router calls
// it under its lock. Allocates only at construction.
#pragma once
#include <cstdint>
#include <vector>

#include "omnikernel/ids.h"

namespace omni::bench {

class SlotIds {
 public:
  explicit SlotIds(uint32_t capacity) : birth_(capacity, 1) {
    free_.reserve(capacity);
    for (uint32_t s = capacity; s > 0; --s) free_.push_back(s - 1);
  }

  [[nodiscard]] bool empty() const noexcept { return free_.empty(); }

  [[nodiscard]] ItemId take() noexcept {
    const uint32_t slot = free_.back();
    free_.pop_back();
    return make_item_id(slot, birth_[slot]);
  }

  [[nodiscard]] bool live(ItemId id) const noexcept {
    const uint32_t slot = slot_of(id);
    return slot < birth_.size() && birth_[slot] == birth_of(id);
  }

  void give_back(ItemId id) noexcept {
    const uint32_t slot = slot_of(id);
    birth_[slot] = birth_[slot] + 1;  // 2^40 - 1 lives: never wraps in a run
    free_.push_back(slot);
  }

 private:
  std::vector<uint64_t> birth_;
  std::vector<uint32_t> free_;
};

}  // namespace omni::bench
