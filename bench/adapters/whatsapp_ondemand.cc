#include "whatsapp_ondemand.h"

#include <charconv>
#include <cstring>

#include "omnikernel/adapters/timestamp.h"

namespace omni::bench {

namespace od = simdjson::ondemand;
using adapters::MessageBatch;
using adapters::MessageKind;
using adapters::NormalizedMessage;

namespace {

MessageKind kind_of(std::string_view type) noexcept {
  if (type == "text") return MessageKind::text;
  if (type == "image") return MessageKind::image;
  if (type == "audio" || type == "voice") return MessageKind::audio;
  if (type == "video") return MessageKind::video;
  if (type == "document") return MessageKind::document;
  if (type == "sticker") return MessageKind::sticker;
  if (type == "location") return MessageKind::location;
  if (type == "contacts") return MessageKind::contacts;
  if (type == "interactive") return MessageKind::interactive;
  if (type == "button") return MessageKind::button;
  if (type == "reaction") return MessageKind::reaction;
  return MessageKind::unknown;
}

std::string_view optional_string(od::object object, std::string_view key) {
  std::string_view text;
  if (object.find_field_unordered(key).get_string().get(text) != simdjson::SUCCESS) return {};
  return text;
}

std::string_view coordinate(double value, char (&digits)[32]) {
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return ec == std::errc{} ? std::string_view(digits, static_cast<size_t>(end - digits)) : "";
}

// Fills `text` (or `composed`) for one message; false when a required part is missing.
bool message_text(od::object message, MessageKind kind, std::string_view type, std::string_view& text,
                  MessageBatch& batch, MessageBatch::ArenaText& composed, bool& is_composed) {
  od::object body;
  switch (kind) {
    case MessageKind::text:
      if (message.find_field_unordered("text").get_object().get(body)) return false;
      return body.find_field_unordered("body").get_string().get(text) == simdjson::SUCCESS;
    case MessageKind::image:
    case MessageKind::video:
    case MessageKind::document:
      if (message.find_field_unordered(type).get_object().get(body)) return true;
      text = optional_string(body, "caption");
      if (text.empty() && kind == MessageKind::document) text = optional_string(body, "filename");
      return true;
    case MessageKind::location: {
      if (message.find_field_unordered("location").get_object().get(body)) return false;
      double latitude = 0, longitude = 0;
      if (body.find_field_unordered("latitude").get_double().get(latitude)) return false;
      if (body.find_field_unordered("longitude").get_double().get(longitude)) return false;
      const std::string_view name = optional_string(body, "name");
      char lat_digits[32], lon_digits[32];
      const auto lat = coordinate(latitude, lat_digits);
      const auto lon = coordinate(longitude, lon_digits);
      composed = name.empty() ? batch.compose({lat, ",", lon})
                              : batch.compose({name, " (", lat, ",", lon, ")"});
      is_composed = true;
      return true;
    }
    case MessageKind::interactive: {
      if (message.find_field_unordered("interactive").get_object().get(body)) return false;
      std::string_view reply_type;
      if (body.find_field_unordered("type").get_string().get(reply_type)) return false;
      od::object reply;
      if (body.find_field_unordered(reply_type).get_object().get(reply) == simdjson::SUCCESS) {
        text = optional_string(reply, "title");
      }
      return true;
    }
    case MessageKind::button:
      if (message.find_field_unordered("button").get_object().get(body)) return false;
      text = optional_string(body, "text");
      return true;
    case MessageKind::reaction:
      if (message.find_field_unordered("reaction").get_object().get(body)) return false;
      text = optional_string(body, "emoji");
      return true;
    case MessageKind::contacts: {
      od::array cards;
      if (message.find_field_unordered("contacts").get_array().get(cards)) return true;
      for (auto card : cards) {
        od::object name;
        if (card.find_field_unordered("name").get_object().get(name) == simdjson::SUCCESS) {
          text = optional_string(name, "formatted_name");
        }
        break;
      }
      return true;
    }
    default:
      return true;
  }
}

bool seconds_to_ms(od::value value, int64_t& ms) {
  int64_t seconds = 0;
  std::string_view digits;
  if (value.get_string().get(digits) == simdjson::SUCCESS) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return false;
  } else if (value.get_int64().get(seconds) != simdjson::SUCCESS) {
    return false;
  }
  if (seconds < 0 || seconds > adapters::kMaxTimestampMs / 1000) return false;
  ms = seconds * 1000;
  return true;
}

}  // namespace

bool WhatsAppOnDemand::parse(std::string_view payload, std::span<const NormalizedMessage>& messages) {
  batch_.clear();
  if (payload.size() > capacity_ || !buffer_) {
    capacity_ = std::max<size_t>(payload.size(), 4096);
    buffer_ = std::make_unique<char[]>(capacity_ + simdjson::SIMDJSON_PADDING);
  }
  std::memcpy(buffer_.get(), payload.data(), payload.size());
  od::document document;
  if (parser_.iterate(buffer_.get(), payload.size(), capacity_ + simdjson::SIMDJSON_PADDING)
          .get(document)) {
    return false;
  }
  od::object root;
  if (document.get_object().get(root)) return false;
  std::string_view object;
  if (root.find_field_unordered("object").get_string().get(object) ||
      object != "whatsapp_business_account") {
    return false;
  }
  od::array entries;
  if (root.find_field_unordered("entry").get_array().get(entries)) return false;
  for (auto entry_value : entries) {
    od::object entry;
    od::array changes;
    if (entry_value.get_object().get(entry)) return false;
    if (entry.find_field_unordered("changes").get_array().get(changes)) return false;
    for (auto change_value : changes) {
      od::object change;
      std::string_view field;
      if (change_value.get_object().get(change)) return false;
      if (change.find_field_unordered("field").get_string().get(field)) return false;
      if (field != "messages") continue;
      od::object value;
      if (change.find_field_unordered("value").get_object().get(value)) return false;
      std::string_view account;
      od::object metadata;
      if (value.find_field_unordered("metadata").get_object().get(metadata) == simdjson::SUCCESS) {
        account = optional_string(metadata, "phone_number_id");
      }
      od::array list;
      if (value.find_field_unordered("messages").get_array().get(list)) continue;
      for (auto message_value : list) {
        od::object message;
        if (message_value.get_object().get(message)) return false;
        NormalizedMessage m{"whatsapp", {}, account, {}, {}, MessageKind::unknown, {}, 0};
        std::string_view type;
        od::value timestamp;
        if (account.empty() || message.find_field_unordered("from").get_string().get(m.customer) ||
            message.find_field_unordered("id").get_string().get(m.message_id) ||
            message.find_field_unordered("timestamp").get(timestamp) ||
            !seconds_to_ms(timestamp, m.timestamp_ms) ||
            message.find_field_unordered("type").get_string().get(type)) {
          return false;
        }
        m.kind = kind_of(type);
        MessageBatch::ArenaText composed;
        bool is_composed = false;
        if (!message_text(message, m.kind, type, m.text, batch_, composed, is_composed)) return false;
        batch_.add(m, batch_.join_key(account, m.customer), is_composed ? &composed : nullptr);
      }
    }
  }
  messages = batch_.finish();
  return true;
}

}  // namespace omni::bench
