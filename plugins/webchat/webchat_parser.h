// Our own web chat widget's payload (format defined in docs/CHANNELS.md):
//
//   {"object": "webchat", "site": "acme-web", "visitor": "v-7f3a", "session": "s-0001",
//    "messages": [{"id": "m-1", "timestamp": 1700000000123, "text": "Hello",
//                  "attachments": [{"type": "image", "url": "https://...", "name": "a.png"}]}]}
//
// Customer = visitor, account = site, conversation = "<site>:<session>" (one visitor may open
// several sessions, each its own conversation). A message that cannot be read is a rejection
// (rejections()); the session's other messages still parse. Not thread-safe; one parser per
// thread.
#pragma once
#include <span>
#include <string_view>

#include "omnikernel/adapters/json_document.h"
#include "omnikernel/adapters/message_batch.h"
#include "omnikernel/adapters/normalized_message.h"

namespace omni::adapters {

inline constexpr std::string_view kWebChatChannel = "webchat";

class WebChatParser {
 public:
  explicit WebChatParser(size_t max_payload_bytes = kDefaultMaxPayloadBytes)
      : document_(max_payload_bytes) {}

  // The messages of `payload` that parsed, or the error that stops the whole payload (not JSON,
  // too large, not our widget's payload, a header field missing); valid until the next parse().
  [[nodiscard]] ParseResult<std::span<const NormalizedMessage>> parse(std::string_view payload);
  // The messages of the last payload that did not parse, in payload order; valid until the next
  // parse().
  [[nodiscard]] std::span<const Rejection> rejections() const noexcept { return batch_.rejections(); }

 private:
  JsonDocument document_;
  MessageBatch batch_;
};

}  // namespace omni::adapters
