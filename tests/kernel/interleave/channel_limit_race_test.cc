// Per-channel limits under interleavings (issue 9, item 6): the channel counter lives in the
// agent's routing word, so "room AND under the limit" is taken in the reserve CAS itself. Two
// arrivals racing for the last place under a limit must leave exactly one offered, and a freed
// place (pause, close) racing an arrival must end with the arrival offered — the check after each
// schedule counts every agent's items per channel and flags an item waiting while an agent is
// under its limit with room.
#include "scenario.h"

namespace omni::interleave {
namespace {

Config limited(TinyConfig t, int chat_limit, ResumeRule rule = ResumeRule::allow_over_capacity) {
  Config c = tiny_config(t);
  for (auto& p : c.presence_configs) {
    p.channel_limits = {{"chat", chat_limit}};
    p.resume_rule = rule;
  }
  return c;
}

// a0 has room for 4 units but may hold 1 chat: T0 and T1 each submit one.
TEST(InterleaveChannelLimit, TwoArrivalsRaceForTheLastPlace) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {4.0};
    t.queues = 2;
    auto w = std::make_shared<World>(limited(t, 1));
    Trial trial;
    for (int i = 0; i < 2; ++i)
      trial.threads.push_back([w, i] {
        if (auto id = w->k().submit({w->q(i == 0 ? "q0" : "q1"), CustomerId{0}})) w->track(*id, i);
      });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("two_arrivals_one_place", make, pct_and_dfs(1000, 3, 2, 4000, 701));
}

// a0 holds X (active) at its limit of 1 chat; T0 pauses X then resumes it (refused at the limit
// if Y took the place); T1 submits Y. Whatever the order, Y is offered once X is paused, and the
// counter equals the items holding a place.
TEST(InterleaveChannelLimit, PauseFreesThePlaceRacingAnArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {4.0};
    t.queues = 1;
    auto w = std::make_shared<World>(limited(t, 1, ResumeRule::refuse));
    const ItemId x = w->submit("q0");
    (void)w->k().accept(x, w->a("a0"));
    Trial trial;
    trial.threads.push_back([w, x] {
      if (w->k().pause(x, w->paused()) == Status::ok) (void)w->k().resume(x);
    });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 1);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("pause_vs_arrival_at_limit", make, pct_and_dfs(1000, 3, 2, 4000, 702));
}

// Two agents at their limit; T0 closes a0's item into wrap-up and ends it, T1 transfers a1's item
// to a0, T2 submits a new one. Transfers and arrivals compete for a0's one place.
TEST(InterleaveChannelLimit, WrapUpEndRacingTransferAndArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {4.0, 4.0};
    t.queues = 1;
    t.wrap_up = std::chrono::seconds(10);
    auto w = std::make_shared<World>(limited(t, 1));
    const ItemId x = w->submit("q0");
    const ItemId y = w->submit("q0");
    (void)w->k().accept(x, w->holder(x));
    (void)w->k().accept(y, w->holder(y));
    const ItemId on_a0 = w->holder(x) == w->a("a0") ? x : y;
    const ItemId on_a1 = on_a0 == x ? y : x;
    Trial trial;
    trial.threads.push_back([w, on_a0] {
      if (w->k().close(on_a0) == Status::ok) (void)w->k().end_wrap_up(on_a0);
    });
    trial.threads.push_back([w, on_a1] { (void)w->k().transfer_to_agent(on_a1, w->a("a0")); });
    trial.threads.push_back([w] {
      if (auto id = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*id, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("wrap_up_end_vs_transfer_vs_arrival", make, pct_and_dfs(1500, 4, 2, 6000, 703));
}

}  // namespace
}  // namespace omni::interleave
