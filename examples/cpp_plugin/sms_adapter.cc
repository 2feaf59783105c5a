// sms — a channel adapter in C++ (built as libexample_sms.so): a payload holds lines
// "<phone>\t<unix ms>\t<text>" and each becomes a normalized message; "-" for the time means the
// gateway gave none (OMNI_NO_TIMESTAMP). Outbound free-form text is allowed within 24 hours of the
// customer's last message (templates any time), prefixed with the agent's alias.
// The plugin's name is its channel: every message says channel "sms" (the host checks it), and
// `omni ingest --channel sms` finds it.
#include <charconv>
#include <string>
#include <string_view>

#include <omnikernel/sdk/plugin.hpp>

namespace {

class SmsAdapter final : public omni::sdk::ChannelAdapter {
 public:
  SmsAdapter(omni::sdk::Host host, std::string_view config) : host_(host), account_(config) {
    if (account_.empty()) account_ = "default";
  }

  void parse(std::string_view payload, omni::sdk::MessageSink& sink) override {
    int line_number = 0;
    while (!payload.empty()) {
      ++line_number;
      std::string_view line = payload.substr(0, payload.find('\n'));
      payload.remove_prefix(std::min(payload.size(), line.size() + 1));
      if (line.empty()) continue;
      size_t tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
      if (tab1 == std::string_view::npos || tab2 == std::string_view::npos)
        throw omni::sdk::PayloadError("line " + std::to_string(line_number) +
                                      ": expected <phone>\\t<unix ms>\\t<text>");
      std::string_view stamp = line.substr(tab1 + 1, tab2 - tab1 - 1);
      int64_t ms = OMNI_NO_TIMESTAMP;  // an event without a time says so; it never invents one
      if (stamp != "-" &&
          (std::from_chars(stamp.data(), stamp.data() + stamp.size(), ms).ec != std::errc{} || ms < 0))
        throw omni::sdk::PayloadError("line " + std::to_string(line_number) + ": bad timestamp");
      std::string_view phone = line.substr(0, tab1);
      if (!sink.emit({.channel = "sms", .customer = phone, .account = account_,
                      .conversation = phone, .message_id = stamp, .kind = "text",
                      .text = line.substr(tab2 + 1), .timestamp_ms = ms}))
        return;
    }
  }

  omni::sdk::OutboundVerdict gate_outbound(const omni::sdk::OutboundRequest& request,
                                           omni::sdk::TextOut& text) override {
    constexpr int64_t kWindowMs = 24LL * 3600 * 1000;
    bool in_window = request.last_inbound_ms && request.now_ms - *request.last_inbound_ms <= kWindowMs;
    if (request.kind == omni::sdk::OutboundKind::free_form && !in_window)
      return omni::sdk::OutboundVerdict::refuse(omni::sdk::GateReason::window_closed,
                                                "more than 24 hours since the customer wrote");
    if (!request.agent_alias.empty()) {
      text.append(request.agent_alias);
      text.append(": ");
    }
    text.append(request.text);
    return omni::sdk::OutboundVerdict::allow();
  }

 private:
  omni::sdk::Host host_;
  std::string account_;
};

}  // namespace

OMNI_PLUGIN(SmsAdapter, "sms", "1.0.0");
