// The one shape every channel adapter produces: an inbound event about a customer — usually a
// customer message, sometimes a notice or an edit (`event`) — reduced to what routing needs. All views point into the parser that produced the message and stay valid only
// until that parser's next parse() call (no per-message allocation).
#pragma once
#include <cstdint>
#include <string_view>

namespace omni::adapters {

enum class MessageKind : uint8_t {
  text,
  image,
  audio,
  video,
  document,
  sticker,
  location,
  contacts,
  interactive,   // WhatsApp button_reply / list_reply
  button,        // WhatsApp template quick-reply button
  reaction,
  postback,      // Instagram icebreaker / generic-template button
  share,         // Instagram share, post (ig_post), reel, story mention
  order,         // WhatsApp order from a catalog; text = the order's note
  notice,        // WhatsApp `system` notice (number or user id changed): event notice
  edit,          // Instagram message_edit: event edit
  unknown,       // a type this adapter does not know yet: routed, never dropped
};

[[nodiscard]] std::string_view to_string(MessageKind kind) noexcept;

// What the event means for routing; mirrors omni::sdk::InboundEvent (the ABI's OMNI_EVENT_*).
enum class MessageEvent : uint8_t {
  message,  // a customer message: opens or extends the customer-service window, may create work
  notice,   // the channel's notice about the customer: no window, no work; for the host's log
  edit,     // the customer edited message_id; text is the new text: no new work, no window
};

struct NormalizedMessage {
  std::string_view channel;       // "webchat", "whatsapp", "instagram"
  std::string_view customer;      // visitor id / wa_id / Instagram-scoped id (IGSID)
  std::string_view account;       // site id / phone_number_id / Instagram professional account id
  std::string_view conversation;  // "<account>:<customer or session>", stable per conversation
  std::string_view message_id;
  MessageKind kind = MessageKind::unknown;
  std::string_view text;          // body, caption, reply title or emoji; empty when none
  int64_t timestamp_ms = 0;       // since the Unix epoch
  MessageEvent event = MessageEvent::message;
  std::string_view language{};    // BCP 47 tag as the channel gives it (web chat); empty = none
};

}  // namespace omni::adapters
