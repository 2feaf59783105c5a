// End-to-end driver — replays one Trace through one Router on 1..N pinned threads, the same way
// for every router, and referees the run with the InvariantChecker.
//
// Each thread, for each of its arrivals: submit (timed); drain the offers any call has made and
// accept each (timed), scheduling its close `hold` arrivals later; close the items that are due
// (timed). Offers made inside submit are counted as "arrive, agent free", the others as
// "backlog, agent frees". After the timed phase the driver closes everything that is left,
// untimed, and runs the quiescence check.
//
// Allocations are counted per thread over the second half of each thread's arrivals (steady
// state, after every container had a chance to grow) and over the whole run.
#pragma once
#include <cstdint>
#include <string>

#include "routers/router.h"
#include "support/histogram.h"
#include "workload/scenario.h"
#include "workload/trace.h"

namespace omni::bench {

struct RunResult {
  std::string router;
  uint32_t threads = 1;
  uint64_t arrivals = 0;
  uint64_t submitted = 0;
  uint64_t rejected = 0;     // queue / item pool / customer sessions full: the caller keeps it
  uint64_t back_pressure = 0;  // Router::back_pressure() during the pass (events_full, retried)
  uint64_t offers = 0;       // assignments during the timed phase
  uint64_t offers_on_submit = 0;
  uint64_t offers_on_close = 0;
  double seconds = 0;        // timed phase, wall clock
  LatencyHistogram all_ops;  // every submit, accept and close
  LatencyHistogram submits;
  LatencyHistogram accepts;
  LatencyHistogram closes;
  LatencyHistogram drains;     // each drain_offers call (the host's event polling)
  uint64_t router_ticks = 0;   // inside router calls (submit, accept, close, drain), all threads
  uint64_t allocations = 0;
  uint64_t steady_allocations = 0;
  uint64_t steady_offers = 0;
  double cpu_seconds = 0;            // CPU time of the driver threads: < threads × seconds when
                                     // the threads slept (futex) or were preempted
  uint64_t involuntary_switches = 0; // preemptions by other work on the machine: a noise gauge
  // Time the driver threads sat runnable on the run queue while other processes had the CPU
  // (/proc/thread-self/schedstat), the least over the threads: wall time that measures the
  // machine's other load, not the router.
  double runqueue_wait_seconds = 0;

  [[nodiscard]] double adjusted_seconds() const noexcept {
    const double s = seconds - runqueue_wait_seconds;
    return s > seconds * 0.05 ? s : seconds * 0.05;
  }
  // Assignments per second of wall time less the run-queue wait: what the run would show on a
  // machine of its own. Equal to assignments_per_second() on an idle machine.
  [[nodiscard]] double adjusted_assignments_per_second() const noexcept {
    return seconds > 0 ? static_cast<double>(offers) / adjusted_seconds() : 0;
  }
  uint64_t skill_checks = 0;  // offers of items with requirements checked for qualification
  bool broken = false;
  std::string why;  // the violated invariants when broken

  [[nodiscard]] double assignments_per_second() const noexcept {
    return seconds > 0 ? static_cast<double>(offers) / seconds : 0;
  }
  // Time inside the router per assignment, without the driver's own bookkeeping.
  [[nodiscard]] double router_ns_per_assignment(double ns_per_tick) const noexcept {
    return offers ? static_cast<double>(router_ticks) * ns_per_tick / offers : 0;
  }
  [[nodiscard]] double steady_allocations_per_assignment() const noexcept {
    return steady_offers ? static_cast<double>(steady_allocations) / steady_offers : 0;
  }
};

// `warmup` arrivals of the trace are first replayed untimed and drained to quiescence (checked
// too), so the timed pass starts with the router's memory touched and its containers grown — the
// state a long-running host is in. 0 = start cold.
[[nodiscard]] RunResult run_trace(Router& router, const Scenario& scenario, const Trace& trace,
                                  uint32_t threads, uint32_t warmup = 0);

}  // namespace omni::bench
