#include "omnikernel/sim/distribution.h"

#include <algorithm>
#include <cmath>

#include "omnikernel/config/duration.h"

namespace omni::sim {
namespace {

using config::to_seconds;

Duration from_seconds(double s) noexcept {
  return Duration{static_cast<int64_t>(std::llround(std::max(0.0, s) * 1e9))};
}

}  // namespace

Duration Distribution::sample(Rng& rng) const noexcept {
  switch (kind) {
    case Kind::constant:
      return mean;
    case Kind::exponential:
      return from_seconds(rng.exponential(to_seconds(mean)));
    case Kind::uniform:
      return from_seconds(to_seconds(min) + rng.uniform() * (to_seconds(max) - to_seconds(min)));
    case Kind::lognormal: {
      // Parameters of the underlying normal from the requested mean m and deviation s.
      const double m = to_seconds(mean), s = to_seconds(stddev);
      const double sigma2 = std::log1p((s * s) / (m * m));
      const double mu = std::log(m) - sigma2 / 2;
      return from_seconds(std::exp(mu + std::sqrt(sigma2) * rng.standard_normal()));
    }
    case Kind::erlang: {
      const double phase_mean = to_seconds(mean) / k;
      double total = 0;
      for (uint32_t i = 0; i < k; ++i) total += rng.exponential(phase_mean);
      return from_seconds(total);
    }
  }
  return mean;
}

double Distribution::mean_seconds() const noexcept {
  if (kind == Kind::uniform) return (to_seconds(min) + to_seconds(max)) / 2;
  return to_seconds(mean);
}

std::string Distribution::describe() const {
  using config::format_duration;
  switch (kind) {
    case Kind::constant: return format_duration(mean);
    case Kind::exponential: return "exponential(mean " + format_duration(mean) + ")";
    case Kind::uniform: return "uniform(" + format_duration(min) + ", " + format_duration(max) + ")";
    case Kind::lognormal:
      return "lognormal(mean " + format_duration(mean) + ", sd " + format_duration(stddev) + ")";
    case Kind::erlang:
      return "erlang(k " + std::to_string(k) + ", mean " + format_duration(mean) + ")";
  }
  return "?";
}

Distribution read_distribution(const config::Json& value, const std::string& path) {
  using config::fail;
  if (!value.is_object()) return Distribution::constant(config::read_duration(value, path));
  config::JsonObject o(value, path);
  Distribution d;
  d.kind = static_cast<Distribution::Kind>(
      config::read_choice(o.require("type"), o.path_of("type"), "distribution",
                          {"constant", "exponential", "uniform", "lognormal", "erlang"}));
  switch (d.kind) {
    case Distribution::Kind::constant:
      d.mean = config::read_duration(o.require("value"), o.path_of("value"));
      break;
    case Distribution::Kind::exponential:
      d.mean = config::read_duration(o.require("mean"), o.path_of("mean"));
      break;
    case Distribution::Kind::uniform:
      d.min = config::read_duration(o.require("min"), o.path_of("min"));
      d.max = config::read_duration(o.require("max"), o.path_of("max"));
      if (d.max < d.min) fail(o.path_of("max"), "must be >= min");
      break;
    case Distribution::Kind::lognormal:
      d.mean = config::read_duration(o.require("mean"), o.path_of("mean"));
      d.stddev = config::read_duration(o.require("stddev"), o.path_of("stddev"));
      if (d.mean <= Duration::zero()) fail(o.path_of("mean"), "must be > 0");
      break;
    case Distribution::Kind::erlang:
      d.mean = config::read_duration(o.require("mean"), o.path_of("mean"));
      d.k = static_cast<uint32_t>(config::read_integer(o.require("k"), o.path_of("k"), 1, 1000));
      break;
  }
  o.refuse_unknown_keys();
  return d;
}

}  // namespace omni::sim
