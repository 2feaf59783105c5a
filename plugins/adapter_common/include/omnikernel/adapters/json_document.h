// Owns what parsing a payload needs and keeps it between payloads: a padded copy of the input
// (simdjson reads up to SIMDJSON_PADDING bytes past the end) and the DOM parser with its tape.
// After warm-up, loading a payload no larger than the previous ones allocates nothing (unless it
// follows one larger than kRetainedPayloadBytes: then the extra memory is given back once).
//
// Not thread-safe: one per thread (a parse touches every buffer).
#pragma once
#include <cstddef>
#include <memory>
#include <string_view>

#include <simdjson.h>

#include "omnikernel/adapters/json_fields.h"

namespace omni::adapters {

// Real webhooks are a few KiB; Meta batches stay far below this. Larger input is refused
// before it is copied, so a hostile sender cannot make a parser hold gigabytes.
inline constexpr size_t kDefaultMaxPayloadBytes = size_t{4} << 20;

// Capacity kept after a payload larger than this was parsed: the next ordinary payload gives the
// rest back. simdjson's DOM needs ~10 bytes of tape and index per input byte, so a burst of
// large payloads would otherwise pin tens of MiB in each of an adapter's pooled parsers.
inline constexpr size_t kRetainedPayloadBytes = size_t{256} << 10;

class JsonDocument {
 public:
  explicit JsonDocument(size_t max_payload_bytes = kDefaultMaxPayloadBytes);

  // Parses `payload`; the element (and every string view read from it) lives until the next load.
  [[nodiscard]] ParseResult<simdjson::dom::element> load(std::string_view payload);

  // Bytes of input the copy buffer holds without growing (0 before the first load).
  [[nodiscard]] size_t capacity() const noexcept { return buffer_capacity_; }

 private:
  size_t max_payload_bytes_;
  std::unique_ptr<char[]> buffer_;
  size_t buffer_capacity_ = 0;  // bytes usable before the padding
  simdjson::dom::parser parser_;
};

// Loads `payload` into `document` and returns its top-level object, once its "object" field (where
// every webhook we take names its kind) is `expected`.
[[nodiscard]] ParseResult<simdjson::dom::object> open_envelope(JsonDocument& document,
                                                               std::string_view payload,
                                                               std::string_view expected);

}  // namespace omni::adapters
