#include "whatsapp_parser.h"

#include <charconv>

#include "omnikernel/adapters/timestamp.h"

namespace omni::adapters {

namespace dom = simdjson::dom;

namespace {

struct TypeEntry {
  std::string_view name;
  MessageKind kind;
};
// Meta's message types (a voice note is type `audio` with `audio.voice: true`: there is no
// `voice` type). `system` is Meta's notice that the customer's number or user id changed.
constexpr TypeEntry kTypes[] = {
    {"text", MessageKind::text},           {"image", MessageKind::image},
    {"audio", MessageKind::audio},         {"video", MessageKind::video},
    {"document", MessageKind::document},   {"sticker", MessageKind::sticker},
    {"location", MessageKind::location},   {"contacts", MessageKind::contacts},
    {"interactive", MessageKind::interactive}, {"button", MessageKind::button},
    {"reaction", MessageKind::reaction},   {"order", MessageKind::order},
    {"system", MessageKind::notice},
};

MessageKind kind_of(std::string_view type) noexcept {
  for (const auto& entry : kTypes) {
    if (entry.name == type) return entry.kind;
  }
  return MessageKind::unknown;  // unsupported, anything newer
}

// The object named after the type ("image": {...}); absent is tolerated (text stays empty).
ParseResult<std::optional<dom::object>> type_body(dom::object message, std::string_view type,
                                                  const JsonPath& path) {
  return optional_object(message, type, path);
}

// The customer-visible text of one message, by type. Views point into the parser's buffer.
struct Text {
  std::string_view plain;
  bool composed = false;  // `location` coordinates are composed in the batch arena
  MessageBatch::ArenaText arena;
};

Text plain_text(std::string_view text) noexcept { return Text{text, false, {}}; }

// Shortest round-trip decimal form of a coordinate.
std::string_view format_coordinate(double value, char (&digits)[32]) noexcept {
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return ec == std::errc{} ? std::string_view(digits, static_cast<size_t>(end - digits))
                           : std::string_view{};
}

ParseResult<Text> location_text(dom::object body, const JsonPath& path, MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(name, optional_string(body, "name", path));
  double latitude = 0;
  double longitude = 0;
  for (auto [key, target] : {std::pair{"latitude", &latitude}, std::pair{"longitude", &longitude}}) {
    OMNI_ASSIGN_OR_RETURN(value, require_field(body, key, path));
    if (value.get(*target) != simdjson::SUCCESS) {
      return fail(make_error(ParseErrc::wrong_type, path.field(key),
                             "expected number, got " + std::string(type_name(value.type()))));
    }
  }
  char latitude_digits[32];
  char longitude_digits[32];
  const std::string_view lat = format_coordinate(latitude, latitude_digits);
  const std::string_view lon = format_coordinate(longitude, longitude_digits);
  // "<name> (<lat>,<lon>)" or "<lat>,<lon>".
  const auto arena = name.empty() ? batch.compose({lat, ",", lon})
                                  : batch.compose({name, " (", lat, ",", lon, ")"});
  return Text{{}, true, arena};
}

ParseResult<Text> message_text(dom::object message, MessageKind kind, std::string_view type,
                               const JsonPath& path, MessageBatch& batch) {
  const JsonPath body_path = path.field(type);
  switch (kind) {
    case MessageKind::text: {
      OMNI_ASSIGN_OR_RETURN(body, require_object(message, "text", path));
      OMNI_ASSIGN_OR_RETURN(text, require_string(body, "body", body_path));
      return plain_text(text);
    }
    case MessageKind::image:
    case MessageKind::video:
    case MessageKind::document: {
      OMNI_ASSIGN_OR_RETURN(body, type_body(message, type, path));
      if (!body) return Text{};
      OMNI_ASSIGN_OR_RETURN(caption, optional_string(*body, "caption", body_path));
      if (!caption.empty() || kind != MessageKind::document) return plain_text(caption);
      OMNI_ASSIGN_OR_RETURN(filename, optional_string(*body, "filename", body_path));
      return plain_text(filename);
    }
    case MessageKind::location: {
      OMNI_ASSIGN_OR_RETURN(body, require_object(message, "location", path));
      return location_text(body, body_path, batch);
    }
    case MessageKind::interactive: {
      OMNI_ASSIGN_OR_RETURN(body, require_object(message, "interactive", path));
      OMNI_ASSIGN_OR_RETURN(reply_type, require_string(body, "type", body_path));
      // button_reply / list_reply carry {id, title}; newer kinds (nfm_reply) have no title.
      OMNI_ASSIGN_OR_RETURN(reply, optional_object(body, reply_type, body_path));
      if (!reply) return Text{};
      OMNI_ASSIGN_OR_RETURN(title, optional_string(*reply, "title", body_path.field(reply_type)));
      return plain_text(title);
    }
    case MessageKind::button: {
      OMNI_ASSIGN_OR_RETURN(body, require_object(message, "button", path));
      OMNI_ASSIGN_OR_RETURN(text, optional_string(body, "text", body_path));
      return plain_text(text);
    }
    case MessageKind::reaction: {
      OMNI_ASSIGN_OR_RETURN(body, require_object(message, "reaction", path));
      OMNI_ASSIGN_OR_RETURN(emoji, optional_string(body, "emoji", body_path));
      return plain_text(emoji);  // empty emoji = reaction removed
    }
    case MessageKind::contacts: {
      // A shared contact card: the first contact's formatted name says what was shared.
      OMNI_ASSIGN_OR_RETURN(cards, optional_array(message, "contacts", path));
      if (!cards || cards->size() == 0) return Text{};
      dom::object card, name;
      if (cards->at(0).get(card) != simdjson::SUCCESS) return Text{};
      if (card["name"].get(name) != simdjson::SUCCESS) return Text{};
      const JsonPath contacts_path = path.field("contacts");
      const JsonPath card_path = contacts_path.at(0);
      OMNI_ASSIGN_OR_RETURN(formatted,
                            optional_string(name, "formatted_name", card_path.field("name")));
      return plain_text(formatted);
    }
    case MessageKind::order:
    case MessageKind::notice: {
      // order.text: the note the customer typed with the order; system.body: Meta's sentence
      // ("User A changed from +1… to +1…"), which the host logs.
      const std::string_view key = kind == MessageKind::order ? "text" : "body";
      OMNI_ASSIGN_OR_RETURN(body, type_body(message, type, path));
      if (!body) return Text{};
      OMNI_ASSIGN_OR_RETURN(text, optional_string(*body, key, body_path));
      return plain_text(text);
    }
    case MessageKind::audio:
    case MessageKind::sticker:
    case MessageKind::unknown:
    default:
      return Text{};
  }
}

// The customer's identity. Meta sends `from_user_id` (the business-scoped user id, BSUID) in
// every message webhook, and `from` (the phone number) only while Meta's phone-number rules make
// it available — a user with a username may have it one month and not the next. Keying on the
// BSUID whenever it is there keeps one customer one id; `from` is the fallback for webhooks
// without BSUIDs (before Meta's rollout). docs/CHANNELS.md, "Customer identity".
ParseResult<std::string_view> customer_of(dom::object message, const JsonPath& path) {
  // `from` is type-checked even when the BSUID is used: a malformed field is a broken message.
  OMNI_ASSIGN_OR_RETURN(from, optional_string(message, "from", path));
  if (auto user_id = optional_field(message, "from_user_id"))
    return as_id(*user_id, path.field("from_user_id"));
  if (auto phone = optional_field(message, "from")) return as_id(*phone, path.field("from"));
  (void)from;
  return fail(make_error(ParseErrc::missing_field, path.field("from_user_id"),
                         "missing, and so is from (a message names its customer by one of them)"));
}

ParseResult<void> parse_message(dom::element element, const JsonPath& path,
                                 std::string_view account, MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(message, as_object(element, path));
  OMNI_ASSIGN_OR_RETURN(from, customer_of(message, path));
  OMNI_ASSIGN_OR_RETURN(id, require_id(message, "id", path));
  OMNI_ASSIGN_OR_RETURN(timestamp_value, require_field(message, "timestamp", path));
  OMNI_ASSIGN_OR_RETURN(timestamp, unix_seconds_to_ms(timestamp_value, path.field("timestamp")));
  OMNI_ASSIGN_OR_RETURN(type, require_string(message, "type", path));
  const MessageKind kind = kind_of(type);
  OMNI_ASSIGN_OR_RETURN(text, message_text(message, kind, type, path, batch));

  NormalizedMessage normalized{kWhatsAppChannel, from, account, {}, id, kind, text.plain, timestamp};
  // A system notice is Meta speaking, not the customer: it must not open the window nor work.
  if (kind == MessageKind::notice) normalized.event = MessageEvent::notice;
  const auto conversation = batch.join_key(account, from);
  batch.add(normalized, conversation, text.composed ? &text.arena : nullptr);
  return {};
}

ParseResult<void> parse_change(dom::element element, const JsonPath& path, MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(change, as_object(element, path));
  OMNI_ASSIGN_OR_RETURN(field, require_string(change, "field", path));
  if (field != "messages") return {};  // template status, quality, account updates
  OMNI_ASSIGN_OR_RETURN(value, require_object(change, "value", path));
  const JsonPath value_path = path.field("value");
  OMNI_ASSIGN_OR_RETURN(messages, optional_array(value, "messages", value_path));
  // `statuses` (delivery receipts of our own messages) are deliberately not read.
  if (!messages || messages->size() == 0) return {};

  OMNI_ASSIGN_OR_RETURN(metadata, require_object(value, "metadata", value_path));
  OMNI_ASSIGN_OR_RETURN(account,
                        require_id(metadata, "phone_number_id", value_path.field("metadata")));
  const JsonPath messages_path = value_path.field("messages");
  size_t index = 0;
  for (dom::element message : *messages) {
    // One bad message is reported and skipped; its neighbours still go through.
    if (auto parsed = parse_message(message, messages_path.at(index++), account, batch); !parsed)
      batch.reject(std::move(parsed.error()), peek_string(message, "id"));
  }
  return {};
}

// An entry whose `changes` cannot be read is rejected whole; a bad change, only that change.
ParseResult<void> parse_entry(dom::element element, const JsonPath& entry_path,
                              MessageBatch& batch) {
  OMNI_ASSIGN_OR_RETURN(entry, as_object(element, entry_path));
  OMNI_ASSIGN_OR_RETURN(changes_value, require_field(entry, "changes", entry_path));
  const JsonPath changes_path = entry_path.field("changes");
  OMNI_ASSIGN_OR_RETURN(changes, as_array(changes_value, changes_path));
  size_t change_index = 0;
  for (dom::element change : changes) {
    if (auto parsed = parse_change(change, changes_path.at(change_index++), batch); !parsed)
      batch.reject(std::move(parsed.error()));
  }
  return {};
}

}  // namespace

ParseResult<std::span<const NormalizedMessage>> WhatsAppParser::parse(std::string_view payload) {
  batch_.clear();
  OMNI_ASSIGN_OR_RETURN(envelope, open_envelope(document_, payload, "whatsapp_business_account"));
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
