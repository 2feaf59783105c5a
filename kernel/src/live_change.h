// Which configuration changes a running kernel takes live (Kernel::reconfigure), checked before
// anything is published: the next configuration, already validated on its own, against the one
// in force. Control plane only.
#pragma once
#include <optional>
#include <span>

#include "omnikernel/error.h"
#include "resolved_config.h"

namespace omni::internal {

// What the running kernel's preallocated structures were sized for, which a live change must fit.
struct LiveBounds {
  std::span<const uint32_t> lane_room;  // by queue: the most its lanes can ever hold
  uint32_t max_agents = 0;              // agents the kernel can ever hold
  uint32_t max_queues = 0;              // queues the kernel can ever hold
};

// Empty when `next` may replace `now` while routing goes on; otherwise the first field that may
// not change live, and why.
[[nodiscard]] std::optional<ConfigError> check_live_change(const ResolvedConfig& now,
                                                           const ResolvedConfig& next,
                                                           const LiveBounds& bounds);

}  // namespace omni::internal
