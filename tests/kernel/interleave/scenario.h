// Glue between a scenario test and the explorer: run the plan, report each strategy's numbers,
// fail the test with the explorer's report (strategy, replay string, violation, schedule).
#pragma once
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "omnikernel/policy.h"
#include "sched_point.h"
#include "scheduler.h"
#include "world.h"

namespace omni::interleave {

inline void run_scenario(const std::string& name, const TrialFactory& make, const Plan& plan) {
  const auto start = std::chrono::steady_clock::now();
  const auto outcomes = explore(name, make, plan);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const Outcome& o : outcomes) {
    if (o.failed) ADD_FAILURE() << o.report;
    else std::printf("[interleave] %s: %s\n", name.c_str(), o.summary().c_str());
  }
  std::printf("[interleave] %s: %.2f s%s\n", name.c_str(), s,
              audit_available() ? "" : " (kernel has no audit(): public-API checks only)");
}

inline Plan pct_and_dfs(uint64_t pct_schedules, int depth, int preemption_bound, uint64_t dfs_cap,
                        uint64_t seed) {
  Plan p;
  p.pct.seed = seed;
  p.pct.depth = depth;
  p.pct.schedules = pct_schedules;
  p.run_dfs = dfs_cap > 0;
  p.dfs.preemption_bound = preemption_bound;
  p.dfs.max_schedules = dfs_cap;
  return p;
}

// A policy that allows everything but is a scheduling point: a thread inside a policy hook (after
// it loaded the item's word, before its CAS) can be preempted there, whatever the kernel's own
// points are.
class YieldingPolicy final : public PolicyHook {
 public:
  std::string_view name() const noexcept override { return "yield"; }
  PolicyVerdict check(const PolicyRequest&) noexcept override {
    internal::sched::point("policy.check");
    return {};
  }
};

}  // namespace omni::interleave
