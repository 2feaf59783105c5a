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
using InboundEvent = omni::sdk::InboundEvent;
using Rejection = omni::sdk::Rejection;
using RejectCode = omni::sdk::RejectCode;
using OutboundRequest = omni::sdk::OutboundRequest;
using OutboundKind = omni::sdk::OutboundKind;
using GateReason = omni::sdk::GateReason;

// Bytes of one identifier field of an omni_inbound_message (channel, customer, account,
// conversation, message_id, kind), and of its text.
inline constexpr size_t kMaxInboundIdBytes = 1024;
inline constexpr size_t kMaxInboundTextBytes = size_t{1} << 20;
// Bytes of omni_inbound_message.language (ABI 1.3): a BCP 47 tag is rarely over 35.
inline constexpr size_t kMaxInboundLanguageBytes = 64;
// Bytes of a rejection's path and message id, and of its detail.
inline constexpr size_t kMaxRejectionIdBytes = 1024;
inline constexpr size_t kMaxRejectionDetailBytes = 4096;
// Bytes of the text to send that gate_outbound may ask for (OMNI_ERR_BUFFER_TOO_SMALL).
inline constexpr size_t kMaxOutboundTextBytes = size_t{1} << 20;

// What parse_partial made of a payload that could be read.
struct ParseCounts {
  size_t delivered = 0;  // messages, notices and edits handed to on_message
  size_t rejected = 0;   // parts handed to on_rejection
};

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

  // The ABI 1.0 contract, for hosts that want a payload accepted whole or refused whole: calls
  // on_message(const InboundMessage&) for each customer message of `payload` (never a notice or
  // an edit: InboundMessage::event is always `message`); its views are valid only during the
  // call. on_message returns false to stop. Returns how many messages were delivered, or the
  // plugin's error (messages delivered before it stay delivered). Each message is validated
  // before delivery (see check_message); the first invalid one stops the parse with an
  // invalid_output error naming the field.
  template <class OnMessage>
  [[nodiscard]] std::expected<size_t, PluginError> parse(std::string_view payload,
                                                         OnMessage&& on_message) const {
    using D = Delivery<std::remove_reference_t<OnMessage>, Ignore>;
    Ignore ignore;
    D delivery(&on_message, &ignore, info().name, /*legacy_call=*/true);
    ErrorText error;
    omni_status status = parse_raw(payload, &D::sink, nullptr, &delivery, error);
    if (auto failed = delivery.outcome(status, error, info().name); !failed) return std::unexpected(failed.error());
    return delivery.count;
  }

  // Partial success (ABI 1.2): one bad message does not take the others down. Calls
  // on_message(const InboundMessage&) for each message, notice and edit of `payload`, and
  // on_rejection(const Rejection&) for each part of it the adapter could not read (its JSON path,
  // a typed code, the message id when known); views are valid only during the call; either
  // returns false to stop. Returns the counts, or an error when nothing of the payload could be
  // read — the adapter's rejection for that has then been passed to on_rejection too — or when
  // the adapter returned something invalid. An adapter older than ABI 1.2 is called through
  // parse(): its payloads are still accepted or refused whole (the refusal only as the error).
  template <class OnMessage, class OnRejection>
  [[nodiscard]] std::expected<ParseCounts, PluginError> parse(std::string_view payload,
                                                              OnMessage&& on_message,
                                                              OnRejection&& on_rejection) const {
    using D = Delivery<std::remove_reference_t<OnMessage>, std::remove_reference_t<OnRejection>>;
    const bool partial = offers_parse_partial();
    D delivery(&on_message, &on_rejection, info().name, /*legacy_call=*/!partial);
    ErrorText error;
    omni_status status = parse_raw(payload, &D::sink, partial ? &D::reject : nullptr, &delivery, error);
    if (auto failed = delivery.outcome(status, error, info().name); !failed) return std::unexpected(failed.error());
    return ParseCounts{delivery.count, delivery.rejected};
  }

  // True when the adapter speaks ABI 1.2's parse_partial.
  [[nodiscard]] bool offers_parse_partial() const noexcept;

  // Checks one message an adapter handed to the sink against the ABI and this host's limits, and
  // views it as an InboundMessage. `channel` is the adapter's plugin name: a message's channel
  // must be exactly that. `legacy`: the host called the ABI 1.0 parse(), so only customer
  // messages are allowed. Never allocates, never throws.
  [[nodiscard]] static bool check_message(const omni_inbound_message* raw, std::string_view channel,
                                          bool legacy, InboundMessage& out,
                                          InvalidOutput& invalid) noexcept;
  // The same for a rejection handed to parse_partial's reject sink.
  [[nodiscard]] static bool check_rejection(const omni_message_rejection* raw, Rejection& out,
                                            InvalidOutput& invalid) noexcept;

  [[nodiscard]] std::expected<GateOutcome, PluginError> gate_outbound(
      const OutboundRequest& request) const;

 private:
  ChannelAdapterHandle(std::shared_ptr<const Plugin> plugin, void* instance) noexcept
      : plugin_(std::move(plugin)), instance_(instance) {}

  struct Ignore {
    bool operator()(const Rejection&) const noexcept { return true; }
  };

  // The sinks' context for one parse call: validates what the adapter hands over, counts it and
  // remembers the first violation or the host's stop.
  template <class OnMessage, class OnRejection>
  struct Delivery {
    Delivery(OnMessage* message_callback, OnRejection* rejection_callback,
             std::string_view adapter_channel, bool legacy_call) noexcept
        : on_message(message_callback), on_rejection(rejection_callback),
          channel(adapter_channel), legacy(legacy_call) {}

    OnMessage* on_message;
    OnRejection* on_rejection;
    std::string_view channel;
    bool legacy = false;
    size_t count = 0;
    size_t rejected = 0;
    bool stopped = false;
    InvalidOutput invalid;

    static omni_status sink(void* context, const omni_inbound_message* raw) noexcept {
      auto& self = *static_cast<Delivery*>(context);
      if (self.stopped || self.invalid) return OMNI_ERR_ABORTED;  // the adapter ignored a stop
      InboundMessage message;
      if (!check_message(raw, self.channel, self.legacy, message, self.invalid)) return OMNI_ERR_ABORTED;
      ++self.count;
      if (!(*self.on_message)(message)) {
        self.stopped = true;
        return OMNI_ERR_ABORTED;
      }
      return OMNI_OK;
    }
    static omni_status reject(void* context, const omni_message_rejection* raw) noexcept {
      auto& self = *static_cast<Delivery*>(context);
      if (self.stopped || self.invalid) return OMNI_ERR_ABORTED;
      Rejection rejection;
      if (!check_rejection(raw, rejection, self.invalid)) return OMNI_ERR_ABORTED;
      ++self.rejected;
      if (!(*self.on_rejection)(rejection)) {
        self.stopped = true;
        return OMNI_ERR_ABORTED;
      }
      return OMNI_OK;
    }
    // The call's result: an invalid output first, then the plugin's error (a stop the host asked
    // for is not one).
    [[nodiscard]] std::expected<void, PluginError> outcome(omni_status status, const ErrorText& error,
                                                           std::string_view plugin) const {
      if (invalid) return std::unexpected(invalid.to_error(plugin));
      if (status != OMNI_OK && !(status == OMNI_ERR_ABORTED && stopped))
        return std::unexpected(error.to_error(plugin, legacy ? "parse" : "parse_partial", status));
      return {};
    }
  };

  // Calls parse_partial when `reject` is given, else parse.
  [[nodiscard]] omni_status parse_raw(std::string_view payload, omni_message_sink sink,
                                      omni_rejection_sink reject, void* context,
                                      ErrorText& error) const noexcept;

  // The destructor destroys the instance before plugin_ lets go of the library.
  std::shared_ptr<const Plugin> plugin_;
  void* instance_ = nullptr;
};

}  // namespace omni::runtime
