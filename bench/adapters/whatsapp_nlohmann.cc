#include "whatsapp_nlohmann.h"

#include <charconv>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace omni::bench {

namespace {

using nlohmann::json;

std::string optional_text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string{};
}

std::string coordinate(double value) {
  char digits[32];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  return ec == std::errc{} ? std::string(digits, end) : std::string{};
}

void message_text(const json& message, const std::string& type, OwnedMessage& out) {
  if (type == "text") {
    out.kind = "text";
    out.text = message.at("text").at("body").get<std::string>();
  } else if (type == "image" || type == "video" || type == "document") {
    out.kind = type;
    if (auto it = message.find(type); it != message.end()) {
      out.text = optional_text(*it, "caption");
      if (out.text.empty() && type == "document") out.text = optional_text(*it, "filename");
    }
  } else if (type == "audio" || type == "voice" || type == "sticker") {
    out.kind = type == "voice" ? "audio" : type;
  } else if (type == "location") {
    out.kind = "location";
    const json& location = message.at("location");
    const std::string name = optional_text(location, "name");
    const std::string lat = coordinate(location.at("latitude").get<double>());
    const std::string lon = coordinate(location.at("longitude").get<double>());
    out.text = name.empty() ? lat + "," + lon : name + " (" + lat + "," + lon + ")";
  } else if (type == "interactive") {
    out.kind = "interactive";
    const json& body = message.at("interactive");
    const std::string reply_type = body.at("type").get<std::string>();
    if (auto it = body.find(reply_type); it != body.end()) out.text = optional_text(*it, "title");
  } else if (type == "button") {
    out.kind = "button";
    out.text = optional_text(message.at("button"), "text");
  } else if (type == "reaction") {
    out.kind = "reaction";
    out.text = optional_text(message.at("reaction"), "emoji");
  } else if (type == "contacts") {
    out.kind = "contacts";
    auto it = message.find("contacts");
    if (it != message.end() && it->is_array() && !it->empty() && (*it)[0].contains("name")) {
      out.text = optional_text((*it)[0]["name"], "formatted_name");
    }
  } else {
    out.kind = "unknown";
  }
}

int64_t seconds_to_ms(const json& value) {
  int64_t seconds = 0;
  if (value.is_string()) {
    const auto& digits = value.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (ec != std::errc{} || end != digits.data() + digits.size() || seconds < 0) {
      throw std::invalid_argument("timestamp");
    }
  } else {
    seconds = value.get<int64_t>();
  }
  return seconds * 1000;
}

}  // namespace

void parse_whatsapp_nlohmann(std::string_view payload, std::vector<OwnedMessage>& out) {
  const json root = json::parse(payload);
  if (root.at("object").get<std::string>() != "whatsapp_business_account") {
    throw std::invalid_argument("object");
  }
  for (const json& entry : root.at("entry")) {
    for (const json& change : entry.at("changes")) {
      if (change.at("field").get<std::string>() != "messages") continue;
      const json& value = change.at("value");
      auto messages = value.find("messages");
      if (messages == value.end() || messages->empty()) continue;
      const std::string account = value.at("metadata").at("phone_number_id").get<std::string>();
      for (const json& message : *messages) {
        OwnedMessage m;
        m.customer = message.at("from").get<std::string>();
        m.account = account;
        m.conversation = account + ":" + m.customer;
        m.message_id = message.at("id").get<std::string>();
        m.timestamp_ms = seconds_to_ms(message.at("timestamp"));
        message_text(message, message.at("type").get<std::string>(), m);
        out.push_back(std::move(m));
      }
    }
  }
}

}  // namespace omni::bench
