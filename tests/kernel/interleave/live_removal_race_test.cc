// Live removals under interleavings (issue 10, item 1). A queue is removed only while nothing
// waits in it or is offered from it: reconfigure checks, then fences the queue with one CAS of its
// occupancy from 0 (kernel.cc, kClosedQueue) before publishing the change. An arrival racing the
// removal must end either refused (the queue is gone) or routed in a queue that stays — never
// queued or offered in a removed one, where nobody would route it. An agent removed while an
// offer races to it keeps that offer and finishes it; it is never offered anything afterwards.
#include "scenario.h"

namespace omni::interleave {
namespace {

Config without_queue(Config c, const std::string& name) {
  std::erase_if(c.queues, [&](const QueueConfig& q) { return q.name == name; });
  for (auto& a : c.agents) std::erase(a.queues, name);
  return c;
}

// a0 serves q0 and q1 and is full; T0 removes q0 while T1 submits to q0.
TEST(InterleaveLiveRemoval, RemovingAQueueRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0};
    t.queues = 2;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId hold = w->submit("q1");  // a0 is full: an arrival in q0 waits there
    (void)w->k().accept(hold, w->a("a0"));
    const Config removed = without_queue(w->config, "q0");
    auto removal = std::make_shared<bool>(false);
    Trial trial;
    trial.threads.push_back([w, removed, removal] { *removal = w->k().reconfigure(removed).has_value(); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w, removal] {
      std::string v;
      const bool gone = w->k().config()->queues[0].removed;
      if (gone != *removal) v += "    reconfigure's answer does not match the configuration in force\n";
      if (gone && !w->thread_items[1].empty())
        v += "    the queue was removed and the arrival was taken into it\n";
      if (!gone && w->thread_items[1].empty()) v += "    the removal was refused and so was the arrival\n";
      return w->check() + v;
    };
    return trial;
  };
  run_scenario("remove_queue_vs_arrival", make, pct_and_dfs(1500, 3, 2, 6000, 811));
}

// a0 and a1 serve q0 with room; T0 removes a0 while T1 submits to q0. The arrival is offered to a0
// (before the removal, which a0 then holds up or keeps) or to a1; once a0 is removed, nothing new
// is ever offered to it.
TEST(InterleaveLiveRemoval, RemovingAnAgentRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    Config removed = w->config;
    std::erase_if(removed.agents, [](const AgentConfig& a) { return a.name == "a0"; });
    const AgentId a0 = w->a("a0");
    Trial trial;
    trial.threads.push_back([w, removed] { (void)w->k().reconfigure(removed); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w, a0] {
      std::string v;
      if (w->thread_items[1].size() != 1) v += "    the arrival was refused\n";
      const std::string base = w->check();  // quiescent invariants first: nothing below repairs them
      if (w->k().config()->agents[0].removed) {
        if (auto late = w->k().submit({w->q("q0"), CustomerId{0}}); late && w->holder(*late) == a0)
          v += "    a removed agent was offered new work\n";
      }
      return base + v;
    };
    return trial;
  };
  run_scenario("remove_agent_vs_arrival", make, pct_and_dfs(1500, 3, 2, 6000, 812));
}

}  // namespace
}  // namespace omni::interleave
