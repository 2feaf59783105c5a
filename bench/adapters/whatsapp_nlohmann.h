// A WhatsApp webhook parser written the straightforward way with nlohmann-json, as the baseline
// that justifies simdjson for ingest. Same semantics as WhatsAppParser on valid payloads (same
// messages, kinds, texts, conversation keys); errors are nlohmann's exceptions, without paths.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace omni::bench {

struct OwnedMessage {
  std::string customer, account, conversation, message_id, kind, text;
  int64_t timestamp_ms = 0;
};

// Appends the customer messages of `payload` to `out`; throws on a malformed payload.
void parse_whatsapp_nlohmann(std::string_view payload, std::vector<OwnedMessage>& out);

}  // namespace omni::bench
