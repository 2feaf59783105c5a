// omni::runtime::ChannelAdapterHandle — one instance of a channel-adapter plugin, host side.
// parse() hands each normalized message to a callback without copying it; gate_outbound() asks the
// 24-hour window question. The handle keeps its plugin library loaded until it is destroyed.
//
// Thread-safety: parse() and gate_outbound() may be called concurrently (the ABI requires
// adapters to allow it); moving or destroying the handle must not race with them.
// Everything an adapter returns is validated here (see check_message and the limits below): a
// violation is an invalid_output PluginError naming the plugin and the field, never a crash.
#pragma once
#include <cstddef>
#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "omnikernel/runtime/plugin.h"
#include "omnikernel/sdk/channel_adapter.hpp"
#include "omnikernel/sdk/omni_plugin.h"

namespace omni::runtime {

using InboundMessage = omni::sdk::InboundMessage;
using OutboundRequest = omni::sdk::OutboundRequest;
using OutboundKind = omni::sdk::OutboundKind;
using GateReason = omni::sdk::GateReason;

// Bytes of one identifier field of an omni_inbound_message (channel, customer, account,
// conversation, message_id, kind), and of its text.
inline constexpr size_t kMaxInboundIdBytes = 1024;
inline constexpr size_t kMaxInboundTextBytes = size_t{1} << 20;
// Bytes of the text to send that gate_outbound may ask for (OMNI_ERR_BUFFER_TOO_SMALL).
inline constexpr size_t kMaxOutboundTextBytes = size_t{1} << 20;

struct GateOutcome {
  bool allowed = false;
  GateReason reason = GateReason::allowed;
  std::string message;  // why it was refused
  std::string text;     // the text to send (agent alias applied)
};

class ChannelAdapterHandle {
 public:
  // Creates an instance of `plugin` (a channel adapter) from `config`.
  [[nodiscard]] static std::expected<ChannelAdapterHandle, PluginError> create(
      std::shared_ptr<const Plugin> plugin, std::string_view config = {});

  ChannelAdapterHandle(ChannelAdapterHandle&& other) noexcept
      : plugin_(std::move(other.plugin_)), instance_(std::exchange(other.instance_, nullptr)) {}
  ChannelAdapterHandle& operator=(ChannelAdapterHandle&& other) noexcept;
  ChannelAdapterHandle(const ChannelAdapterHandle&) = delete;
  ChannelAdapterHandle& operator=(const ChannelAdapterHandle&) = delete;
  ~ChannelAdapterHandle();

  [[nodiscard]] const PluginInfo& info() const noexcept { return plugin_->info(); }

  // Calls on_message(const InboundMessage&) for each customer message of `payload`; its views are
  // valid only during the call. on_message returns false to stop. Returns how many messages were
  // delivered, or the plugin's error (messages delivered before it stay delivered). Each message
  // is validated before delivery (see check_message); the first invalid one stops the parse with
  // an invalid_output error naming the field.
  template <class OnMessage>
  [[nodiscard]] std::expected<size_t, PluginError> parse(std::string_view payload,
                                                         OnMessage&& on_message) const {
    Delivery<std::remove_reference_t<OnMessage>> delivery{&on_message, info().name, 0, false, {}};
    ErrorText error;
    omni_status status = parse_raw(payload, &Delivery<std::remove_reference_t<OnMessage>>::sink,
                                   &delivery, error);
    if (delivery.invalid) return std::unexpected(delivery.invalid.to_error(info().name));
    if (status != OMNI_OK && !(status == OMNI_ERR_ABORTED && delivery.stopped))
      return std::unexpected(error.to_error(info().name, "parse", status));
    return delivery.count;
  }

  // Checks one message an adapter handed to the sink against the ABI and this host's limits, and
  // views it as an InboundMessage. `channel` is the adapter's plugin name: a message's channel
  // must be exactly that. Never allocates, never throws.
  [[nodiscard]] static bool check_message(const omni_inbound_message* raw, std::string_view channel,
                                          InboundMessage& out, InvalidOutput& invalid) noexcept;

  [[nodiscard]] std::expected<GateOutcome, PluginError> gate_outbound(
      const OutboundRequest& request) const;

 private:
  ChannelAdapterHandle(std::shared_ptr<const Plugin> plugin, void* instance) noexcept
      : plugin_(std::move(plugin)), instance_(instance) {}

  template <class OnMessage>
  struct Delivery {
    OnMessage* callback;
    std::string_view channel;
    size_t count = 0;
    bool stopped = false;
    InvalidOutput invalid;
    static omni_status sink(void* context, const omni_inbound_message* raw) noexcept {
      auto& self = *static_cast<Delivery*>(context);
      if (self.stopped || self.invalid) return OMNI_ERR_ABORTED;  // the adapter ignored a stop
      InboundMessage message;
      if (!check_message(raw, self.channel, message, self.invalid)) return OMNI_ERR_ABORTED;
      ++self.count;
      if (!(*self.callback)(message)) {
        self.stopped = true;
        return OMNI_ERR_ABORTED;
      }
      return OMNI_OK;
    }
  };

  [[nodiscard]] omni_status parse_raw(std::string_view payload, omni_message_sink sink,
                                      void* context, ErrorText& error) const noexcept;

  // The destructor destroys the instance before plugin_ lets go of the library.
  std::shared_ptr<const Plugin> plugin_;
  void* instance_ = nullptr;
};

}  // namespace omni::runtime
