// omni::sdk::ChannelAdapter — the C++ face of a channel-adapter plugin. Derive, override parse()
// and gate_outbound(), then write OMNI_PLUGIN(MyAdapter, "name", "1.0.0") in one .cc file.
//
// The constructor may take (omni::sdk::Host, std::string_view config), (omni::sdk::Host),
// (std::string_view config) or nothing; throw omni::sdk::ConfigError for a bad config. parse() and gate_outbound() may run
// concurrently on one instance (keep them free of shared mutable state).
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "omnikernel/sdk/error.hpp"
#include "omnikernel/sdk/host.hpp"
#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

// One normalized inbound customer message. The views must stay valid until MessageSink::emit
// returns (point into the payload, or into storage the adapter keeps for the call).
struct InboundMessage {
  std::string_view channel{};
  std::string_view customer{};
  std::string_view account{};
  std::string_view conversation{};
  std::string_view message_id{};
  std::string_view kind{};
  std::string_view text{};
  int64_t timestamp_ms = 0;  // Unix epoch
};

// The host's sink for one parse() call. emit() is allocation-free and never throws.
class MessageSink {
 public:
  MessageSink(omni_message_sink sink, void* context) noexcept : sink_(sink), context_(context) {}

  // Hands `message` to the host. Returns false once the host asked to stop: return from parse()
  // then (the boundary reports the host's status, whatever parse() does afterwards).
  bool emit(const InboundMessage& message) noexcept {
    if (status_ != OMNI_OK) return false;
    omni_inbound_message out{};
    out.struct_size = sizeof(out);
    out.channel = view(message.channel);
    out.customer = view(message.customer);
    out.account = view(message.account);
    out.conversation = view(message.conversation);
    out.message_id = view(message.message_id);
    out.kind = view(message.kind);
    out.text = view(message.text);
    out.timestamp_ms = message.timestamp_ms;
    ++emitted_;
    if (sink_ != nullptr) status_ = sink_(context_, &out);
    return status_ == OMNI_OK;
  }

  [[nodiscard]] size_t emitted() const noexcept { return emitted_; }
  [[nodiscard]] omni_status status() const noexcept { return status_; }

 private:
  static omni_str view(std::string_view s) noexcept { return omni_str{s.data(), s.size()}; }

  omni_message_sink sink_;
  void* context_;
  omni_status status_ = OMNI_OK;
  size_t emitted_ = 0;
};

enum class OutboundKind : int32_t {
  free_form = OMNI_OUTBOUND_FREE_FORM,
  template_message = OMNI_OUTBOUND_TEMPLATE,  // template / HSM
};

enum class GateReason : int32_t {
  allowed = OMNI_GATE_ALLOWED,
  window_closed = OMNI_GATE_WINDOW_CLOSED,
  no_inbound = OMNI_GATE_NO_INBOUND,
  empty_text = OMNI_GATE_EMPTY_TEXT,
  text_too_long = OMNI_GATE_TEXT_TOO_LONG,
  unsupported_kind = OMNI_GATE_UNSUPPORTED_KIND,
  other = OMNI_GATE_OTHER,
};

struct OutboundRequest {
  OutboundKind kind = OutboundKind::free_form;
  std::string_view customer{};
  std::optional<int64_t> last_inbound_ms{};  // Unix ms; nullopt = the customer never wrote
  int64_t now_ms = 0;                      // Unix ms
  bool human_agent_tag = false;            // Instagram HUMAN_AGENT: 7-day window
  std::string_view text{};
  std::string_view agent_alias{};  // empty = none
};

// The text to send, written straight into the host's buffer. append() never throws nor
// allocates; past the capacity it only counts, and the boundary reports the size needed.
class TextOut {
 public:
  TextOut(char* buffer, size_t capacity) noexcept : buffer_(buffer), capacity_(capacity) {}

  void append(std::string_view text) noexcept {
    for (char c : text) {
      if (size_ < capacity_) buffer_[size_] = c;
      ++size_;
    }
  }
  void clear() noexcept { size_ = 0; }
  [[nodiscard]] size_t size() const noexcept { return size_; }
  [[nodiscard]] bool overflowed() const noexcept { return size_ > capacity_; }
  // What was written so far (only meaningful when !overflowed()).
  [[nodiscard]] std::string_view view() const noexcept {
    return {buffer_, size_ < capacity_ ? size_ : capacity_};
  }

 private:
  char* buffer_;
  size_t capacity_;
  size_t size_ = 0;
};

struct OutboundVerdict {
  bool allowed = true;
  GateReason reason = GateReason::allowed;
  std::string message;  // why it was refused

  [[nodiscard]] static OutboundVerdict allow() { return {}; }
  [[nodiscard]] static OutboundVerdict refuse(GateReason reason, std::string message) {
    return {false, reason, std::move(message)};
  }
};

class ChannelAdapter {
 public:
  virtual ~ChannelAdapter() = default;

  // Calls sink.emit() once per customer message in `payload`; throws PayloadError (naming the
  // JSON path) for a malformed payload. Messages emitted before the throw stay delivered.
  virtual void parse(std::string_view payload, MessageSink& sink) = 0;

  // Decides whether `request` may be sent and appends the text to send (alias applied) to
  // `text`. A refusal is a verdict, not an exception.
  [[nodiscard]] virtual OutboundVerdict gate_outbound(const OutboundRequest& request,
                                                      TextOut& text) = 0;
};

}  // namespace omni::sdk
