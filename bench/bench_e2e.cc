// End-to-end assignment, every router on the same trace: 100 / 1,000 / 10,000 agents ×
// 10 / 100 / 1,000 queues, 1 and 2 threads. Counters (per run, in the JSON output):
//   assign_per_s                       assignments (offers) per second of wall time less the
//                                      run-queue wait (time other processes held the CPU)
//   assign_per_s_wall                  the same over the raw wall time
//   p50_ns p99_ns p999_ns max_ns       latency of every hot-path call (submit, accept, close)
//   submit_p999_ns close_p999_ns       the same per call
//   allocs_per_assign                  heap allocations per assignment, steady state
//   on_submit on_close                 offers made inside submit / inside close (both paths ran)
//   rejected                           submits refused with queue_full (the caller keeps them)
//   broken                             1 when an invariant failed: the label says which
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include "bench_registry.h"
#include "driver/driver.h"
#include "routers/kernel_router.h"
#include "routers/mutex_router.h"
#include "routers/sql_router.h"
#include "support/alloc_counter.h"
#include "support/cycles.h"

namespace omni::bench {

namespace {

std::unique_ptr<Router> make_router(std::string_view kind, const Scenario& s) {
  if (kind == "kernel") return KernelRouter::create(s);
  if (kind == "kernel+mutex") return LockedKernelRouter::create(s);
  if (kind == "mutex") return std::make_unique<MutexRouter>(s);
  if (kind == "sqlite-indexed") return std::make_unique<SqlRouter>(s, SqlRouter::Flavor::indexed);
  if (kind == "sqlite-fs") return std::make_unique<SqlRouter>(s, SqlRouter::Flavor::freeswitch);
  return nullptr;
}

// Scenarios and traces are built once per shape and shared by every router that runs on it.
struct Shape {
  Scenario scenario;
  Trace trace;
};
const Shape& shape(uint32_t agents, uint32_t queues, uint32_t arrivals) {
  static std::map<std::tuple<uint32_t, uint32_t, uint32_t>, std::unique_ptr<Shape>> cache;
  auto& slot = cache[{agents, queues, arrivals}];
  if (!slot) {
    slot = std::make_unique<Shape>();
    slot->scenario = make_scenario(ScenarioSpec{.agents = agents, .queues = queues});
    slot->trace = make_trace(slot->scenario, TraceSpec{.seed = 42, .arrivals = arrivals});
  }
  return *slot;
}

void report(benchmark::State& state, const RunResult& r) {
  const double ns = ns_per_tick();
  auto pct = [&](const LatencyHistogram& h, double q) {
    return static_cast<double>(h.percentile(q)) * ns;
  };
  state.counters["assign_per_s"] = r.adjusted_assignments_per_second();
  state.counters["assign_per_s_wall"] = r.assignments_per_second();
  state.counters["runqueue_wait_s"] = r.runqueue_wait_seconds;
  state.counters["ns_per_assign"] = r.offers ? r.adjusted_seconds() * 1e9 / r.offers : 0;
  state.counters["p50_ns"] = pct(r.all_ops, 0.50);
  state.counters["p99_ns"] = pct(r.all_ops, 0.99);
  state.counters["p999_ns"] = pct(r.all_ops, 0.999);
  state.counters["max_ns"] = static_cast<double>(r.all_ops.max()) * ns;
  state.counters["submit_p50_ns"] = pct(r.submits, 0.50);
  state.counters["submit_p999_ns"] = pct(r.submits, 0.999);
  state.counters["accept_p50_ns"] = pct(r.accepts, 0.50);
  state.counters["close_p50_ns"] = pct(r.closes, 0.50);
  state.counters["drain_p50_ns"] = pct(r.drains, 0.50);
  state.counters["router_ns_per_assign"] = r.router_ns_per_assignment(ns);
  state.counters["close_p999_ns"] = pct(r.closes, 0.999);
  state.counters["submit_p99_ns"] = pct(r.submits, 0.99);
  state.counters["close_p99_ns"] = pct(r.closes, 0.99);
  state.counters["skill_checked"] = static_cast<double>(r.skill_checks);
  state.counters["allocs_per_assign"] = r.steady_allocations_per_assignment();
  state.counters["allocs_total"] = static_cast<double>(r.allocations);
  state.counters["assignments"] = static_cast<double>(r.offers);
  state.counters["on_submit"] = static_cast<double>(r.offers_on_submit);
  state.counters["on_close"] = static_cast<double>(r.offers_on_close);
  state.counters["rejected"] = static_cast<double>(r.rejected);
  state.counters["back_pressure"] = static_cast<double>(r.back_pressure);
  state.counters["broken"] = r.broken ? 1 : 0;
  state.counters["cpu_s"] = r.cpu_seconds;
  state.counters["preempted"] = static_cast<double>(r.involuntary_switches);
  std::string label = std::string(allocator_name());
  if (r.back_pressure) label += " back-pressure×" + std::to_string(r.back_pressure);
  if (r.broken) label += " BROKEN: " + r.why;
  state.SetLabel(label);
}

void register_e2e(const std::string& kind, uint32_t agents, uint32_t queues, uint32_t threads,
                  uint32_t arrivals) {
  // Warm, untimed: a prefix of the trace (the SQL routers, at milliseconds each, a short one).
  const uint32_t warmup = std::min<uint32_t>(arrivals, kind.starts_with("sqlite") ? 1000 : 30'000);
  // 10,000-agent shapes are named "e2e1/…": they run once (bench/run repeats the others).
  const std::string name = std::string(agents >= 10000 ? "e2e1/" : "e2e/") + kind +
                           "/agents:" + std::to_string(agents) + "/queues:" +
                           std::to_string(queues) + "/threads:" + std::to_string(threads) +
                           "/arrivals:" + std::to_string(arrivals);
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    const Shape& sh = shape(agents, queues, arrivals);
    auto router = make_router(kind, sh.scenario);
    if (!router) {
      state.SkipWithError("router could not be built");
      return;
    }
    RunResult r;
    for (auto _ : state) {
      r = run_trace(*router, sh.scenario, sh.trace, threads, warmup);
      state.SetIterationTime(r.seconds);
    }
    report(state, r);
  })
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

// Skills (issue 9): A agents × 10 queues (two per channel), 500 skills, 256 requirement sets of
// 1–4 skills (set i belongs to queue i mod 10), every routing configuration skills_based; every
// arrival carries a set. Three ways through the same arrivals and holds:
//   kernel          the kernel, each item with its prepared RequirementsId
//   kernel-queues   the kernel on the same configuration, items without requirements (the queue
//                   path: queue members, by routing model)
//   mutex           the mutex router given the same skills semantics (routers/mutex_router.h)
// Named "skills/…"; bench/run runs them once each, best of its repetitions.

struct SkillShape {
  Scenario scenario;
  Trace trace;  // with requirements
  Trace plain;  // the same without
};
const SkillShape& skill_shape(uint32_t agents, uint32_t arrivals) {
  static std::map<std::pair<uint32_t, uint32_t>, std::unique_ptr<SkillShape>> cache;
  auto& slot = cache[{agents, arrivals}];
  if (!slot) {
    slot = std::make_unique<SkillShape>();
    slot->scenario = make_scenario(skills_spec(agents));
    slot->trace = make_trace(slot->scenario, TraceSpec{.seed = 42, .arrivals = arrivals});
    slot->plain = strip_requirements(slot->trace);
  }
  return *slot;
}

void register_skills(const std::string& kind, uint32_t agents, uint32_t threads,
                     uint32_t arrivals) {
  const uint32_t warmup = std::min<uint32_t>(arrivals, 30'000);
  const std::string name = "skills/" + kind + "/agents:" + std::to_string(agents) + "/queues:" +
                           std::to_string(skills_spec(agents).queues) + "/threads:" + std::to_string(threads) +
                           "/arrivals:" + std::to_string(arrivals);
  benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& state) {
    const SkillShape& sh = skill_shape(agents, arrivals);
    auto router = make_router(kind == "kernel-queues" ? "kernel" : kind, sh.scenario);
    if (!router) {
      state.SkipWithError("router could not be built");
      return;
    }
    const Trace& trace = kind == "kernel-queues" ? sh.plain : sh.trace;
    RunResult r;
    for (auto _ : state) {
      r = run_trace(*router, sh.scenario, trace, threads, warmup);
      state.SetIterationTime(r.seconds);
    }
    report(state, r);
    const auto& sets = sh.scenario.set_agents;
    size_t fewest = SIZE_MAX, most = 0, sum = 0;
    for (const auto& s : sets) {
      fewest = std::min(fewest, s.size());
      most = std::max(most, s.size());
      sum += s.size();
    }
    state.counters["set_qualified_min"] = static_cast<double>(fewest);
    state.counters["set_qualified_mean"] = sets.empty() ? 0 : static_cast<double>(sum) / sets.size();
    state.counters["set_qualified_max"] = static_cast<double>(most);
  })
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

// At least 100,000 arrivals and two and a half load phases (low, high with its backlog, low
// again while the backlog drains) at every size.
uint32_t arrivals_for(uint32_t agents) {
  const auto phase = static_cast<uint32_t>(2 * agents * kAgentCapacityUnits / mean_item_units());
  return std::max<uint32_t>(100'000, 2 * phase + phase / 2);
}

}  // namespace

void register_e2e_benchmarks(bool quick) {
  const uint32_t agent_counts[] = {100, 1000, 10000};
  const uint32_t queue_counts[] = {10, 100, 1000};
  for (const char* kind : {"kernel", "mutex", "kernel+mutex"}) {
    for (uint32_t a : agent_counts) {
      for (uint32_t q : queue_counts) {
        if (quick && !(a == 1000 && q == 100)) continue;
        for (uint32_t t : {1u, 2u}) register_e2e(kind, a, q, t, arrivals_for(a));
      }
    }
  }
  for (uint32_t a : {1000u, 10000u}) {
    for (const char* kind : {"kernel", "kernel-queues", "mutex"}) {
      for (uint32_t t : {1u, 2u}) {
        if (quick && t == 2) continue;
        register_skills(kind, a, t, arrivals_for(a));
      }
    }
  }
  // The SQL routers cost milliseconds per assignment: shorter traces, which the kernel also runs
  // so that every ratio compares the same trace.
  struct SqlRun {
    const char* kind;
    uint32_t agents, queues, threads, arrivals;
  };
  const SqlRun sql_full[] = {
      {"sqlite-indexed", 100, 10, 1, 20'000},  {"sqlite-indexed", 1000, 100, 1, 12'000},
      {"sqlite-indexed", 1000, 100, 2, 12'000}, {"sqlite-fs", 100, 10, 1, 5'000},
      {"sqlite-fs", 1000, 100, 1, 3'000},
  };
  const SqlRun sql_quick[] = {
      {"sqlite-indexed", 1000, 100, 1, 12'000},
      {"sqlite-fs", 1000, 100, 1, 3'000},
  };
  for (const SqlRun& r : quick ? std::span<const SqlRun>(sql_quick) : std::span<const SqlRun>(sql_full)) {
    register_e2e(r.kind, r.agents, r.queues, r.threads, r.arrivals);
    register_e2e("kernel", r.agents, r.queues, r.threads, r.arrivals);
  }
}

}  // namespace omni::bench
