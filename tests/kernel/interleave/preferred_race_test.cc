// Preferred agents under interleavings (issue 9, item 4): an item waiting for its preferred agent
// sits in that agent's personal lane, and the agent freeing capacity must find it there (the
// Dekker pair of the agent's word and its `pref_waiting`); a lapse racing the agent must leave the
// item either offered to the agent or waiting for everyone, never stranded.
#include "scenario.h"

namespace omni::interleave {
namespace {

using namespace std::chrono_literals;

SubmitRequest prefer(World& w, std::string_view agent, Duration wait) {
  SubmitRequest r{w.q("q0"), CustomerId{0}};
  r.preferred = w.a(agent);
  r.preferred_wait = wait;
  return r;
}

// a0 busy with W; T0 submits Y preferring a0; T1 closes W; T2 submits a plain item.
TEST(InterleavePreferred, PreferredAgentFreeingRacingItsItemArriving) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    auto wi = w->k().submit(prefer(*w, "a0", 30s));
    if (!wi) std::abort();
    w->track(*wi);
    (void)w->k().accept(*wi, w->a("a0"));
    Trial trial;
    trial.threads.push_back([w] {
      if (auto y = w->k().submit(prefer(*w, "a0", 30s))) w->track(*y, 0);
    });
    trial.threads.push_back([w, wi] { (void)w->k().close(*wi); });
    trial.threads.push_back([w] {
      if (auto z = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*z, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("preferred_freeing_vs_arrival", make, pct_and_dfs(1500, 4, 2, 8000, 601));
}

// Y waits for a0 (busy); its preference lapses (the ticker) while a0 frees and a0 goes offline.
TEST(InterleavePreferred, LapseRacingFreeingAndGoingOffline) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    t.initially = {"", "Busy"};
    auto w = std::make_shared<World>(tiny_config(t));
    auto wi = w->k().submit(prefer(*w, "a0", 30s));
    if (!wi) std::abort();
    w->track(*wi);
    (void)w->k().accept(*wi, w->a("a0"));
    auto y = w->k().submit(prefer(*w, "a0", 10s));
    if (!y) std::abort();
    w->track(*y);
    w->clock.advance(11s);
    Trial trial;
    trial.threads.push_back([w] { (void)w->k().tick(w->clock.now()); });
    trial.threads.push_back([w, wi] { (void)w->k().close(*wi); });
    trial.threads.push_back([w] {
      (void)w->k().set_status(w->a("a1"), w->st("Online"));
      (void)w->k().set_status(w->a("a0"), w->st("Offline"));
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("preferred_lapse_vs_freeing_vs_offline", make, pct_and_dfs(1500, 4, 2, 8000, 602));
}

// Issue 9 (stress test finding): a0's personal lane holds an item that cannot fit (q1's items
// take all of a0's capacity) ahead of one that can; take_preferred rotates the lane to find it,
// with entries out of the lane meanwhile. T0 submits Z (q0) preferring a0 while a0 is full; T1
// and T2 close a0's two items. An agent freeing capacity while the rotation holds Z out of the
// lane must not leave Z waiting for an a0 with room (the rotation re-reads a0's word).
TEST(InterleavePreferred, RotationRacingFreeingWithAnItemThatCannotFit) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {2.0, 1.0};
    t.queues = 2;
    t.initially = {"", "Busy"};
    Config c = tiny_config(t);
    c.routing_configs.push_back({"big", 1, RoutingModel::most_available, std::chrono::seconds(30), SizeUnit::units, 2.0});
    c.queues[1].routing = "big";
    auto w = std::make_shared<World>(c);
    const ItemId x = w->submit("q0"), y = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    (void)w->k().accept(y, w->a("a0"));
    SubmitRequest big{w->q("q1"), CustomerId{0}};
    big.preferred = w->a("a0");
    big.preferred_wait = 30s;
    auto waits = w->k().submit(big);  // needs both units: waits for a0
    if (!waits) std::abort();
    w->track(*waits);
    Trial trial;
    trial.threads.push_back([w] {
      if (auto z = w->k().submit(prefer(*w, "a0", 30s))) w->track(*z, 0);
    });
    trial.threads.push_back([w, x] { (void)w->k().close(x); });
    trial.threads.push_back([w, y] { (void)w->k().close(y); });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("preferred_rotation_vs_freeing", make, pct_and_dfs(1500, 4, 2, 8000, 603));
}

}  // namespace
}  // namespace omni::interleave
