// The service's records in the journal's host table (durable/host_table.h) — what `omni serve
// --journal` needs beyond the kernel's own records to carry on after a restart:
//
//   c/<channel>|<conversation>  a conversation open on a work item: channel, account (phone-number
//                               id…), customer, item id, routing rule, last inbound time (the
//                               24-hour window), its last kJournaledMessages messages. Put when a
//                               message opens or continues it, erased when its item is done.
//   s/<dedupe key>              a message id seen (Meta's retries are duplicates): the claim
//                               order and the item the message opened or continued (0: none).
//                               Erased when the in-memory window forgets it, so the table stays
//                               bounded by service.limits.dedupe_window.
//
// Values are JSON objects (the service's format; durable/ never reads them). Decoding checks
// every field and says which is wrong: a value this build cannot read is a start-up error, never
// a half-restored conversation.
#pragma once
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/durable/host_table.h"

namespace omni::service {

struct Conversation;
struct StoredMessage;

inline constexpr std::string_view kConversationPrefix = "c/";
inline constexpr std::string_view kSeenPrefix = "s/";
// Bounds that keep a conversation's value far below the host table's value cap (1 MiB): the
// offer after a restart shows the last messages, each text cut to this many bytes.
inline constexpr size_t kJournaledMessages = 10;
inline constexpr size_t kJournaledTextBytes = 4096;

struct ConversationRecord {
  std::string key, channel, account, customer, route;
  uint64_t item = 0;
  int64_t last_inbound_ms = 0;
  struct Message {
    std::string id, kind, text;
    int64_t timestamp_ms = 0;
  };
  std::vector<Message> messages;
};

struct SeenRecord {
  uint64_t order = 0;  // claim order, so that the window forgets the oldest first after a restart
  uint64_t item = 0;   // the item whose durability the message's acknowledgement waited for
};

[[nodiscard]] durable::HostOp conversation_put(const Conversation& c);
[[nodiscard]] durable::HostOp conversation_erase(std::string_view key);
[[nodiscard]] std::expected<ConversationRecord, std::string> decode_conversation(std::string_view key,
                                                                                 std::string_view value);

[[nodiscard]] durable::HostOp seen_put(std::string_view dedupe_key, const SeenRecord& r);
[[nodiscard]] durable::HostOp seen_erase(std::string_view dedupe_key);
[[nodiscard]] std::expected<SeenRecord, std::string> decode_seen(std::string_view key, std::string_view value);

}  // namespace omni::service
