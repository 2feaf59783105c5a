#include "workload/trace.h"

#include <algorithm>
#include <cmath>

namespace omni::bench {

uint32_t customer_pool(const Scenario& scenario) noexcept {
  return std::max<uint32_t>(16384, 32 * scenario.agents());
}

Trace make_trace(const Scenario& scenario, const TraceSpec& spec) {
  Trace trace;
  Rng rng(spec.seed);
  const uint32_t queues = scenario.queues();
  const uint32_t channels = static_cast<uint32_t>(kChannelMix.size());

  // Items the centre holds at 100 % load; a hold of `mean_hold` arrivals keeps that many in it.
  const double capacity_items =
      static_cast<double>(scenario.agents()) * kAgentCapacityUnits / mean_item_units();
  const double mean_hold = std::max(1.0, capacity_items);
  trace.phase_length = static_cast<uint32_t>(std::max(64.0, 2 * capacity_items));
  trace.max_hold = static_cast<uint32_t>(8 * mean_hold * spec.high_load) + 1;

  // Customers: a pool of customer_pool(scenario) ids, so customers come back (some while still
  // served in another session), yet rarely hold more than a couple of sessions at once.
  const uint32_t customers = customer_pool(scenario);

  // Requirement sets: set i belongs to queue i mod queues.
  Rng set_rng(spec.seed ^ 0x5e75'5e75ull);
  const auto sets = static_cast<uint32_t>(scenario.requirement_sets.size());

  trace.arrivals.reserve(spec.arrivals);
  for (uint32_t i = 0; i < spec.arrivals; ++i) {
    double pick = rng.uniform();
    uint32_t channel = 0;
    while (channel + 1 < channels && pick >= kChannelMix[channel].share) {
      pick -= kChannelMix[channel].share;
      ++channel;
    }
    // Queues of this channel are channel, channel + 5, …; at least one exists when queues ≥ 5.
    const uint32_t of_channel = queues > channel ? (queues - channel - 1) / channels + 1 : 0;
    const uint32_t queue =
        of_channel == 0 ? rng.below(queues) : channel + channels * rng.below(of_channel);

    const bool high = (i / trace.phase_length) % 2 == 1;
    const double load = high ? spec.high_load : spec.low_load;
    // Exponential hold, capped at 8 means so a rare draw cannot outlive the run's drain.
    const double draw = -std::log(1.0 - rng.uniform()) * mean_hold * load;
    const auto hold = static_cast<uint32_t>(std::min(draw, 8.0 * mean_hold * load)) + 1;
    trace.arrivals.push_back(Arrival{queue, hold, rng.next() % customers + 1});
    if (sets > queue) {
      const uint32_t of_queue = (sets - queue - 1) / queues + 1;
      trace.arrivals.back().set = queue + queues * set_rng.below(of_queue);
    }
  }
  return trace;
}

Trace strip_requirements(const Trace& trace) {
  Trace plain = trace;
  for (Arrival& a : plain.arrivals) a.set = kNoSet;
  return plain;
}

}  // namespace omni::bench
