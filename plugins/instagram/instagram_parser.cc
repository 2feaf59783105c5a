#include "instagram_parser.h"

#include "omnikernel/adapters/timestamp.h"

namespace omni::adapters {

namespace dom = simdjson::dom;

namespace {

MessageKind attachment_kind(std::string_view type) noexcept {
  if (type == "image") return MessageKind::image;
  if (type == "video") return MessageKind::video;
  if (type == "audio") return MessageKind::audio;
  if (type == "file") return MessageKind::document;
  if (type == "sticker") return MessageKind::sticker;
  if (type == "location") return MessageKind::location;
  // ig_post: a shared post (Meta's attachment for post shares since November 2025, next to or
  // instead of `share`), payload {ig_post_media_id, title (the caption), url}.
  if (type == "share" || type == "ig_post" || type == "story_mention" || type == "reel" ||
      type == "ig_reel") {
    return MessageKind::share;
  }
  return MessageKind::unknown;  // template, fallback, anything newer
}

struct Event {
  std::string_view message_id;
  MessageKind kind = MessageKind::unknown;
  std::string_view text;
  bool is_customer_message = false;  // false: nothing to deliver (echo, read receipt, ...)
  MessageEvent event = MessageEvent::message;
};

// message: text and/or attachments; the first attachment decides the kind, the text (if any)
// is kept as the caption.
ParseResult<Event> message_event(dom::object message, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(is_echo, optional_bool(message, "is_echo", path));
  OMNI_ASSIGN_OR_RETURN(is_deleted, optional_bool(message, "is_deleted", path));
  if (is_echo || is_deleted) return Event{};
  OMNI_ASSIGN_OR_RETURN(mid, require_id(message, "mid", path));
  OMNI_ASSIGN_OR_RETURN(text, optional_string(message, "text", path));
  OMNI_ASSIGN_OR_RETURN(is_unsupported, optional_bool(message, "is_unsupported", path));
  OMNI_ASSIGN_OR_RETURN(attachments, optional_array(message, "attachments", path));
  Event event{mid, MessageKind::text, text, true};
  if (attachments && attachments->size() > 0) {
    const JsonPath attachments_path = path.field("attachments");
    const JsonPath first_path = attachments_path.at(0);
    OMNI_ASSIGN_OR_RETURN(first, as_object(attachments->at(0).value_unsafe(), first_path));
    OMNI_ASSIGN_OR_RETURN(type, require_string(first, "type", first_path));
    event.kind = attachment_kind(type);
    if (event.kind == MessageKind::share && event.text.empty()) {
      // A shared post or reel without a comment: its caption (payload.title) says what it is.
      OMNI_ASSIGN_OR_RETURN(payload, optional_object(first, "payload", first_path));
      if (payload) {
        OMNI_ASSIGN_OR_RETURN(title, optional_string(*payload, "title", first_path.field("payload")));
        event.text = title;
      }
    }
  } else if (is_unsupported) {
    event.kind = MessageKind::unknown;
  }
  return event;
}

ParseResult<Event> postback_event(dom::object postback, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(mid, require_id(postback, "mid", path));
  OMNI_ASSIGN_OR_RETURN(title, optional_string(postback, "title", path));
  return Event{mid, MessageKind::postback, title, true};
}

// A reaction refers to the message reacted to; an "unreact" carries no emoji (empty text).
ParseResult<Event> reaction_event(dom::object reaction, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(mid, require_id(reaction, "mid", path));
  OMNI_ASSIGN_OR_RETURN(action, optional_string(reaction, "action", path));
  OMNI_ASSIGN_OR_RETURN(emoji, optional_string(reaction, "emoji", path));
  return Event{mid, MessageKind::reaction, action == "unreact" ? std::string_view{} : emoji, true};
}

// message_edit: the customer changed the text of an earlier message (mid). Delivered as an
// edit of that message, so the host updates it instead of opening work.
ParseResult<Event> edit_event(dom::object edit, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(mid, require_id(edit, "mid", path));
  OMNI_ASSIGN_OR_RETURN(text, optional_string(edit, "text", path));
  return Event{mid, MessageKind::edit, text, true, MessageEvent::edit};
}

// The object of the event and its message id, for naming a rejected event.
std::string_view peek_mid(dom::element messaging) noexcept {
  dom::object holder;
  if (messaging.get(holder) != simdjson::SUCCESS) return {};
  for (std::string_view key : {"message", "postback", "reaction", "message_edit"}) {
    dom::element inner;
    if (holder.at_key(key).get(inner) == simdjson::SUCCESS) return peek_string(inner, "mid");
  }
  return {};
}

ParseResult<Event> classify(dom::object messaging, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(message, optional_object(messaging, "message", path));
  if (message) return message_event(*message, path.field("message"));
  OMNI_ASSIGN_OR_RETURN(postback, optional_object(messaging, "postback", path));
  if (postback) return postback_event(*postback, path.field("postback"));
  OMNI_ASSIGN_OR_RETURN(reaction, optional_object(messaging, "reaction", path));
  if (reaction) return reaction_event(*reaction, path.field("reaction"));
  OMNI_ASSIGN_OR_RETURN(edit, optional_object(messaging, "message_edit", path));
  if (edit) return edit_event(*edit, path.field("message_edit"));
  return Event{};  // read, referral, optin, handover...
}

ParseResult<void> parse_messaging(dom::element element, const JsonPath& path,
                                  MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(messaging, as_object(element, path));
  OMNI_ASSIGN_OR_RETURN(event, classify(messaging, path));
  if (!event.is_customer_message) return {};
  OMNI_ASSIGN_OR_RETURN(sender, require_object(messaging, "sender", path));
  OMNI_ASSIGN_OR_RETURN(customer, require_id(sender, "id", path.field("sender")));
  OMNI_ASSIGN_OR_RETURN(recipient, require_object(messaging, "recipient", path));
  OMNI_ASSIGN_OR_RETURN(account, require_id(recipient, "id", path.field("recipient")));
  OMNI_ASSIGN_OR_RETURN(timestamp_value, require_field(messaging, "timestamp", path));
  OMNI_ASSIGN_OR_RETURN(timestamp, unix_ms(timestamp_value, path.field("timestamp")));

  NormalizedMessage normalized{kInstagramChannel, customer,   account,    {},
                               event.message_id,  event.kind, event.text, timestamp,
                               event.event};
  batch.add(normalized, batch.join_key(account, customer));
  return {};
}

// An entry whose `messaging` is not an array is rejected whole; a bad event, only that event.
ParseResult<void> parse_entry(dom::element element, const JsonPath& entry_path,
                              MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(entry, as_object(element, entry_path));
  // Entries of other fields (comments, mentions) carry `changes` instead: nothing to route.
  OMNI_ASSIGN_OR_RETURN(messagings, optional_array(entry, "messaging", entry_path));
  if (!messagings) return {};
  const JsonPath messaging_path = entry_path.field("messaging");
  size_t index = 0;
  for (dom::element messaging : *messagings) {
    if (auto parsed = parse_messaging(messaging, messaging_path.at(index++), batch); !parsed)
      batch.reject(std::move(parsed.error()), peek_mid(messaging));
  }
  return {};
}

}  // namespace

ParseResult<std::span<const NormalizedMessage>> InstagramParser::parse(std::string_view payload) {
  batch_.clear();
  OMNI_ASSIGN_OR_RETURN(envelope, open_envelope(document_, payload, "instagram"));
  const JsonPath root = JsonPath::root();
  OMNI_ASSIGN_OR_RETURN(entries_value, require_field(envelope, "entry", root));
  const JsonPath entries_path = root.field("entry");
  OMNI_ASSIGN_OR_RETURN(entries, as_array(entries_value, entries_path));
  size_t entry_index = 0;
  for (dom::element entry : entries) {
    if (auto parsed = parse_entry(entry, entries_path.at(entry_index++), batch_); !parsed)
      batch_.reject(std::move(parsed.error()));
  }
  return batch_.finish();
}

}  // namespace omni::adapters
