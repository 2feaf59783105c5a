// The simulator's random numbers: xoshiro256** seeded by splitmix64, with the few sampling
// methods it needs written out, so that a seed gives the same run with any standard library
// (std:: distributions are implementation-defined).
#pragma once
#include <cmath>
#include <cstdint>

namespace omni::sim {

class Rng {
 public:
  explicit Rng(uint64_t seed) noexcept {
    for (uint64_t& word : state_) word = splitmix64(seed);
  }

  uint64_t next() noexcept {
    const uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n).
  uint64_t below(uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }
  bool chance(double probability) noexcept { return uniform() < probability; }
  double exponential(double mean) noexcept { return -mean * std::log1p(-uniform()); }
  double standard_normal() noexcept {
    // Box–Muller; 1 - uniform() is in (0, 1] so the log is finite.
    const double r = std::sqrt(-2.0 * std::log(1.0 - uniform()));
    return r * std::cos(6.283185307179586 * uniform());
  }

  // An independent stream for one purpose (arrivals of one queue, one agent's behaviour…), so
  // that adding a queue does not change the numbers another one draws.
  [[nodiscard]] Rng fork(uint64_t stream) const noexcept {
    return Rng(state_[0] ^ (stream * 0x9e3779b97f4a7c15ULL) ^ rotl(state_[2], 13));
  }

 private:
  static uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  static uint64_t splitmix64(uint64_t& x) noexcept {
    uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

  uint64_t state_[4];
};

}  // namespace omni::sim
