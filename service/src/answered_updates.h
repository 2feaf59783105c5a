// AnsweredUpdates — the item updates an agent's WebSocket command caused and its `result` already
// answered (the result carries the item's state), so the event pump does not push them to that
// connection a second time: at load, each accept and close cost two frames to the desktop (the
// result and the update) for one fact. Other connections of the agent, and REST commands, still
// get every update (docs/API.md "Agent API").
//
// A command registers what it expects before it runs, so the pump can never see the event first;
// the pump takes an entry when the event comes; a command that failed caused nothing and withdraws
// its entries. Not thread-safe: Peers' mutex guards it.
#pragma once
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "omnikernel/kernel.h"

namespace omni::service {

class WsPeer;

class AnsweredUpdates {
 public:
  void expect(const WsPeer* peer, ItemId item, std::span<const EventType> types) {
    // Entries whose event never came (a connection gone before its item ended) are dropped with
    // the item's `done`; this bound is for items that never end.
    if (by_item_.size() >= kMaxItems) by_item_.clear();
    auto& list = by_item_[index(item)];
    for (EventType t : types) list.push_back({peer, t});
  }

  // True, and the entry gone, when `peer` answered this update itself.
  bool take(const WsPeer* peer, ItemId item, EventType type) {
    auto it = by_item_.find(index(item));
    if (it == by_item_.end()) return false;
    auto& list = it->second;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].peer == peer && list[i].type == type) {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
        if (list.empty()) by_item_.erase(it);
        return true;
      }
    }
    return false;
  }

  // Withdraws an entry the pump has not taken yet; false when it was taken (the update came).
  bool withdraw(const WsPeer* peer, ItemId item, EventType type) { return take(peer, item, type); }

  void withdraw_all(const WsPeer* peer, ItemId item) {
    auto it = by_item_.find(index(item));
    if (it == by_item_.end()) return;
    std::erase_if(it->second, [&](const Entry& e) { return e.peer == peer; });
    if (it->second.empty()) by_item_.erase(it);
  }

  void forget(ItemId item) { by_item_.erase(index(item)); }

 private:
  static constexpr size_t kMaxItems = 1 << 20;
  struct Entry {
    const WsPeer* peer;
    EventType type;
  };
  std::unordered_map<uint64_t, std::vector<Entry>> by_item_;
};

}  // namespace omni::service
