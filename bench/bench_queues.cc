// Queue candidates side by side (STYLE.md "Measure before choosing"): Boost.Lockfree queue and
// spsc_queue, Debian's atomic_queue, moodycamel ConcurrentQueue, and the kernel's own MpmcRing.
//   hop    one producer (CPU 0) → one consumer (CPU 1): msgs_per_s and ns per message
//   pairs  two threads, each pushes then pops (the kernel's use: any thread queues and routes);
//          not for spsc_queue, which allows one producer and one consumer only
//   solo   one thread, push + pop: the uncontended cost of a pair
// All bounded queues hold 65,536 entries; moodycamel grows in blocks (its allocations happen
// while it warms up).
#include <atomic_queue/atomic_queue.h>
#include <benchmark/benchmark.h>
#include <concurrentqueue/concurrentqueue.h>

#include <boost/lockfree/queue.hpp>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "bench_registry.h"
#include "mpmc_ring.h"
#include "support/pinned_run.h"

namespace omni::bench {

namespace {

constexpr std::size_t kCapacity = 65536;

// Uniform try_push / try_pop over every candidate. Values are never 0 (atomic_queue's "empty").
struct BoostQueue {
  // Its node freelist is indexed by 16 bits: 65,535 nodes at most,
  boost::lockfree::queue<uint64_t, boost::lockfree::fixed_sized<true>> q{kCapacity - 2};  // plus its dummy node
  bool push(uint64_t v) { return q.bounded_push(v); }
  bool pop(uint64_t& v) { return q.pop(v); }
};
struct BoostSpsc {
  boost::lockfree::spsc_queue<uint64_t, boost::lockfree::capacity<kCapacity>> q;
  bool push(uint64_t v) { return q.push(v); }
  bool pop(uint64_t& v) { return q.pop(v); }
};
struct AtomicQueue {
  atomic_queue::AtomicQueue<uint64_t, kCapacity> q;
  bool push(uint64_t v) { return q.try_push(v); }
  bool pop(uint64_t& v) { return q.try_pop(v); }
};
struct Moodycamel {
  moodycamel::ConcurrentQueue<uint64_t> q{kCapacity};
  bool push(uint64_t v) { return q.enqueue(v); }
  bool pop(uint64_t& v) { return q.try_dequeue(v); }
};
struct KernelRing {
  omni::internal::MpmcRing<uint64_t> q{kCapacity};
  bool push(uint64_t v) { return q.try_push(v); }
  bool pop(uint64_t& v) { return q.try_pop(v); }
};

template <class Q>
double hop(uint64_t messages) {
  auto queue = std::make_unique<Q>();
  uint64_t sum = 0;
  const double s = pinned_run(2, [&](unsigned t) {
    if (t == 0) {
      for (uint64_t i = 1; i <= messages; ++i) {
        while (!queue->push(i)) {
        }
      }
    } else {
      uint64_t v = 0;
      for (uint64_t got = 0; got < messages;) {
        if (queue->pop(v)) {
          sum += v;
          ++got;
        }
      }
    }
  });
  if (sum != messages * (messages + 1) / 2) std::abort();  // a lost or doubled message
  return s;
}

template <class Q>
double pairs(uint64_t per_thread) {
  auto queue = std::make_unique<Q>();
  return pinned_run(2, [&](unsigned t) {
    uint64_t v = 0;
    for (uint64_t i = 1; i <= per_thread; ++i) {
      while (!queue->push(i * 2 + t)) {
      }
      while (!queue->pop(v)) {
      }
    }
  });
}

template <class Q>
double solo(uint64_t pairs_count) {
  auto queue = std::make_unique<Q>();
  return pinned_run(1, [&](unsigned) {
    uint64_t v = 0;
    for (uint64_t i = 1; i <= pairs_count; ++i) {
      (void)queue->push(i);
      (void)queue->pop(v);
    }
  });
}

template <class Q>
void register_queue(const std::string& name, uint64_t messages, bool multi_producer) {
  const auto reg = [&](const std::string& kind, auto fn, double per_run_msgs) {
    benchmark::RegisterBenchmark(("queue/" + kind + "/" + name).c_str(),
                                 [=](benchmark::State& state) {
                                   for (auto _ : state) {
                                     const double s = fn(messages);
                                     state.SetIterationTime(s);
                                     state.counters["msgs_per_s"] = per_run_msgs / s;
                                     state.counters["ns_per_msg"] = s * 1e9 / per_run_msgs;
                                   }
                                 })
        ->Iterations(1)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  };
  reg("hop", hop<Q>, static_cast<double>(messages));
  if (multi_producer) reg("pairs", pairs<Q>, 2.0 * static_cast<double>(messages));
  reg("solo", solo<Q>, static_cast<double>(messages));
}

}  // namespace

void register_queue_benchmarks(bool quick) {
  const uint64_t messages = quick ? 2'000'000 : 10'000'000;
  register_queue<BoostQueue>("boost_lockfree_queue", messages, true);
  register_queue<BoostSpsc>("boost_spsc_queue", messages, false);
  register_queue<AtomicQueue>("atomic_queue", messages, true);
  register_queue<Moodycamel>("moodycamel", messages, true);
  register_queue<KernelRing>("kernel_mpmc_ring", messages, true);
}

}  // namespace omni::bench
