// Skills classes under interleavings (issue 9): an item of a requirement class waits in the
// class's own lanes, and a qualified agent freeing capacity must find it there (the Dekker pair
// runs per lane set), while an unqualified agent with room must never get it.
#include "scenario.h"

namespace omni::interleave {
namespace {

using namespace std::chrono_literals;

Config skilled(const TinyConfig& t) {
  Config c = tiny_config(t);
  c.skills = {"Spanish", "French"};
  c.agents[0].skills = {{"Spanish", 6}, {"French", 2}};  // a0 qualifies for Spanish ≥ 5
  return c;                                              // a1 has no skills
}

// a0 (Spanish) busy with W; T0 submits a Spanish item Y; T1 closes W; T2 submits a plain item.
// At quiescence Y must be with a0, never with a1.
TEST(InterleaveSkills, QualifiedAgentFreeingRacingAClassArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(skilled(t));
    const RequirementsId spanish = w->prepare("q0", {{*w->k().find_skill("Spanish"), 5}});
    auto wi = w->k().submit({w->q("q0"), CustomerId{0}, false, spanish});
    if (!wi) std::abort();
    w->track(*wi);
    (void)w->k().accept(*wi, w->holder(*wi));
    Trial trial;
    trial.threads.push_back([w, spanish] {
      if (auto y = w->k().submit({w->q("q0"), CustomerId{0}, false, spanish})) w->track(*y, 0);
    });
    trial.threads.push_back([w, wi] { (void)w->k().close(*wi); });
    trial.threads.push_back([w] {
      if (auto z = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*z, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("class_freeing_vs_arrival", make, pct_and_dfs(1500, 4, 2, 8000, 501));
}

// An optional skill drops (the ticker) while the only agent qualified for the broader class
// frees capacity and another item arrives: the dropped item must not be stranded in either class.
TEST(InterleaveSkills, SkillDropRacingFreeingAndArrival) {
  TrialFactory make = [] {
    TinyConfig t;
    t.capacities = {1.0, 1.0};
    t.queues = 1;
    auto w = std::make_shared<World>(skilled(t));
    const SkillId spanish = *w->k().find_skill("Spanish"), french = *w->k().find_skill("French");
    // Spanish 5 required, French 5 wanted for 10 s (nobody has French 5).
    const RequirementsId reqs = w->prepare("q0", {{spanish, 5}, {french, 5, 10s}});
    const RequirementsId plain = w->prepare("q0", {{spanish, 5}});
    auto busy = w->k().submit({w->q("q0"), CustomerId{0}, false, plain});  // a0 busy
    if (!busy) std::abort();
    w->track(*busy);
    (void)w->k().accept(*busy, w->holder(*busy));
    auto y = w->k().submit({w->q("q0"), CustomerId{0}, false, reqs});  // waits in the narrow class
    if (!y) std::abort();
    w->track(*y);
    w->clock.advance(11s);
    Trial trial;
    trial.threads.push_back([w] { (void)w->k().tick(w->clock.now()); });  // the drop
    trial.threads.push_back([w, busy] { (void)w->k().close(*busy); });
    trial.threads.push_back([w] {
      if (auto z = w->k().submit({w->q("q0"), CustomerId{0}})) w->track(*z, 2);
    });
    trial.check = [w] { return w->check(); };
    return trial;
  };
  run_scenario("skill_drop_vs_freeing", make, pct_and_dfs(1500, 4, 2, 8000, 502));
}

}  // namespace
}  // namespace omni::interleave
