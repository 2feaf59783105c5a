// audit() — every invariant of a quiescent kernel, checked from its internal state (white box).
//
// For tests only (the stress test, the interleaving harness): call it while no other thread is
// inside the kernel. It reads, it never repairs: in particular the "no waiting item beside an
// eligible agent with room" check is computed from the agent words and the queues, without
// running any routing, so a lost wake-up is seen and not fixed by the check itself.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "omnikernel/kernel.h"

namespace omni::internal {

struct AuditReport {
  std::vector<std::string> violations;  // empty = every invariant holds
  uint64_t live_items = 0;
  uint64_t queued_items = 0;
  [[nodiscard]] bool ok() const { return violations.empty(); }
  [[nodiscard]] std::string text() const {
    std::string s;
    for (const auto& v : violations) s += v + "\n";
    return s;
  }
};

[[nodiscard]] AuditReport audit(const Kernel& kernel);

}  // namespace omni::internal
