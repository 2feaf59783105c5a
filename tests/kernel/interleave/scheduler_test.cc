// The scheduler itself, on toy programs whose interleavings can be counted by hand.
#include "scheduler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>

#include "sched_point.h"

namespace omni::interleave {
namespace {

using internal::sched::point;

// Two threads, each: segment, point, segment, point, segment. Three segments per thread, so the
// distinct interleavings of the segments number C(6,3) = 20.
struct Toy {
  std::string order;
  std::vector<std::function<void()>> bodies() {
    auto body = [this](char name) {
      return [this, name] {
        order += name;
        point("toy.a");
        order += name;
        point("toy.b");
        order += name;
      };
    };
    return {body('x'), body('y')};
  }
};

TEST(InterleaveScheduler, DfsVisitsEveryInterleavingOnce) {
  std::set<std::string> seen;
  uint64_t runs = 0;
  auto toy = std::make_shared<Toy>();
  TrialFactory make = [&] {
    toy = std::make_shared<Toy>();
    return Trial{toy->bodies(), [&, t = toy] {
                   ++runs;
                   EXPECT_TRUE(seen.insert(t->order).second) << "interleaving " << t->order << " ran twice";
                   return std::string{};
                 }};
  };
  const Outcome out = explore_dfs("toy", make, {.preemption_bound = -1, .max_schedules = 1000, .prefix = {}});
  EXPECT_FALSE(out.failed) << out.report;
  EXPECT_TRUE(out.exhausted);
  EXPECT_EQ(out.schedules, 20u);
  EXPECT_EQ(seen.size(), 20u);
}

TEST(InterleaveScheduler, PreemptionBoundZeroRunsThreadsWhole) {
  std::set<std::string> seen;
  TrialFactory make = [&] {
    auto toy = std::make_shared<Toy>();
    return Trial{toy->bodies(), [&, toy] {
                   seen.insert(toy->order);
                   return std::string{};
                 }};
  };
  const Outcome out = explore_dfs("toy", make, {.preemption_bound = 0, .max_schedules = 1000, .prefix = {}});
  EXPECT_TRUE(out.exhausted);
  EXPECT_EQ(out.schedules, 2u);
  EXPECT_EQ(seen, (std::set<std::string>{"xxxyyy", "yyyxxx"}));
}

TEST(InterleaveScheduler, OneBoundedPreemption) {
  // Bound 1: the two serial orders, and every order with exactly one switch away from a thread
  // that could have gone on (switches at a thread's end are free).
  std::set<std::string> seen;
  TrialFactory make = [&] {
    auto toy = std::make_shared<Toy>();
    return Trial{toy->bodies(), [&, toy] {
                   seen.insert(toy->order);
                   return std::string{};
                 }};
  };
  const Outcome out = explore_dfs("toy", make, {.preemption_bound = 1, .max_schedules = 1000, .prefix = {}});
  EXPECT_TRUE(out.exhausted);
  EXPECT_EQ(seen.size(), out.schedules);
  EXPECT_TRUE(seen.contains("xyyyxx"));
  EXPECT_TRUE(seen.contains("xxyyyx"));
  EXPECT_FALSE(seen.contains("xyxyxy"));  // needs more preemptions
}

// A lost update that needs one specific preemption: read, point, write.
struct Counter {
  int value = 0;
  std::vector<std::function<void()>> bodies(int threads) {
    std::vector<std::function<void()>> b;
    for (int i = 0; i < threads; ++i)
      b.push_back([this] {
        for (int op = 0; op < 3; ++op) {
          point("counter.read");
          const int v = value;
          point("counter.write");
          value = v + 1;
        }
      });
    return b;
  }
};

TrialFactory counter_trial(int threads) {
  return [threads] {
    auto c = std::make_shared<Counter>();
    return Trial{c->bodies(threads), [c, threads] {
                   return c->value == 3 * threads ? std::string{}
                                                  : "    lost update: " + std::to_string(c->value) + "\n";
                 }};
  };
}

TEST(InterleaveScheduler, PctFindsALostUpdateAndReplaysIt) {
  const Outcome out = explore_pct("counter", counter_trial(2), {.seed = 7, .depth = 2, .schedules = 200});
  ASSERT_TRUE(out.failed) << "PCT with d=2 finds a depth-2 bug within 200 schedules";
  EXPECT_NE(out.report.find("replay: OMNI_INTERLEAVE_REPLAY='pct:seed="), std::string::npos) << out.report;
  // Replaying the printed parameters fails again, identically.
  const size_t at = out.report.find("pct:seed=");
  const std::string spec = out.report.substr(at, out.report.find('\'', at) - at);
  const uint64_t seed = std::stoull(spec.substr(spec.find("seed=") + 5));
  const uint64_t k = std::stoull(spec.substr(spec.find("k=") + 2));
  const Outcome again = explore_pct("counter", counter_trial(2), {.seed = seed, .depth = 2, .k = k, .schedules = 1});
  ASSERT_TRUE(again.failed);
  EXPECT_EQ(again.report.substr(again.report.find("violation")), out.report.substr(out.report.find("violation")));
}

TEST(InterleaveScheduler, DfsFindsALostUpdateWithOnePreemptionAndReplaysIt) {
  const Outcome out = explore_dfs("counter", counter_trial(2), {.preemption_bound = 1, .max_schedules = 20000, .prefix = {}});
  ASSERT_TRUE(out.failed);
  const size_t at = out.report.find("dfs:") + 4;
  const std::string spec = out.report.substr(at, out.report.find('\'', at) - at);
  std::vector<uint32_t> prefix;
  for (size_t i = 0; i < spec.size();) {
    prefix.push_back(static_cast<uint32_t>(std::stoul(spec.substr(i))));
    const size_t dot = spec.find('.', i);
    if (dot == std::string::npos) break;
    i = dot + 1;
  }
  const Outcome again =
      explore_dfs("counter", counter_trial(2), {.preemption_bound = 1, .max_schedules = 1, .prefix = prefix});
  EXPECT_TRUE(again.failed) << "replaying " << spec;
}

TEST(InterleaveScheduler, SameSeedSameSchedule) {
  auto trace_of = [](uint64_t seed) {
    auto toy = std::make_shared<Toy>();
    PctChooser chooser(seed, 3, 8);
    auto bodies = toy->bodies();
    (void)run_threads(bodies, chooser);
    return toy->order;
  };
  for (uint64_t seed = 1; seed < 30; ++seed) EXPECT_EQ(trace_of(seed), trace_of(seed));
  std::set<std::string> distinct;
  for (uint64_t seed = 1; seed < 200; ++seed) distinct.insert(trace_of(seed));
  EXPECT_GT(distinct.size(), 3u) << "different seeds explore different schedules";
}

TEST(InterleaveScheduler, ASpinnerIsForcedToYield) {
  // Thread 0 spins until thread 1 sets a flag. Whoever has the higher priority, the schedule ends:
  // after spin_limit consecutive points the spinner is switched out.
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    bool flag = false;
    std::vector<std::function<void()>> bodies = {
        [&] {
          while (!flag) point("spin");
        },
        [&] {
          point("set");
          flag = true;
        }};
    PctChooser chooser(seed, 2, 4);
    const RunStats stats = run_threads(bodies, chooser, {.max_steps = 100'000, .spin_limit = 50});
    EXPECT_TRUE(flag);
    EXPECT_FALSE(stats.step_bound_hit);
    EXPECT_LT(stats.steps, 200u);
  }
}

TEST(InterleaveScheduler, ThreadsItDidNotStartPassThrough) {
  point("main thread");  // returns at once: no scheduler controls this thread
  SUCCEED();
}

}  // namespace
}  // namespace omni::interleave
