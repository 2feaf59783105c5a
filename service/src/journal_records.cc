// Encoding and decoding of the service's host-table records (journal_records.h).
#include "journal_records.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "service_state.h"

namespace omni::service {
namespace {

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Reads the fields of one record's JSON value; the first missing or mistyped field is kept as
// the error (naming the record's key and the field), and later reads return empty values.
class Fields {
 public:
  Fields(const Json& j, std::string_view key) : j_(j), key_(key) {}
  std::string str(const char* name) { return read<std::string>(name, &Json::is_string); }
  uint64_t u64(const char* name) { return read<uint64_t>(name, &Json::is_number_unsigned); }
  int64_t i64(const char* name) { return read<int64_t>(name, &Json::is_number_integer); }
  [[nodiscard]] const std::optional<std::string>& error() const { return error_; }

 private:
  template <typename T>
  T read(const char* name, bool (Json::*is)() const noexcept) {
    auto it = j_.find(name);
    if (it != j_.end() && ((*it).*is)()) return it->get<T>();
    if (!error_) error_ = "journal host record " + std::string(key_) + ": field \"" + name + "\" missing or of the wrong type";
    return T{};
  }
  const Json& j_;
  std::string_view key_;
  std::optional<std::string> error_;
};

}  // namespace

durable::HostOp conversation_put(const Conversation& c) {
  Json messages = Json::array();
  const size_t first = c.messages.size() > kJournaledMessages ? c.messages.size() - kJournaledMessages : 0;
  for (size_t i = first; i < c.messages.size(); ++i) {
    const StoredMessage& m = c.messages[i];
    messages.push_back({{"id", m.id}, {"kind", m.kind}, {"text", m.text.substr(0, kJournaledTextBytes)},
                        {"timestamp_ms", m.timestamp_ms}});
  }
  Json j{{"channel", c.channel}, {"account", c.account}, {"customer", c.customer}, {"route", c.route},
         {"item", index(c.item)}, {"last_inbound_ms", c.last_inbound_ms}, {"messages", std::move(messages)}};
  return durable::HostOp::put(std::string(kConversationPrefix) + c.key, dump(j));
}

durable::HostOp conversation_erase(std::string_view key) {
  return durable::HostOp::erase(std::string(kConversationPrefix) + std::string(key));
}

std::expected<ConversationRecord, std::string> decode_conversation(std::string_view key, std::string_view value) {
  const Json j = Json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("journal host record " + std::string(key) + ": not a JSON object");
  ConversationRecord r;
  r.key = std::string(key.substr(kConversationPrefix.size()));
  Fields f(j, key);
  r.channel = f.str("channel");
  r.account = f.str("account");
  r.customer = f.str("customer");
  r.route = f.str("route");
  r.item = f.u64("item");
  r.last_inbound_ms = f.i64("last_inbound_ms");
  if (f.error()) return std::unexpected(*f.error());
  auto messages = j.find("messages");
  if (messages == j.end() || !messages->is_array())
    return std::unexpected("journal host record " + std::string(key) + ": field \"messages\" missing or not an array");
  for (const Json& m : *messages) {
    if (!m.is_object()) return std::unexpected("journal host record " + std::string(key) + ": a message is not an object");
    Fields mf(m, key);
    ConversationRecord::Message message{mf.str("id"), mf.str("kind"), mf.str("text"), mf.i64("timestamp_ms")};
    if (mf.error()) return std::unexpected(*mf.error());
    r.messages.push_back(std::move(message));
  }
  return r;
}

durable::HostOp seen_put(std::string_view dedupe_key, const SeenRecord& r) {
  return durable::HostOp::put(std::string(kSeenPrefix) + std::string(dedupe_key),
                              dump({{"order", r.order}, {"item", r.item}}));
}

durable::HostOp seen_erase(std::string_view dedupe_key) {
  return durable::HostOp::erase(std::string(kSeenPrefix) + std::string(dedupe_key));
}

std::expected<SeenRecord, std::string> decode_seen(std::string_view key, std::string_view value) {
  const Json j = Json::parse(value, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::unexpected("journal host record " + std::string(key) + ": not a JSON object");
  Fields f(j, key);
  SeenRecord r{f.u64("order"), f.u64("item")};
  if (f.error()) return std::unexpected(*f.error());
  return r;
}

}  // namespace omni::service
