// Webhook timestamps come as Unix seconds in a string (WhatsApp) or as milliseconds in a JSON
// integer (Instagram, web chat). Both become int64 milliseconds, refusing what would overflow.
#pragma once
#include <cstdint>

#include <simdjson.h>

#include "omnikernel/adapters/json_fields.h"

namespace omni::adapters {

// Upper bound for any accepted timestamp: year 9999, far past any real message, far below
// INT64_MAX so that window arithmetic on it never overflows.
inline constexpr int64_t kMaxTimestampMs = 253'402'300'799'999;

// "1700000000" (or the integer 1700000000) seconds -> 1700000000000 ms.
[[nodiscard]] ParseResult<int64_t> unix_seconds_to_ms(simdjson::dom::element value,
                                                      const JsonPath& path);
// 1700000000123 (a non-negative JSON integer) ms.
[[nodiscard]] ParseResult<int64_t> unix_ms(simdjson::dom::element value, const JsonPath& path);

}  // namespace omni::adapters
