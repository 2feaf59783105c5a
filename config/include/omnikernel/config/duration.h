// Durations in configuration files: a number of seconds (30, 0.5) or a string with units
// ("30s", "500ms", "2m", "1h30m", "1.5h", "1d"). Never negative.
#pragma once
#include <expected>
#include <string>
#include <string_view>

#include "omnikernel/time.h"

namespace omni::config {

// Returns the reason on failure (the caller adds the field path).
[[nodiscard]] std::expected<Duration, std::string> parse_duration(std::string_view text);
[[nodiscard]] std::expected<Duration, std::string> duration_from_seconds(double seconds);

// Shortest readable form: "0s", "250ms", "30s", "2m30s", "1h", "26h5m".
[[nodiscard]] std::string format_duration(Duration d);

[[nodiscard]] inline double to_seconds(Duration d) noexcept {
  return std::chrono::duration<double>(d).count();
}

}  // namespace omni::config
