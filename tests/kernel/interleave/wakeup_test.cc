// Liveness: at quiescence no item waits while an eligible agent has room — checked from snapshots
// before any call that could route (World::check).
//
// Scenario (iii), issue 8 defect 8: the lost wake-up through a third party. A searcher meets an
// agent the index shows (optimistically) at a better level than its word, and re-places it from
// the word it read; meanwhile the agent frees capacity (and, having published itself, finds nothing
// waiting), and an item arrives while the searcher's stale placement hides the agent. On 1bcf866
// nobody then looks again.
//
// Scenario (vi): submit racing set_status(Online) — the plain Dekker pair.
#include "scenario.h"

namespace omni::interleave {
namespace {

// Three parties on one queue. Setup: W active on one agent (its index entry still shows it as
// free as before the offer: offers do not re-place).
//   T0 (searcher): submits Y; its search meets the agent holding W, finds it busier than the index
//                  says and re-places it from the word it read;
//   T1 (freeing):  closes W, publishes the agent, finds nothing waiting;
//   T2 (arrival):  submits Z.
// Most Available, capacities 1 and 2: W goes to a1 (most room), whose level then changes twice.
TrialFactory third_party(RoutingModel model, std::vector<double> capacities) {
  return [=] {
    TinyConfig t;
    t.capacities = capacities;
    t.queues = 1;
    t.model = model;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId wi = w->submit("q0");
    (void)w->k().accept(wi, w->holder(wi));
    Trial trial;
    trial.threads.push_back([w] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 0);
    });
    trial.threads.push_back([w, wi] { (void)w->k().close(wi); });
    trial.threads.push_back([w] {
      if (auto z = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*z, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
}

TEST(InterleaveWakeUp, ThirdPartySearcherMostAvailable) {
  run_scenario("lost_wakeup_third_party most_available", third_party(RoutingModel::most_available, {1.0, 2.0}),
               pct_and_dfs(2000, 4, 2, 12000, 301));
}

TEST(InterleaveWakeUp, ThirdPartySearcherLeastActive) {
  run_scenario("lost_wakeup_third_party least_active", third_party(RoutingModel::least_active, {2.0, 1.0}),
               pct_and_dfs(2000, 4, 2, 12000, 302));
}

// The arrival is an item coming back: a1 declines Z (so Z is excluded from a1, not from a0) while
// a searcher submits Y and a0 frees capacity. Neither Y nor Z may then wait beside an agent with
// room that is not excluded from it (an exclusion is per item: issue 8, defect 6).
TEST(InterleaveWakeUp, ThirdPartyWithADeclinedArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId wi = w->submit("q0");
    (void)w->k().accept(wi, w->holder(wi));
    const ItemId z = w->submit("q0");
    Trial trial;
    trial.threads.push_back([w] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 0);
    });
    trial.threads.push_back([w, wi] { (void)w->k().close(wi); });
    trial.threads.push_back([w, z] { (void)w->k().decline(z, w->holder(z)); });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("third_party_declined_arrival", make, pct_and_dfs(2000, 4, 2, 12000, 303));
}

// (vi) a0 starts Offline. T0 submits two items; T1 brings a0 Online. Both items must be offered
// (capacity 2) whatever the interleaving.
TEST(InterleaveWakeUp, SubmitRacingSetStatusOnline) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {2.0};
    t.queues = 2;
    t.initially = {"Offline"};
    auto w = std::make_shared<World>(tiny_config(t));
    Trial trial;
    trial.threads.push_back([w] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 0);
      if (auto y = w->k().submit({w->q("q1"), CustomerId{0}})) w->track(*y, 0);
    });
    trial.threads.push_back([w] { (void)w->k().set_status(w->a("a0"), w->st("Online")); });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("submit_vs_set_status_online", make, pct_and_dfs(1000, 3, -1, 20000, 304));
}

// (vi) with two agents coming online and two arrivals on different threads.
TEST(InterleaveWakeUp, TwoArrivalsRacingTwoAgentsComingOnline) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    t.initially = {"Offline", "Offline"};
    auto w = std::make_shared<World>(tiny_config(t));
    Trial trial;
    trial.threads.push_back([w] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 0);
      (void)w->k().set_status(w->a("a1"), w->st("Online"));
    });
    trial.threads.push_back([w] { (void)w->k().set_status(w->a("a0"), w->st("Online")); });
    trial.threads.push_back([w] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("two_arrivals_vs_two_online", make, pct_and_dfs(2000, 3, 2, 10000, 305));
}

}  // namespace
}  // namespace omni::interleave
