#include "omnikernel/service/recent_ids.h"

namespace omni::service {

bool RecentIds::claim(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (ids_.contains(id)) return false;
  // Evict the oldest until there is room; released ids left in order_ are skipped.
  while (ids_.size() >= capacity_ && !order_.empty()) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
  ids_.emplace(id);
  order_.emplace_back(id);
  return true;
}

void RecentIds::release(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_.find(id); it != ids_.end()) ids_.erase(it);
  // order_ keeps its copy; eviction erasing an absent id is harmless. Bound it anyway: a stream of
  // releases must not grow order_ past the window.
  while (order_.size() > 2 * capacity_) {
    ids_.erase(order_.front());
    order_.pop_front();
  }
}

size_t RecentIds::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

}  // namespace omni::service
