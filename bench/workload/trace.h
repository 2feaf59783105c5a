// Trace — the seeded arrival sequence every router replays.
//
// Arrival i names a queue (channel by the omni-channel mix, then a queue of that channel), a
// customer, and how long the item stays once offered, counted in arrivals ("hold"): the item is
// closed when the run has consumed arrival offered_at + hold. Holds are drawn so that the offered
// load swings between ~80 % and ~125 % of the centre's capacity in phases, so a run exercises
// both "item arrives, an agent is free" (the offer happens inside submit) and "backlog, an agent
// frees" (the offer happens inside close).
//
// Threads share one trace: thread t of T replays arrivals t, t+T, t+2T… so the trace, and hence
// the work, does not depend on the thread count.
#pragma once
#include <cstdint>
#include <vector>

#include "workload/scenario.h"

namespace omni::bench {

struct Arrival {
  uint32_t queue;
  uint32_t hold;  // in arrivals
  uint64_t customer;
  // The item's skill requirements: an index into Scenario::requirement_sets, kNoSet for none.
  // Drawn from a stream of its own, so a skills trace has the same queues, holds and customers
  // as the plain trace of the same seed (strip_requirements gives that plain trace back).
  uint32_t set = kNoSet;
};

struct TraceSpec {
  uint64_t seed = 42;
  uint32_t arrivals = 100'000;
  double low_load = 0.8;
  double high_load = 1.25;
};

struct Trace {
  std::vector<Arrival> arrivals;
  uint32_t phase_length = 0;  // arrivals per load phase
  uint32_t max_hold = 0;
};

// Distinct customers a trace draws from. The kernel tracks each customer ever seen (its
// limits.max_customers), so the scenario sizes that limit from this.
[[nodiscard]] uint32_t customer_pool(const Scenario& scenario) noexcept;

// With a skills scenario, each arrival also names a requirement set of its queue, uniformly.
[[nodiscard]] Trace make_trace(const Scenario& scenario, const TraceSpec& spec);
// The same trace without requirements: the queue path on the same arrivals and holds.
[[nodiscard]] Trace strip_requirements(const Trace& trace);

// splitmix64: tiny, seedable, and the same on every platform (unlike std:: distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept : state_(seed) {}
  uint64_t next() noexcept {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0,1)
  uint32_t below(uint32_t n) noexcept { return static_cast<uint32_t>((next() >> 32) * n >> 32); }

 private:
  uint64_t state_;
};

}  // namespace omni::bench
