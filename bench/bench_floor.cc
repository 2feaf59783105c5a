// The hardware floor: what the atomic operations an assignment is made of cost on this machine,
// so the kernel's figures can be read as "n times the floor". Counters:
//   ns_per_op   wall time per operation, per thread (1 thread: the latency of one operation)
//   ops_per_s   operations per second, all threads together
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "bench_registry.h"
#include "support/pinned_run.h"

namespace omni::bench {

namespace {

struct alignas(64) PaddedCounter {
  std::atomic<uint64_t> value{0};
};

void report(benchmark::State& state, double seconds, uint64_t ops_per_thread, unsigned threads) {
  state.SetIterationTime(seconds);
  state.counters["ns_per_op"] = seconds * 1e9 / static_cast<double>(ops_per_thread);
  state.counters["ops_per_s"] = static_cast<double>(ops_per_thread * threads) / seconds;
}

template <class Body>
void register_floor(const std::string& name, unsigned threads, uint64_t ops, Body body) {
  benchmark::RegisterBenchmark(("floor/" + name + "/threads:" + std::to_string(threads)).c_str(),
                               [=](benchmark::State& state) {
                                 for (auto _ : state) {
                                   report(state, body(threads, ops), ops, threads);
                                 }
                               })
      ->Iterations(1)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
}

double fetch_add_loop(unsigned threads, uint64_t ops) {
  auto counter = std::make_unique<PaddedCounter>();  // one counter: shared when threads = 2
  return pinned_run(threads, [&](unsigned) {
    for (uint64_t i = 0; i < ops; ++i) counter->value.fetch_add(1, std::memory_order_acq_rel);
  });
}

double cas_loop(unsigned threads, uint64_t ops) {
  auto counter = std::make_unique<PaddedCounter>();
  return pinned_run(threads, [&](unsigned) {
    for (uint64_t i = 0; i < ops; ++i) {
      uint64_t v = counter->value.load(std::memory_order_relaxed);
      while (!counter->value.compare_exchange_weak(v, v + 1, std::memory_order_acq_rel,
                                                   std::memory_order_relaxed)) {
      }
    }
  });
}

// Two threads hand one cache line back and forth: thread 0 writes odd values, thread 1 even.
// One op = one round trip (two transfers of the line).
double ping_pong(unsigned, uint64_t ops) {
  auto line = std::make_unique<PaddedCounter>();
  return pinned_run(2, [&](unsigned t) {
    for (uint64_t i = 0; i < ops; ++i) {
      const uint64_t mine = 2 * i + t;
      while (line->value.load(std::memory_order_acquire) != mine) {
      }
      line->value.store(mine + 1, std::memory_order_release);
    }
  });
}

// The least an assignment can be: claim a queued item (one CAS on its state word) and take the
// agent's capacity (one fetch_add). No queue, no strategy, no event. Items are per thread;
// agents are shared, as in the kernel.
double minimal_assignment(unsigned threads, uint64_t ops) {
  constexpr uint32_t kItems = 4096;
  constexpr uint32_t kAgents = 1000;
  auto items = std::make_unique<std::atomic<uint64_t>[]>(kItems * 2);
  auto agents = std::make_unique<std::atomic<int64_t>[]>(kAgents);
  for (uint32_t i = 0; i < kItems * 2; ++i) items[i].store(0);
  for (uint32_t a = 0; a < kAgents; ++a) agents[a].store(0);
  return pinned_run(threads, [&](unsigned t) {
    std::atomic<uint64_t>* mine = items.get() + t * kItems;
    for (uint64_t i = 0; i < ops; ++i) {
      const uint64_t lap = i / kItems;
      uint64_t expected = lap;  // "queued" in this lap
      if (!mine[i % kItems].compare_exchange_strong(expected, lap + 1, std::memory_order_acq_rel)) {
        std::abort();
      }
      agents[(i * 7 + t) % kAgents].fetch_add(1000, std::memory_order_acq_rel);
    }
  });
}

}  // namespace

void register_floor_benchmarks(bool quick) {
  const uint64_t ops = quick ? 5'000'000 : 20'000'000;
  for (unsigned t : {1u, 2u}) {
    register_floor("fetch_add", t, ops, fetch_add_loop);
    register_floor("cas", t, ops, cas_loop);
    register_floor("minimal_assignment", t, ops, minimal_assignment);
  }
  // A round trip costs hundreds of ns, and microseconds when the two threads are not running at
  // once on a shared machine: fewer of them.
  register_floor("ping_pong", 2, ops / 100, ping_pong);
}

}  // namespace omni::bench
