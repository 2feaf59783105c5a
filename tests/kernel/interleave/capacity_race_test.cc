// Scenario (i), issue 8 defect 1: a pause racing transfer_to_agent, with percentage sizes so that
// the item holds a different amount on each agent. Whatever the interleaving, each agent's used
// capacity must equal what its items hold: the loser of the race must leave nothing behind that
// the winner reads (on 1bcf866 the transfer wrote the new size into the item before its CAS, and a
// pause winning in between released the wrong amount).
#include "scenario.h"

namespace omni::interleave {
namespace {

// a0 holds item X (active); a1 comes online with room. T0 transfers X to a1 and a1 accepts;
// T1 pauses X and resumes it.
TrialFactory pause_vs_transfer(double cap0, double cap1) {
  return [=] {
    TinyConfig t;
    t.capacities = {cap0, cap1};
    t.unit = SizeUnit::percent;
    t.size = 50;
    t.queues = 1;
    t.initially = {"Online", "Offline"};
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    (void)w->k().set_status(w->a("a1"), w->st("Online"));
    Trial trial;
    trial.threads.push_back([w, x] {
      if (w->k().transfer_to_agent(x, w->a("a1")) == Status::ok) (void)w->k().accept(x, w->a("a1"));
    });
    trial.threads.push_back([w, x] {
      if (w->k().pause(x, w->paused()) == Status::ok) (void)w->k().resume(x);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
}

TEST(InterleaveCapacity, PauseRacingTransferToAgentSmallerToLarger) {
  // a0: capacity 2, the item holds 1; on a1 (capacity 4) it would hold 2.
  run_scenario("pause_vs_transfer_to_agent 2→4", pause_vs_transfer(2.0, 4.0),
               pct_and_dfs(1500, 3, 2, 4000, 101));
}

TEST(InterleaveCapacity, PauseRacingTransferToAgentLargerToSmaller) {
  // a0: capacity 4, the item holds 2; on a1 (capacity 2) it would hold 1.
  run_scenario("pause_vs_transfer_to_agent 4→2", pause_vs_transfer(4.0, 2.0),
               pct_and_dfs(1500, 3, 2, 4000, 102));
}

// The same race with close instead of pause, into wrap-up: capacity is kept for wrap-up on the
// agent that closed, so the amount must again be the one the item held there.
TEST(InterleaveCapacity, CloseIntoWrapUpRacingTransferToAgent) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {2.0, 4.0};
    t.unit = SizeUnit::percent;
    t.size = 50;
    t.queues = 1;
    t.wrap_up = std::chrono::seconds(10);
    t.initially = {"Online", "Offline"};
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    (void)w->k().set_status(w->a("a1"), w->st("Online"));
    Trial trial;
    trial.threads.push_back([w, x] { (void)w->k().transfer_to_agent(x, w->a("a1")); });
    trial.threads.push_back([w, x] {
      if (w->k().close(x) == Status::ok) (void)w->k().end_wrap_up(x);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("close_vs_transfer_to_agent", make, pct_and_dfs(1000, 3, 2, 3000, 103));
}

}  // namespace
}  // namespace omni::interleave
