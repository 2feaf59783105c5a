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
#include "omnikernel/sdk/message_sink.hpp"
#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

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

  // Calls sink.emit() once per message in `payload` (a customer message, or a notice or an edit:
  // InboundMessage::event) and sink.reject() once per part of it that cannot be read (a bad
  // message, naming its JSON path), then goes on with the next part; stops when either returns
  // false. Throws PayloadError (naming the JSON path) when nothing of the payload can be read.
  // Messages emitted before the throw stay delivered. See message_sink.hpp for the ABI 1.0 host.
  virtual void parse(std::string_view payload, MessageSink& sink) = 0;

  // Decides whether `request` may be sent and appends the text to send (alias applied) to
  // `text`. A refusal is a verdict, not an exception.
  [[nodiscard]] virtual OutboundVerdict gate_outbound(const OutboundRequest& request,
                                                      TextOut& text) = 0;

  // The ABI the host speaks (omni_host_services.abi_version), set by the boundary (plugin.hpp)
  // right after construction: the message sink writes only the fields that host knows.
  [[nodiscard]] uint32_t host_abi_version() const noexcept { return host_abi_version_; }
  void set_host_abi_version(uint32_t version) noexcept { host_abi_version_ = version; }

 private:
  uint32_t host_abi_version_ = OMNI_ABI_VERSION;
};

}  // namespace omni::sdk
