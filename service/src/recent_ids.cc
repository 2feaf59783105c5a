#include "omnikernel/service/recent_ids.h"

namespace omni::service {

bool RecentIds::claim(std::string_view id, std::vector<std::string>* forgotten) {
  std::lock_guard lock(mutex_);
  if (ids_.find(id) != ids_.end()) return false;
  // Forget the oldest claims until there is room; stale entries (released, re-claimed) only pop.
  while (ids_.size() >= capacity_ && !order_.empty()) {
    auto& [old, claim] = order_.front();
    if (auto it = ids_.find(old); it != ids_.end() && it->second == claim) {
      ids_.erase(it);
      if (forgotten) forgotten->push_back(old);
    }
    order_.pop_front();
  }
  const uint64_t claim = next_claim_++;
  ids_.emplace(std::string(id), claim);
  order_.emplace_back(std::string(id), claim);
  return true;
}

void RecentIds::release(std::string_view id) {
  std::lock_guard lock(mutex_);
  if (auto it = ids_.find(id); it != ids_.end()) ids_.erase(it);
  // Its entry in order_ is now stale. Bound the stale entries too: a stream of releases must not
  // grow order_ past twice the window.
  while (order_.size() > 2 * capacity_) {
    auto& [old, claim] = order_.front();
    if (auto it = ids_.find(old); it != ids_.end() && it->second == claim) ids_.erase(it);
    order_.pop_front();
  }
}

size_t RecentIds::size() const {
  std::lock_guard lock(mutex_);
  return ids_.size();
}

}  // namespace omni::service
