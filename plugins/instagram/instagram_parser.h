// Instagram messaging webhook -> normalized customer messages.
//
//   {"object": "instagram",
//    "entry": [{"id": IG_ACCOUNT_ID, "time": ..., "messaging": [{
//        "sender": {"id": IGSID}, "recipient": {"id": IG_ACCOUNT_ID}, "timestamp": ms,
//        "message": {"mid", "text", "attachments": [{"type", "payload"}], "is_echo", ...}
//        | "postback": {"mid", "title", "payload"}
//        | "reaction": {"mid", "action", "reaction", "emoji"}
//        | "message_edit": {"mid", "text", "num_edit"}
//        | "read": {...} | "referral": {...}}]}]}
//
// Customer = sender.id, account = recipient.id, conversation = "<account>:<customer>".
// Echoes (message.is_echo: our own outbound messages), deleted messages, read receipts,
// referrals and entries without `messaging` (comments, mentions) are not customer messages.
// A message_edit is an edit of the message `mid` (MessageEvent::edit). An event or entry that
// cannot be read is a rejection (rejections()); the rest of the payload still parses.
// Mapping table: docs/CHANNELS.md. Not thread-safe; keep one parser per thread.
#pragma once
#include <span>
#include <string_view>

#include "omnikernel/adapters/json_document.h"
#include "omnikernel/adapters/message_batch.h"
#include "omnikernel/adapters/normalized_message.h"

namespace omni::adapters {

inline constexpr std::string_view kInstagramChannel = "instagram";

class InstagramParser {
 public:
  explicit InstagramParser(size_t max_payload_bytes = kDefaultMaxPayloadBytes)
      : document_(max_payload_bytes) {}

  // The messages of `payload` that parsed, or the error that stops the whole payload (not JSON,
  // too large, not an Instagram webhook, no `entry` array); valid until the next parse().
  [[nodiscard]] ParseResult<std::span<const NormalizedMessage>> parse(std::string_view payload);
  // The parts of the last payload that did not parse, in payload order; valid until the next
  // parse().
  [[nodiscard]] std::span<const Rejection> rejections() const noexcept { return batch_.rejections(); }

 private:
  JsonDocument document_;
  MessageBatch batch_;
};

}  // namespace omni::adapters
