// omni load's bookkeeping, kept by the client thread only: what became of each message number
// (answered, offered, how often), the latencies the agents measured, and when posting started.
// Shared by the posters (load_poster.h), the agents (load_agent.h) and run_load, which reports it.
#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace omni::service::load {

using SteadyTime = std::chrono::steady_clock;

// What became of each message number, kept by the client thread only.
enum Answer : uint8_t { not_answered = 0, answered_ok, answered_other };

struct Shared {
  SteadyTime::time_point start;
  SteadyTime::time_point stop_posting;  // posting that fell this far behind gives up
  std::string secret;
  uint32_t per_request = 1;
  uint64_t requests = 0, posted = 0, ok = 0, other = 0;
  uint32_t posters_done = 0;
  std::vector<uint8_t> answer;  // per message number: Answer
  std::vector<uint8_t> seen;    // per message number: times offered
  uint64_t ok_and_seen = 0;  // messages answered 200 and offered: the run may end when it reaches ok
  std::vector<double> latencies_us;
  SteadyTime::time_point last_offer, last_answer;
};

int64_t since_start_ns(const Shared& s) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyTime::now() - s.start).count();
}

}  // namespace omni::service::load
