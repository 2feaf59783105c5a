#include "omnikernel/sim/erlang_c.h"

#include <cmath>

namespace omni::sim {

double erlang_b(uint32_t agents, double offered_load) noexcept {
  // B(0) = 1; B(k) = A·B(k−1) / (k + A·B(k−1)): no factorials, no overflow.
  double b = 1.0;
  for (uint32_t k = 1; k <= agents; ++k) b = offered_load * b / (k + offered_load * b);
  return b;
}

std::expected<ErlangC, std::string> erlang_c(uint32_t agents, double arrivals_per_second,
                                             double mean_handle_seconds) {
  if (agents == 0) return std::unexpected("needs at least one agent");
  if (!(arrivals_per_second > 0) || !(mean_handle_seconds > 0)) {
    return std::unexpected("arrival rate and handle time must be > 0");
  }
  ErlangC r;
  r.agents = agents;
  r.mean_handle_seconds = mean_handle_seconds;
  r.offered_load = arrivals_per_second * mean_handle_seconds;
  r.occupancy = r.offered_load / agents;
  if (r.occupancy >= 1) return std::unexpected("occupancy >= 100%: the queue grows without bound");
  const double b = erlang_b(agents, r.offered_load);
  r.probability_of_waiting = b / (1 - r.occupancy * (1 - b));
  r.asa_seconds = r.probability_of_waiting * mean_handle_seconds / (agents - r.offered_load);
  return r;
}

double ErlangC::service_level(double threshold_seconds) const noexcept {
  return 1 - probability_of_waiting *
                 std::exp(-(agents - offered_load) * threshold_seconds / mean_handle_seconds);
}

}  // namespace omni::sim
