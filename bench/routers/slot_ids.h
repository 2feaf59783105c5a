// SlotIds — item handles in the kernel's ItemId layout for the baselines, which key their own
// containers by it. Slot + incarnation, recycled LIFO. Not thread-safe: the owning router calls
// it under its lock. Allocates only at construction.
#pragma once
#include <cstdint>
#include <vector>

#include "omnikernel/ids.h"

namespace omni::bench {

class SlotIds {
 public:
  explicit SlotIds(uint32_t capacity) : incarnation_(capacity, 0) {
    free_.reserve(capacity);
    for (uint32_t s = capacity; s > 0; --s) free_.push_back(s - 1);
  }

  [[nodiscard]] bool empty() const noexcept { return free_.empty(); }

  [[nodiscard]] ItemId take() noexcept {
    const uint32_t slot = free_.back();
    free_.pop_back();
    return make_item_id(slot, incarnation_[slot]);
  }

  [[nodiscard]] bool live(ItemId id) const noexcept {
    const uint32_t slot = slot_of(id);
    return slot < incarnation_.size() && incarnation_[slot] == incarnation_of(id);
  }

  void give_back(ItemId id) noexcept {
    const uint32_t slot = slot_of(id);
    incarnation_[slot] = (incarnation_[slot] + 1) & 0xFFFFFF;
    free_.push_back(slot);
  }

 private:
  std::vector<uint32_t> incarnation_;
  std::vector<uint32_t> free_;
};

}  // namespace omni::bench
