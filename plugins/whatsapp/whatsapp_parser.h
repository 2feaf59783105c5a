// WhatsApp Business Cloud API webhook -> normalized customer messages.
//
//   {"object": "whatsapp_business_account",
//    "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": {
//        "metadata": {"phone_number_id": ..., "display_phone_number": ...},
//        "contacts": [...], "messages": [...], "statuses": [...]}}]}]}
//
// Customer = messages[].from_user_id (the business-scoped user id) when present, else
// messages[].from (the wa_id); account = metadata.phone_number_id, conversation =
// "<phone_number_id>:<customer>". Statuses (sent/delivered/read/failed) and changes of other
// fields (template updates, account alerts) are not customer messages and produce nothing;
// `system` messages are notices (MessageEvent::notice). Unknown message types are delivered as
// kind "unknown". A message, change or entry that cannot be read is a rejection (rejections());
// the rest of the payload still parses. Mapping table: docs/CHANNELS.md.
//
// Not thread-safe; keep one parser per thread.
#pragma once
#include <span>
#include <string_view>

#include "omnikernel/adapters/json_document.h"
#include "omnikernel/adapters/message_batch.h"
#include "omnikernel/adapters/normalized_message.h"

namespace omni::adapters {

inline constexpr std::string_view kWhatsAppChannel = "whatsapp";

class WhatsAppParser {
 public:
  explicit WhatsAppParser(size_t max_payload_bytes = kDefaultMaxPayloadBytes)
      : document_(max_payload_bytes) {}

  // The messages of `payload` that parsed, or the error that stops the whole payload (not JSON,
  // too large, not a WhatsApp webhook, no `entry` array); valid until the next parse().
  [[nodiscard]] ParseResult<std::span<const NormalizedMessage>> parse(std::string_view payload);
  // The parts of the last payload that did not parse, in payload order; valid until the next
  // parse().
  [[nodiscard]] std::span<const Rejection> rejections() const noexcept { return batch_.rejections(); }

 private:
  JsonDocument document_;
  MessageBatch batch_;
};

}  // namespace omni::adapters
