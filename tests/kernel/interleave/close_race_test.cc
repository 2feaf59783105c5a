// Scenarios (iv) and (v): an offer's end raced from two sides. Exactly one transition wins; the
// agent's capacity is released once, by the winner, and the item ends in one state.
#include "scenario.h"

namespace omni::interleave {
namespace {

// (iv) X offered to a0, its push time-out due (the clock is past it). T0 closes X; T1 ticks (the
// time-out re-queues X, and a1 — if any — may get it); with `third` a T2 submits another item.
TrialFactory close_vs_timeout(bool two_agents, bool third) {
  return [=] {
    TinyConfig t;
    t.capacities = two_agents ? std::vector<double>{1.0, 1.0} : std::vector<double>{1.0};
    t.queues = 1;
    t.wrap_up = std::chrono::seconds(5);
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    w->clock.advance(std::chrono::seconds(31));
    Trial trial;
    trial.threads.push_back([w, x] {
      if (w->k().close(x) == Status::ok) (void)w->k().end_wrap_up(x);
    });
    trial.threads.push_back([w] { (void)w->k().tick(w->clock.now()); });
    if (third)
      trial.threads.push_back([w] {
        if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 2);
      });
    trial.check = [w] { return w->check(); };
    return trial;
  };
}

TEST(InterleaveClose, CloseRacingPushTimeOut) {
  run_scenario("close_vs_push_timeout", close_vs_timeout(false, false), pct_and_dfs(1000, 3, -1, 20000, 401));
}

TEST(InterleaveClose, CloseRacingPushTimeOutTwoAgentsAndAnArrival) {
  run_scenario("close_vs_push_timeout+submit", close_vs_timeout(true, true), pct_and_dfs(2000, 3, 2, 10000, 402));
}

// (v) X offered to a0. T0: a0 declines X. T1: closes X. With two agents, the decline re-offers X
// to a1 while the close races it.
TrialFactory decline_vs_close(int agents) {
  return [=] {
    TinyConfig t;
    t.capacities.assign(agents, 1.0);
    t.queues = 1;
    auto w = std::make_shared<World>(tiny_config(t));
    const ItemId x = w->submit("q0");
    Trial trial;
    trial.threads.push_back([w, x] { (void)w->k().decline(x, w->a("a0")); });
    trial.threads.push_back([w, x] {
      (void)w->k().close(x);
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*y, 1);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
}

TEST(InterleaveClose, DeclineRacingClose) {
  run_scenario("decline_vs_close", decline_vs_close(1), pct_and_dfs(1000, 3, -1, 20000, 501));
}

TEST(InterleaveClose, DeclineRacingCloseTwoAgents) {
  run_scenario("decline_vs_close 2 agents", decline_vs_close(2), pct_and_dfs(1500, 3, 2, 10000, 502));
}

}  // namespace
}  // namespace omni::interleave
