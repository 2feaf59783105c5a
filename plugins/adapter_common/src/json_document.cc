#include "omnikernel/adapters/json_document.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace omni::adapters {

JsonDocument::JsonDocument(size_t max_payload_bytes)
    : max_payload_bytes_(max_payload_bytes), parser_(max_payload_bytes) {}

ParseResult<simdjson::dom::element> JsonDocument::load(std::string_view payload) {
  if (payload.size() > max_payload_bytes_) {
    return fail(ParseError{ParseErrc::too_large, {},
                           "payload of " + std::to_string(payload.size()) +
                               " bytes exceeds the limit of " + std::to_string(max_payload_bytes_)});
  }
  if (buffer_capacity_ > kRetainedPayloadBytes && payload.size() <= kRetainedPayloadBytes) {
    // Back to ordinary payloads after a large one: give the large buffers back.
    buffer_.reset();
    buffer_capacity_ = 0;
    if (parser_.allocate(kRetainedPayloadBytes) != simdjson::SUCCESS) {
      return fail(ParseError{ParseErrc::too_large, {}, "cannot allocate the parser"});
    }
  }
  if (buffer_ == nullptr || payload.size() > buffer_capacity_) {
    // Grow geometrically so a slowly growing stream of payloads reallocates rarely.
    size_t capacity = std::max(payload.size(), std::min(buffer_capacity_ * 2, max_payload_bytes_));
    if (payload.size() <= kRetainedPayloadBytes) capacity = std::min(capacity, kRetainedPayloadBytes);
    capacity = std::max<size_t>(capacity, 4096);
    buffer_ = std::make_unique<char[]>(capacity + simdjson::SIMDJSON_PADDING);
    buffer_capacity_ = capacity;
  }
  if (!payload.empty()) std::memcpy(buffer_.get(), payload.data(), payload.size());
  // simdjson may read the padding; make it deterministic for sanitizers.
  std::memset(buffer_.get() + payload.size(), 0, simdjson::SIMDJSON_PADDING);

  simdjson::dom::element root;
  auto error = parser_.parse(buffer_.get(), payload.size(), /*realloc_if_needed=*/false).get(root);
  if (error != simdjson::SUCCESS) {
    return fail(ParseError{ParseErrc::invalid_json, {},
                           std::string("invalid JSON: ") + simdjson::error_message(error)});
  }
  return root;
}

ParseResult<simdjson::dom::object> open_envelope(JsonDocument& document, std::string_view payload,
                                       std::string_view expected) {
  OMNI_ASSIGN_OR_RETURN(root_element, document.load(payload));
  const JsonPath root = JsonPath::root();
  OMNI_ASSIGN_OR_RETURN(envelope, as_object(root_element, root));
  OMNI_ASSIGN_OR_RETURN(object, require_string(envelope, "object", root));
  if (object != expected) {
    return fail(make_error(ParseErrc::wrong_object, root.field("object"),
                           "expected \"" + std::string(expected) + "\", got \"" +
                               std::string(object) + "\""));
  }
  return envelope;
}

}  // namespace omni::adapters
