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

}  // namespace
}  // namespace omni::interleave
