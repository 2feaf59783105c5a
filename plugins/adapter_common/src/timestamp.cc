#include "omnikernel/adapters/timestamp.h"

#include <charconv>
#include <string>

namespace omni::adapters {

namespace dom = simdjson::dom;

namespace {
constexpr int64_t kMaxTimestampSeconds = kMaxTimestampMs / 1000;

ParseResult<int64_t> checked_range(int64_t value, int64_t max, const JsonPath& path) {
  if (value < 0 || value > max) {
    return fail(make_error(ParseErrc::bad_value, path,
                           "timestamp out of range (0.." + std::to_string(max) + ")"));
  }
  return value;
}

// Any JSON integer that fits int64; doubles and big unsigned values are refused.
ParseResult<int64_t> json_integer(dom::element value, const JsonPath& path) {
  int64_t number = 0;
  if (value.get(number) == simdjson::SUCCESS) return number;
  if (value.is_number()) {
    return fail(make_error(ParseErrc::bad_value, path, "timestamp must be an integer"));
  }
  return fail(make_error(ParseErrc::wrong_type, path,
                         std::string("expected integer, got ") +
                             std::string(type_name(value.type()))));
}
}  // namespace

ParseResult<int64_t> unix_seconds_to_ms(dom::element value, const JsonPath& path) {
  int64_t seconds = 0;
  std::string_view digits;
  if (value.get(digits) == simdjson::SUCCESS) {
    const char* end = digits.data() + digits.size();
    auto [stop, ec] = std::from_chars(digits.data(), end, seconds);
    if (digits.empty() || digits.front() == '-' || ec != std::errc{} || stop != end) {
      return fail(make_error(ParseErrc::bad_value, path,
                             "expected Unix seconds as decimal digits"));
    }
  } else {
    OMNI_ASSIGN_OR_RETURN(number, json_integer(value, path));
    seconds = number;
  }
  OMNI_ASSIGN_OR_RETURN(checked, checked_range(seconds, kMaxTimestampSeconds, path));
  return checked * 1000;
}

ParseResult<int64_t> unix_ms(dom::element value, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(number, json_integer(value, path));
  return checked_range(number, kMaxTimestampMs, path);
}

}  // namespace omni::adapters
