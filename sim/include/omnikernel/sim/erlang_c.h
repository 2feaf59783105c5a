// The Erlang C (M/M/c) formulas the simulator is validated against.
//
// c agents each serving one customer at a time with exponential handle times (mean h), Poisson
// arrivals at rate λ, an infinite queue and no abandonment. Offered load A = λh (erlangs),
// occupancy ρ = A/c < 1.
//   P(wait > 0) = C(c, A) = B / (1 − ρ(1 − B)), B = Erlang B(c, A)  (stable recursion)
//   ASA         = C(c, A) · h / (c − A)
//   P(wait ≤ t) = 1 − C(c, A) · exp(−(c − A) t / h)
#pragma once
#include <cstdint>
#include <expected>
#include <string>

namespace omni::sim {

struct ErlangC {
  double offered_load = 0;   // A, erlangs
  double occupancy = 0;      // ρ
  double probability_of_waiting = 0;
  double asa_seconds = 0;    // mean wait of all customers (those who do not wait count as 0)
  double mean_handle_seconds = 0;
  uint32_t agents = 0;

  [[nodiscard]] double service_level(double threshold_seconds) const noexcept;
};

[[nodiscard]] double erlang_b(uint32_t agents, double offered_load) noexcept;

// Refuses ρ ≥ 1 (no steady state) and non-positive inputs.
[[nodiscard]] std::expected<ErlangC, std::string> erlang_c(uint32_t agents, double arrivals_per_second,
                                                           double mean_handle_seconds);

}  // namespace omni::sim
