#include "omnikernel/config/duration.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace omni::config {
namespace {

struct Unit {
  std::string_view suffix;
  double nanoseconds;
};
// Longest suffixes first so that "ms" is not read as "m" followed by garbage.
constexpr std::array kUnits{
    Unit{"min", 60e9}, Unit{"ms", 1e6}, Unit{"us", 1e3}, Unit{"ns", 1.0},
    Unit{"s", 1e9},    Unit{"m", 60e9}, Unit{"h", 3600e9}, Unit{"d", 86400e9},
};
constexpr double kMaxNanoseconds = 9.2e18;  // below INT64_MAX

std::string invalid(std::string_view text) {
  return "invalid duration \"" + std::string(text) +
         "\" (use seconds as a number, or a string such as \"30s\", \"500ms\", \"2m\", \"1h30m\")";
}

}  // namespace

std::expected<Duration, std::string> duration_from_seconds(double seconds) {
  if (!std::isfinite(seconds)) return std::unexpected("duration must be a finite number of seconds");
  if (seconds < 0) return std::unexpected("duration must be >= 0");
  if (seconds * 1e9 > kMaxNanoseconds) return std::unexpected("duration is too large");
  return Duration{static_cast<int64_t>(std::llround(seconds * 1e9))};
}

std::expected<Duration, std::string> parse_duration(std::string_view text) {
  if (text.empty()) return std::unexpected(invalid(text));
  if (text.front() == '-') return std::unexpected("duration must be >= 0");
  double total = 0;
  std::string_view rest = text;
  while (!rest.empty()) {
    double value = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value,
                                     std::chars_format::fixed);
    if (ec != std::errc{} || value < 0) return std::unexpected(invalid(text));
    rest.remove_prefix(static_cast<size_t>(end - rest.data()));
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (rest.starts_with(u.suffix)) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) return std::unexpected(invalid(text));
    rest.remove_prefix(unit->suffix.size());
    total += value * unit->nanoseconds;
    if (total > kMaxNanoseconds) return std::unexpected("duration is too large");
  }
  return Duration{static_cast<int64_t>(std::llround(total))};
}

std::string format_duration(Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string out;
  if (ns < 0) {
    out = "-";
    ns = -ns;
  }
  if (ns % 1'000'000'000 != 0 && ns < 60'000'000'000) {
    // Sub-second precision matters only for short durations.
    if (ns % 1'000'000 == 0) return out + std::to_string(ns / 1'000'000) + "ms";
    if (ns < 1'000'000) return out + std::to_string(ns) + "ns";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3gs", static_cast<double>(ns) / 1e9);
    return out + buf;
  }
  int64_t s = ns / 1'000'000'000;
  const int64_t h = s / 3600;
  const int64_t m = (s % 3600) / 60;
  s %= 60;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s || out.empty() || out == "-") out += std::to_string(s) + "s";
  return out;
}

}  // namespace omni::config
