// The event calendar: future actions ordered by virtual time, ties broken by the order in which
// they were scheduled, so a run is a pure function of the scenario and the seed.
#pragma once
#include <cstdint>
#include <queue>
#include <vector>

#include "omnikernel/time.h"

namespace omni::sim::internal {

enum class ActionKind : uint8_t {
  arrival,      // subject = stream index
  replay,       // subject = stream index, detail = message index
  abandon,      // subject = item id
  answer,       // subject = item id, detail = agent id; accept or decline decided at offer time
  pause,        // subject = item id
  resume,       // subject = item id
  close,        // subject = item id
  transfer,     // subject = item id; to SimItem::transfer_to
  end_wrap_up,  // subject = item id
  return_to_work,  // subject = agent id: back to the working status
  break_start,  // subject = agent id, detail = break plan index
  break_end,    // subject = agent id
  tick,         // kernel timers
  sample,       // time series for the plot
};

struct Action {
  Time at;
  uint64_t order = 0;
  ActionKind kind{};
  uint64_t subject = 0;
  uint64_t detail = 0;
};

class Calendar {
 public:
  void schedule(Time at, ActionKind kind, uint64_t subject = 0, uint64_t detail = 0) {
    heap_.push(Action{at, next_order_++, kind, subject, detail});
  }
  [[nodiscard]] bool empty() const noexcept { return heap_.empty(); }
  [[nodiscard]] const Action& next() const { return heap_.top(); }
  Action pop() {
    Action a = heap_.top();
    heap_.pop();
    return a;
  }
  [[nodiscard]] size_t size() const noexcept { return heap_.size(); }

 private:
  struct Later {
    bool operator()(const Action& a, const Action& b) const noexcept {
      return a.at != b.at ? a.at > b.at : a.order > b.order;
    }
  };
  std::priority_queue<Action, std::vector<Action>, Later> heap_;
  uint64_t next_order_ = 0;
};

}  // namespace omni::sim::internal
