// A payload the adapter refuses, with the JSON path of the offending value so that the sender
// (or whoever reads the log) can fix it: "entry[0].changes[1].value.messages[0].from: missing".
// Built only on the error path, so its allocations never touch a valid payload.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace omni::adapters {

enum class ParseErrc : uint8_t {
  invalid_json,    // not JSON (or a number simdjson cannot represent)
  too_large,       // larger than the adapter's payload limit
  wrong_object,    // valid JSON, but not this channel's webhook (e.g. "object" mismatch)
  missing_field,   // a required field is absent
  wrong_type,      // a field has the wrong JSON type
  bad_value,       // right type, unusable value (empty id, negative or overflowing timestamp)
};

[[nodiscard]] std::string_view to_string(ParseErrc code) noexcept;

struct ParseError {
  ParseErrc code = ParseErrc::invalid_json;
  std::string path;    // "entry[0].messaging[2].sender.id"; empty for the whole payload
  std::string detail;  // "missing", "expected string, got number", ...

  [[nodiscard]] std::string message() const {
    return (path.empty() ? std::string("payload") : path) + ": " + detail;
  }
};

// A part of a payload that did not become a message (one message of a batch, or an entry or a
// change none of whose messages can be read), reported instead of refusing the whole payload.
struct Rejection {
  ParseError error;
  std::string_view message_id;  // the refused message's id when it could be read; a view into
                                // the parser's buffer, valid as long as the batch
};

}  // namespace omni::adapters
