// omni::sdk::MessageSink — where a channel adapter's parse() puts what it read: each message with
// emit(), each part of the payload it could not read with reject(). The boundary (plugin.hpp)
// builds one per parse call; the adapter never sees which ABI call the host made, except
// through accepts_rejections().
//
// Two hosts, one adapter:
//   - a host that calls parse_partial (ABI 1.2) gets every message, notice and edit, and every
//     rejection with its JSON path: one bad message does not take the others down;
//   - a host that calls the ABI 1.0 parse() knows only customer messages and whole refusals: it
//     is never handed a notice or an edit (it would take them for customer messages and open
//     work), and the first rejection refuses the payload (the boundary returns
//     OMNI_ERR_MALFORMED_PAYLOAD with it), as before ABI 1.2.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string_view>

#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

// What an inbound event means for routing (omni_inbound_message.event).
enum class InboundEvent : int32_t {
  message = OMNI_EVENT_MESSAGE,  // a customer message: opens/extends the window, may create work
  notice = OMNI_EVENT_NOTICE,    // the channel's notice about the customer: no window, no work
  edit = OMNI_EVENT_EDIT,        // the customer edited message_id; text is the new text
};

// Whether a host lets `event` open or extend the customer-service window (the last_inbound_ms
// it passes to gate_outbound) and create work: customer messages only. A notice is the channel
// speaking; an edit changes a message already counted.
[[nodiscard]] constexpr bool is_customer_message(InboundEvent event) noexcept {
  return event == InboundEvent::message;
}

// One normalized inbound event. The views must stay valid until MessageSink::emit returns (point
// into the payload, or into storage the adapter keeps for the call).
struct InboundMessage {
  std::string_view channel{};
  std::string_view customer{};
  std::string_view account{};
  std::string_view conversation{};
  std::string_view message_id{};
  std::string_view kind{};
  std::string_view text{};
  int64_t timestamp_ms = 0;  // Unix epoch
  InboundEvent event = InboundEvent::message;
  // The customer's language as the channel gives it (BCP 47: "es", "pt-BR"); empty = none. Reaches
  // only hosts of ABI 1.3 or later (see host_abi_version below).
  std::string_view language{};
};

enum class RejectCode : int32_t {
  invalid_json = OMNI_REJECT_INVALID_JSON,
  too_large = OMNI_REJECT_TOO_LARGE,
  wrong_object = OMNI_REJECT_WRONG_OBJECT,
  missing_field = OMNI_REJECT_MISSING_FIELD,
  wrong_type = OMNI_REJECT_WRONG_TYPE,
  bad_value = OMNI_REJECT_BAD_VALUE,
  other = OMNI_REJECT_OTHER,
};

// A part of the payload that did not become a message. Views valid until reject() returns.
struct Rejection {
  RejectCode code = RejectCode::other;
  std::string_view path{};        // JSON path, e.g. "entry[0].changes[0].value.messages[3].type"
  std::string_view detail{};      // "missing", "expected string, got number"; never empty
  std::string_view message_id{};  // when the refused message's id could be read
};

// The host's sinks for one parse call. emit() and reject() are allocation-free and never throw.
class MessageSink {
 public:
  // For the ABI 1.0 parse(): messages only, the first rejection refuses the payload.
  MessageSink(omni_message_sink sink, void* context) noexcept : MessageSink(sink, nullptr, context) {}
  // For parse_partial (ABI 1.2).
  MessageSink(omni_message_sink sink, omni_rejection_sink reject, void* context) noexcept
      : sink_(sink), reject_(reject), context_(context) {}

  // Hands `message` to the host. Returns false once the host asked to stop (or, for an ABI 1.0
  // host, once the payload is refused): return from parse() then.
  bool emit(const InboundMessage& message) noexcept {
    if (status_ != OMNI_OK || refused_) return false;
    // An ABI 1.0 host takes everything it is handed for a customer message.
    if (!accepts_rejections() && message.event != InboundEvent::message) return true;
    omni_inbound_message out{};
    out.struct_size = host_abi_version_ >= OMNI_ABI_MAKE_VERSION(1, 3)
                          ? static_cast<uint32_t>(sizeof(out))
                          : static_cast<uint32_t>(offsetof(omni_inbound_message, language));
    out.channel = view(message.channel);
    out.customer = view(message.customer);
    out.account = view(message.account);
    out.conversation = view(message.conversation);
    out.message_id = view(message.message_id);
    out.kind = view(message.kind);
    out.text = view(message.text);
    out.timestamp_ms = message.timestamp_ms;
    out.event = static_cast<int32_t>(message.event);
    out.language = view(message.language);  // outside struct_size for an older host: unread
    ++emitted_;
    if (sink_ != nullptr) status_ = sink_(context_, &out);
    return status_ == OMNI_OK;
  }

  // Reports a part of the payload that did not become a message. Returns false when the adapter
  // must stop: the host asked to, or (ABI 1.0 host) the payload is now refused.
  bool reject(const Rejection& rejection) noexcept {
    if (status_ != OMNI_OK || refused_) return false;
    ++rejected_;
    if (!accepts_rejections()) {  // remembered for the boundary's OMNI_ERR_MALFORMED_PAYLOAD
      refused_ = true;
      const std::string_view where = rejection.path.empty() ? "payload" : rejection.path;
      const int n = std::snprintf(refusal_, sizeof refusal_, "%.*s: %.*s",
                                  static_cast<int>(std::min<size_t>(where.size(), 256)), where.data(),
                                  static_cast<int>(std::min<size_t>(rejection.detail.size(), 200)),
                                  rejection.detail.data());
      refusal_length_ = n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof refusal_ - 1);
      return false;
    }
    omni_message_rejection out{};
    out.struct_size = sizeof(out);
    out.code = static_cast<int32_t>(rejection.code);
    out.path = view(rejection.path);
    out.detail = view(rejection.detail);
    out.message_id = view(rejection.message_id);
    status_ = reject_(context_, &out);
    return status_ == OMNI_OK;
  }

  // The ABI the host speaks (omni_host_services.abi_version), set by the boundary before parse.
  // A host older than ABI 1.3 refuses a message larger than it knows, so it is handed ABI 1.2's
  // struct (without language) instead.
  void set_host_abi_version(uint32_t version) noexcept { host_abi_version_ = version; }

  // True when the host takes rejections one by one (parse_partial); false for an ABI 1.0 host,
  // for which a payload is accepted whole or refused whole.
  [[nodiscard]] bool accepts_rejections() const noexcept { return reject_ != nullptr; }

  [[nodiscard]] size_t emitted() const noexcept { return emitted_; }
  [[nodiscard]] size_t rejected() const noexcept { return rejected_; }
  [[nodiscard]] omni_status status() const noexcept { return status_; }
  // ABI 1.0 host: the first rejection ("<path>: <detail>"), which refuses the payload.
  [[nodiscard]] bool refused() const noexcept { return refused_; }
  [[nodiscard]] std::string_view refusal() const noexcept { return {refusal_, refusal_length_}; }

 private:
  static omni_str view(std::string_view s) noexcept { return omni_str{s.data(), s.size()}; }

  omni_message_sink sink_;
  omni_rejection_sink reject_;
  void* context_;
  uint32_t host_abi_version_ = OMNI_ABI_VERSION;
  omni_status status_ = OMNI_OK;
  size_t emitted_ = 0;
  size_t rejected_ = 0;
  bool refused_ = false;
  char refusal_[512];  // not zeroed: one sink per parse call; refusal_length_ says what is valid
  size_t refusal_length_ = 0;
};

}  // namespace omni::sdk
