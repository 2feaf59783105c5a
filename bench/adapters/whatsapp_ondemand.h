// The WhatsApp parse on simdjson's On-Demand API, to measure it against the DOM that the adapter
// uses. Same messages as WhatsAppParser on valid payloads; on any error it only says "no" (no
// path), which is part of why the adapter does not use it (docs/CHANNELS.md).
#pragma once
#include <memory>
#include <span>
#include <string_view>

#include <simdjson.h>

#include "omnikernel/adapters/message_batch.h"

namespace omni::bench {

class WhatsAppOnDemand {
 public:
  // Sets `messages` (valid until the next parse) and returns true, or false when malformed.
  [[nodiscard]] bool parse(std::string_view payload,
                           std::span<const adapters::NormalizedMessage>& messages);

 private:
  simdjson::ondemand::parser parser_;
  std::unique_ptr<char[]> buffer_;
  size_t capacity_ = 0;
  adapters::MessageBatch batch_;
};

}  // namespace omni::bench
