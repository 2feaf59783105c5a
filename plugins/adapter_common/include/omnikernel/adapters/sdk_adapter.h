// The plugin face shared by the three channel adapters: a parsing core (WhatsAppParser, ...)
// and a window rule become an omni::sdk::ChannelAdapter. Compiled into each plugin (header only
// here; each plugin's one .cc instantiates it and writes OMNI_PLUGIN).
//
// Config (optional JSON object): {"max_payload_bytes": N} caps one payload (default 4 MiB).
// Delivery (see docs/CHANNELS.md): a payload is parsed whole first. To a host that calls
// parse_partial (ABI 1.2) the adapter then hands every message, notice and edit, and every
// rejected part with its JSON path, so one bad message does not take the others down. To a host
// that calls the ABI 1.0 parse(), a payload with any rejected part is refused whole and delivers
// nothing, as before ABI 1.2.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "omnikernel/adapters/agent_alias.h"
#include "omnikernel/adapters/json_document.h"
#include "omnikernel/adapters/normalized_message.h"
#include "omnikernel/adapters/parser_pool.h"
#include "omnikernel/adapters/service_window.h"
#include "omnikernel/sdk/plugin.hpp"

namespace omni::adapters {

// Reads the adapter config; throws omni::sdk::ConfigError naming the field.
inline size_t max_payload_from_config(std::string_view config) {
  if (config.find_first_not_of(" \t\r\n") == std::string_view::npos) return kDefaultMaxPayloadBytes;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(config.data(), config.size()).get(object) != simdjson::SUCCESS) {
    throw sdk::ConfigError("config: expected a JSON object");
  }
  size_t max_payload = kDefaultMaxPayloadBytes;
  for (auto [key, value] : object) {
    if (key != "max_payload_bytes") {
      throw sdk::ConfigError("config." + std::string(key) + ": unknown setting (known: max_payload_bytes)");
    }
    uint64_t bytes = 0;
    if (value.get(bytes) != simdjson::SUCCESS || bytes == 0 || bytes > (uint64_t{1} << 30)) {
      throw sdk::ConfigError("config.max_payload_bytes: expected an integer in 1..1073741824");
    }
    max_payload = static_cast<size_t>(bytes);
  }
  return max_payload;
}

template <class Parser, WindowRule kRule>
class SdkChannelAdapter : public sdk::ChannelAdapter {
 public:
  explicit SdkChannelAdapter(std::string_view config) : parsers_(max_payload_from_config(config)) {}

  void parse(std::string_view payload, sdk::MessageSink& sink) override {
    auto parser = parsers_.acquire();
    auto messages = parser->parse(payload);
    if (!messages) {  // nothing of the payload can be read
      const ParseError& error = messages.error();
      (void)sink.reject({reject_code(error.code), error.path, error.detail, {}});
      throw sdk::PayloadError(error.message());
    }
    const auto rejections = parser->rejections();
    if (!sink.accepts_rejections() && !rejections.empty()) {
      // An ABI 1.0 host has no way to hear of one bad message: refuse the payload whole, before
      // anything is delivered, so that its retry does not duplicate the good ones.
      throw sdk::PayloadError(rejections.front().error.message());
    }
    for (const NormalizedMessage& m : *messages) {
      const sdk::InboundMessage out{m.channel,    m.customer,        m.account,
                                    m.conversation, m.message_id,    to_string(m.kind),
                                    m.text,       m.timestamp_ms,    inbound_event(m.event),
                                    m.language};
      if (!sink.emit(out)) return;  // the host asked to stop
    }
    for (const Rejection& r : rejections) {
      if (!sink.reject({reject_code(r.error.code), r.error.path, r.error.detail, r.message_id})) return;
    }
  }

  [[nodiscard]] sdk::OutboundVerdict gate_outbound(const sdk::OutboundRequest& request,
                                                   sdk::TextOut& text) override {
    if (request.text.empty()) {
      return sdk::OutboundVerdict::refuse(sdk::GateReason::empty_text, "nothing to send: empty text");
    }
    const bool is_template = request.kind == sdk::OutboundKind::template_message;
    const OutboundRequest window_request{
        is_template ? OutboundKind::template_message : OutboundKind::free_form,
        request.human_agent_tag, request.last_inbound_ms.value_or(kNoInboundYet), request.now_ms};
    if (gate_outbound_rule(window_request) != OutboundVerdict::allowed) {
      if (!request.last_inbound_ms) {
        return sdk::OutboundVerdict::refuse(
            sdk::GateReason::no_inbound,
            "the customer never wrote: only a template (HSM) may be sent");
      }
      return sdk::OutboundVerdict::refuse(sdk::GateReason::window_closed, closed_message(request));
    }
    // Templates keep their approved wording; free-form replies carry the agent's alias.
    for (auto piece : aliased_text(is_template ? std::string_view{} : request.agent_alias, request.text)) {
      text.append(piece);
    }
    return sdk::OutboundVerdict::allow();
  }

 private:
  static sdk::RejectCode reject_code(ParseErrc code) noexcept {
    switch (code) {
      case ParseErrc::invalid_json: return sdk::RejectCode::invalid_json;
      case ParseErrc::too_large: return sdk::RejectCode::too_large;
      case ParseErrc::wrong_object: return sdk::RejectCode::wrong_object;
      case ParseErrc::missing_field: return sdk::RejectCode::missing_field;
      case ParseErrc::wrong_type: return sdk::RejectCode::wrong_type;
      case ParseErrc::bad_value: return sdk::RejectCode::bad_value;
    }
    return sdk::RejectCode::other;
  }
  static sdk::InboundEvent inbound_event(MessageEvent event) noexcept {
    switch (event) {
      case MessageEvent::message: return sdk::InboundEvent::message;
      case MessageEvent::notice: return sdk::InboundEvent::notice;
      case MessageEvent::edit: return sdk::InboundEvent::edit;
    }
    return sdk::InboundEvent::message;
  }

  static OutboundVerdict gate_outbound_rule(const OutboundRequest& request) noexcept {
    return omni::adapters::gate_outbound(kRule, request);
  }

  static std::string closed_message(const sdk::OutboundRequest& request) {
    // Only called when now > last inbound; unsigned so that absurd host values cannot overflow.
    const uint64_t elapsed_ms =
        static_cast<uint64_t>(request.now_ms) - static_cast<uint64_t>(*request.last_inbound_ms);
    const uint64_t hours = elapsed_ms / static_cast<uint64_t>(kHourMs);
    const bool seven_days = kRule == WindowRule::instagram && request.human_agent_tag;
    return std::string("outside the ") + (seven_days ? "7-day human-agent" : "24-hour customer-service") +
           " window (last customer message " + std::to_string(hours) +
           " h ago): only a template (HSM) may be sent";
  }

  ParserPool<Parser> parsers_;
};

}  // namespace omni::adapters
