// Random durations of a scenario: handle times, patience, think times, break lengths.
// In JSON: a duration ("30s", 30) is a constant, or an object with a "type":
//   {"type": "exponential", "mean": "3m"}
//   {"type": "uniform", "min": "10s", "max": "1m"}
//   {"type": "lognormal", "mean": "5m", "stddev": "3m"}
//   {"type": "erlang", "mean": "3m", "k": 3}
//   {"type": "constant", "value": "30s"}
#pragma once
#include <cstdint>
#include <string>

#include "omnikernel/config/json_fields.h"
#include "omnikernel/sim/random.h"
#include "omnikernel/time.h"

namespace omni::sim {

struct Distribution {
  enum class Kind : uint8_t { constant, exponential, uniform, lognormal, erlang };
  Kind kind = Kind::constant;
  Duration mean{};    // constant: the value; uniform: unused
  Duration min{};     // uniform
  Duration max{};     // uniform
  Duration stddev{};  // lognormal
  uint32_t k = 1;     // erlang phases

  [[nodiscard]] static Distribution constant(Duration d) { return {.kind = Kind::constant, .mean = d}; }
  [[nodiscard]] static Distribution exponential(Duration mean) {
    return {.kind = Kind::exponential, .mean = mean};
  }

  [[nodiscard]] Duration sample(Rng& rng) const noexcept;
  [[nodiscard]] double mean_seconds() const noexcept;
  [[nodiscard]] std::string describe() const;
};

// Throws config::FieldError naming `path`.
[[nodiscard]] Distribution read_distribution(const config::Json& value, const std::string& path);

}  // namespace omni::sim
