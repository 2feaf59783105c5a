// Live changes while routing (issue 10, item 6): the cost a Kernel::reconfigure puts on routing
// threads. Two threads route (submit → offer, accept, close; each submit and close timed alone)
// on 1,000 agents and 100 queues, side by side:
//   live/routing/changes:0   nobody changes anything
//   live/routing/changes:1   a third thread updates one agent's presence configuration (another
//                            capacity) every millisecond, round robin over the agents
// Counters: submit and close p50/p99/p99.9 (ns) of the routing threads; changes made and the
// reconfigure call's own p50/p99 (µs: it validates the whole configuration, swaps it and waits
// for the grace period). Routing threads pin the configuration per call (two RMWs on their own
// reader shard), in both rows alike.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "bench_registry.h"
#include "omnikernel/kernel.h"
#include "support/cycles.h"
#include "support/histogram.h"
#include "support/pin.h"
#include "workload/scenario.h"

namespace omni::bench {
namespace {

constexpr uint32_t kOpsPerThread = 200'000;

Config live_config() {
  Config c = make_scenario(ScenarioSpec{.agents = 1000, .queues = 100}).config;
  PresenceConfigConfig bigger = c.presence_configs[0];
  bigger.name = "agent-plus-one";
  bigger.capacity += 1.0;
  c.presence_configs.push_back(bigger);
  return c;
}

struct RoutingStats {
  LatencyHistogram submit, close;
};

void route(Kernel& k, int thread, RoutingStats& out) {
  (void)pin_this_thread(thread);
  const double ns = ns_per_tick();
  const uint32_t queues = k.queue_count();
  Event events[256];
  for (uint32_t i = 0; i < kOpsPerThread; ++i) {
    const QueueId q{(i * 7 + static_cast<uint32_t>(thread) * 13) % queues};
    const uint64_t t0 = ticks();
    auto id = k.submit({q, CustomerId{1 + static_cast<uint64_t>(thread) * kOpsPerThread + i}});
    const uint64_t t1 = ticks();
    out.submit.record(static_cast<uint64_t>(static_cast<double>(t1 - t0) * ns));
    if (id) {
      if (auto s = k.item(*id); s && s->state == ItemState::offered) (void)k.accept(*id, s->agent);
      const uint64_t t2 = ticks();
      (void)k.close(*id);
      const uint64_t t3 = ticks();
      out.close.record(static_cast<uint64_t>(static_cast<double>(t3 - t2) * ns));
      (void)k.end_wrap_up(*id);
      if (auto s = k.item(*id); s && s->state == ItemState::queued) (void)k.abandon(*id);
    }
    if (i % 64 == 0)
      while (k.poll_events(events) == std::size(events)) {}
  }
  while (k.poll_events(events)) {}
}

void live_routing(benchmark::State& state) {
  const bool changes = state.range(0) != 0;
  const Config base = live_config();
  SteadyClock clock;
  RoutingStats total;
  LatencyHistogram reconfigure_us;
  uint64_t changes_made = 0;
  for (auto _ : state) {
    auto made = Kernel::create(base, clock);
    if (!made) {
      state.SkipWithError(made.error().message().c_str());
      return;
    }
    Kernel& k = **made;
    std::atomic<int> routing{2};
    RoutingStats stats[2];
    const auto start = std::chrono::steady_clock::now();
    std::thread changer;
    if (changes) {
      changer = std::thread([&] {
        Config next = base;
        for (uint32_t n = 0; routing.load() > 0; ++n) {
          const size_t a = n % next.agents.size();
          next.agents[a].presence_config = next.agents[a].presence_config == "agent-plus-one" ? "agent" : "agent-plus-one";
          const auto t0 = std::chrono::steady_clock::now();
          if (!k.reconfigure(next)) std::abort();
          reconfigure_us.record(static_cast<uint64_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count()));
          ++changes_made;
          std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
      });
    }
    std::thread t0([&] { route(k, 0, stats[0]); --routing; });
    std::thread t1([&] { route(k, 1, stats[1]); --routing; });
    t0.join();
    t1.join();
    if (changer.joinable()) changer.join();
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    for (const auto& s : stats) {
      total.submit.merge(s.submit);
      total.close.merge(s.close);
    }
  }
  state.counters["submit_p50_ns"] = static_cast<double>(total.submit.percentile(0.50));
  state.counters["submit_p99_ns"] = static_cast<double>(total.submit.percentile(0.99));
  state.counters["submit_p999_ns"] = static_cast<double>(total.submit.percentile(0.999));
  state.counters["close_p50_ns"] = static_cast<double>(total.close.percentile(0.50));
  state.counters["close_p99_ns"] = static_cast<double>(total.close.percentile(0.99));
  state.counters["close_p999_ns"] = static_cast<double>(total.close.percentile(0.999));
  state.counters["changes"] = static_cast<double>(changes_made);
  state.counters["reconfigure_p50_us"] = static_cast<double>(reconfigure_us.percentile(0.50));
  state.counters["reconfigure_p99_us"] = static_cast<double>(reconfigure_us.percentile(0.99));
}

}  // namespace

void register_live_change_benchmarks(bool quick) {
  (void)quick;  // one size: two threads of 200,000 operations each take about a second
  benchmark::RegisterBenchmark("live/routing", live_routing)
      ->ArgName("changes")
      ->Arg(0)
      ->Arg(1)
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMillisecond);
}

}  // namespace omni::bench
