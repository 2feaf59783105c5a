// Live changes under interleavings (issue 10, item 1). Kernel::reconfigure swaps the
// configuration pointer and waits for a grace period (kernel/src/config_cell.h); the scenarios
// drive every order of that protocol's steps against readers and against the kernel's own
// Dekker pairing between an arriving item and an agent getting better:
//   - the cell alone: a reader must never hold a version the writer has freed, and always read
//     one whole version;
//   - capacity raised live while an item arrives, or while the agent closes what it holds: the
//     check after each schedule flags an item waiting beside an agent with room under the
//     configuration in force (a lost wake-up) and any capacity not matching what items hold.
#include <array>
#include <atomic>

#include "config_cell.h"
#include "scenario.h"

namespace omni::interleave {
namespace {

// A version that knows whether it has been freed: its destructor marks it in `freed`, which
// outlives every version (the cell frees them while the trial runs).
struct Version {
  static constexpr int kMax = 8;
  Version(int id, std::shared_ptr<std::array<std::atomic<bool>, kMax>> freed) : id(id), a(id), b(id), freed(std::move(freed)) {}
  ~Version() { (*freed)[id].store(true); }
  int id;
  int a, b;  // always equal within one version: a reader seeing a != b saw two versions mixed
  std::shared_ptr<std::array<std::atomic<bool>, kMax>> freed;
};

TEST(InterleaveLiveChange, AReaderNeverHoldsAFreedVersion) {
  TrialFactory make = [] {
    auto freed = std::make_shared<std::array<std::atomic<bool>, Version::kMax>>();
    for (auto& f : *freed) f.store(false);
    auto cell = std::make_shared<internal::ConfigCell<Version>>(std::make_unique<const Version>(0, freed));
    auto violation = std::make_shared<std::string>();
    Trial trial;
    trial.threads.push_back([cell, freed] {  // the writer: two changes
      cell->replace(std::make_unique<const Version>(1, freed));
      cell->replace(std::make_unique<const Version>(2, freed));
    });
    for (int reader = 0; reader < 2; ++reader)
      trial.threads.push_back([cell, freed, violation] {
        for (int round = 0; round < 2; ++round) {
          const auto pin = cell->pin();
          const int id = pin->id;
          internal::sched::point("test.read.a");
          const int a = pin->a;
          internal::sched::point("test.read.b");
          const int b = pin->b;
          if ((*freed)[id].load()) *violation += "a reader held version " + std::to_string(id) + " after it was freed; ";
          if (a != b || a != id) *violation += "a reader saw two versions mixed; ";
        }
      });
    trial.check = [cell, freed, violation] {
      std::string v = *violation;
      if (cell->unpinned().id != 2) v += "the last version is not in force; ";
      if (!(*freed)[0].load() || !(*freed)[1].load()) v += "a replaced version was never freed; ";
      return v;
    };
    return trial;
  };
  run_scenario("config_cell_pin_vs_replace", make, pct_and_dfs(1500, 3, 2, 6000, 801));
}

Config with_capacity(Config c, double capacity) {
  for (auto& p : c.presence_configs) p.capacity = capacity;
  return c;
}

// a0 (capacity 2) holds X, an item of 50 %; T0 raises its capacity to 4 (items of 50 % now take
// 2 units); T1 submits Y. Whatever the order, Y ends offered to a0: 1 + (1 or 2) ≤ 4.
TEST(InterleaveLiveChange, RaisedCapacityRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {2.0};
    t.unit = SizeUnit::percent;
    t.size = 50;
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    const ItemId y0 = w->submit("q0");  // takes the second unit: a0 is full before the change
    (void)w->k().accept(y0, w->a("a0"));
    const Config raised = with_capacity(w->config, 4.0);
    Trial trial;
    trial.threads.push_back([w, raised] { (void)w->k().reconfigure(raised); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w] {
      std::string v;  // before w->check(), whose timer pass times offers out
      for (ItemId id : w->thread_items[1])
        if (w->holder(id) != w->a("a0")) v += "    the arrival was not offered to a0 after the raise\n";
      return w->check() + v;
    };
    return trial;
  };
  run_scenario("raise_capacity_vs_arrival", make, pct_and_dfs(1500, 3, 2, 6000, 802));
}

// a0 (capacity 1) holds X; Y waits. T0 raises the capacity to 2 while T1 closes X: Y must end
// offered whichever frees the room first, and nothing may be counted twice.
TEST(InterleaveLiveChange, RaisedCapacityRacingAClose) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    const ItemId y = w->submit("q0");
    const Config raised = with_capacity(w->config, 2.0);
    Trial trial;
    trial.threads.push_back([w, raised] { (void)w->k().reconfigure(raised); });
    trial.threads.push_back([w, x] { (void)w->k().close(x); });
    trial.check = [w, y] {
      std::string v;  // before w->check(), whose timer pass times offers out
      if (w->holder(y) != w->a("a0")) v += "    the waiting item was not offered after the raise and the close\n";
      return w->check() + v;
    };
    return trial;
  };
  run_scenario("raise_capacity_vs_close", make, pct_and_dfs(1500, 3, 2, 6000, 803));
}

// a0 serves q1 only and has room; T0 adds q0 to its queues while T1 submits to q0: the arrival
// searches q0's index before or after a0 is placed there, and either way ends offered to a0.
TEST(InterleaveLiveChange, JoiningAQueueRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0};
    t.queues = 2;
    Config c = tiny_config(t);
    c.agents[0].queues = {"q1"};
    auto w = std::make_shared<World>(c);
    Config joined = c;
    joined.agents[0].queues = {"q0", "q1"};
    Trial trial;
    trial.threads.push_back([w, joined] { (void)w->k().reconfigure(joined); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w] {
      std::string v;  // before w->check(), whose timer pass times offers out
      for (ItemId id : w->thread_items[1])
        if (w->holder(id) != w->a("a0")) v += "    the arrival was not offered to a0, which joined its queue\n";
      return w->check() + v;
    };
    return trial;
  };
  run_scenario("join_queue_vs_arrival", make, pct_and_dfs(1500, 3, 2, 6000, 804));
}

// a0 and a1 serve q0 with room; T0 takes a0 out of q0 while T1 submits to q0: offered to a0
// (before the change) or a1, never left waiting beside a1.
TEST(InterleaveLiveChange, LeavingAQueueRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 2;
    Config c = tiny_config(t);
    auto w = std::make_shared<World>(c);
    Config left = c;
    left.agents[0].queues = {"q1"};
    Trial trial;
    trial.threads.push_back([w, left] { (void)w->k().reconfigure(left); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w] {
      std::string v;
      for (ItemId id : w->thread_items[1])
        if (w->holder(id) == kNoAgent) v += "    the arrival waits while a1 serves q0 with room\n";
      return w->check() + v;
    };
    return trial;
  };
  run_scenario("leave_queue_vs_arrival", make, pct_and_dfs(1500, 3, 2, 6000, 805));
}

}  // namespace
}  // namespace omni::interleave
