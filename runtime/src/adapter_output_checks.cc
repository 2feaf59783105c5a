// What a channel adapter hands the host's sinks, checked against the ABI and this host's limits
// before anyone reads it: an adapter is third-party code, and a bad size or length must become an
// invalid_output error naming the field, never a read past the end of its memory.
#include <algorithm>
#include <cstddef>

#include "omnikernel/runtime/channel_adapter_handle.h"

namespace omni::runtime {
namespace {

std::string_view view(omni_str s) noexcept {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.size};
}

struct Field {
  const char* name;
  omni_str value;
  size_t limit;
  std::string_view* into;
};

// Length and NULL checks of each string; views them on success.
bool check_strings(std::initializer_list<Field> fields, InvalidOutput& invalid) noexcept {
  for (const Field& f : fields) {
    if (f.value.size > f.limit) {
      invalid.set(f.name, "is %zu bytes, this host accepts at most %zu", f.value.size, f.limit);
      return false;
    }
    if (f.value.data == nullptr && f.value.size != 0) {
      invalid.set(f.name, "is NULL with a size of %zu", f.value.size);
      return false;
    }
    *f.into = view(f.value);
  }
  return true;
}

}  // namespace

bool ChannelAdapterHandle::check_message(const omni_inbound_message* raw, std::string_view channel,
                                         bool legacy, InboundMessage& out,
                                         InvalidOutput& invalid) noexcept {
  // ABI 1.0 and 1.1 messages end at timestamp_ms; ABI 1.2 appended event, 1.3 language. A size in between
  // reads what it covers (OMNI_STRUCT_HAS); anything larger is a newer minor than this host.
  constexpr size_t kSizeV1 = offsetof(omni_inbound_message, event);
  constexpr size_t kSize = sizeof(omni_inbound_message);
  if (raw == nullptr) {
    invalid.set("omni_inbound_message", "the sink was handed a NULL message");
    return false;
  }
  if (raw->struct_size > kSize || raw->struct_size < kSizeV1) {
    invalid.set("omni_inbound_message.struct_size",
                raw->struct_size > kSize
                    ? "is %u bytes, larger than the %zu this host (ABI %d.%d) knows"
                    : "is %u bytes, smaller than the %zu every message has since ABI 1.0 (this host: ABI %d.%d)",
                raw->struct_size, raw->struct_size > kSize ? kSize : kSizeV1, OMNI_ABI_VERSION_MAJOR,
                OMNI_ABI_VERSION_MINOR);
    return false;
  }
  if (!check_strings(
          {{"omni_inbound_message.channel", raw->channel, kMaxInboundIdBytes, &out.channel},
           {"omni_inbound_message.customer", raw->customer, kMaxInboundIdBytes, &out.customer},
           {"omni_inbound_message.account", raw->account, kMaxInboundIdBytes, &out.account},
           {"omni_inbound_message.conversation", raw->conversation, kMaxInboundIdBytes,
            &out.conversation},
           {"omni_inbound_message.message_id", raw->message_id, kMaxInboundIdBytes, &out.message_id},
           {"omni_inbound_message.kind", raw->kind, kMaxInboundIdBytes, &out.kind},
           {"omni_inbound_message.text", raw->text, kMaxInboundTextBytes, &out.text}},
          invalid))
    return false;
  if (out.channel != channel) {
    invalid.set("omni_inbound_message.channel", "is \"%.*s\", the adapter's channel is \"%.*s\"",
                static_cast<int>(std::min<size_t>(out.channel.size(), 64)), out.channel.data(),
                static_cast<int>(channel.size()), channel.data());
    return false;
  }
  if (out.customer.empty()) {
    invalid.set("omni_inbound_message.customer", "is empty (every message has a customer)");
    return false;
  }
  if (raw->timestamp_ms < 0 && raw->timestamp_ms != OMNI_NO_TIMESTAMP) {
    invalid.set("omni_inbound_message.timestamp_ms",
                "is %lld, before the Unix epoch (OMNI_NO_TIMESTAMP says there is no time)",
                static_cast<long long>(raw->timestamp_ms));
    return false;
  }
  const int32_t event =
      OMNI_STRUCT_HAS(raw, omni_inbound_message, event) ? raw->event : int32_t{OMNI_EVENT_MESSAGE};
  if (event < OMNI_EVENT_MESSAGE || event > OMNI_EVENT_EDIT) {
    invalid.set("omni_inbound_message.event", "is %d, which no ABI %d.%d event is",
                static_cast<int>(event), OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR);
    return false;
  }
  if (legacy && event != OMNI_EVENT_MESSAGE) {
    // The ABI 1.0 parse() delivers customer messages only: a notice taken for one would open work.
    invalid.set("omni_inbound_message.event",
                "is %d from parse(), which delivers customer messages only (OMNI_EVENT_MESSAGE)",
                static_cast<int>(event));
    return false;
  }
  // ABI 1.3 appended language; a shorter message has none.
  if (OMNI_STRUCT_HAS(raw, omni_inbound_message, language) &&
      !check_strings({{"omni_inbound_message.language", raw->language, kMaxInboundLanguageBytes, &out.language}},
                     invalid))
    return false;
  out.timestamp_ms = raw->timestamp_ms;
  out.event = static_cast<InboundEvent>(event);
  return true;
}

bool ChannelAdapterHandle::check_rejection(const omni_message_rejection* raw, Rejection& out,
                                           InvalidOutput& invalid) noexcept {
  constexpr size_t kSize = sizeof(omni_message_rejection);  // every field is ABI 1.2
  if (raw == nullptr) {
    invalid.set("omni_message_rejection", "the reject sink was handed a NULL rejection");
    return false;
  }
  if (raw->struct_size != kSize) {
    invalid.set("omni_message_rejection.struct_size",
                raw->struct_size > kSize
                    ? "is %u bytes, larger than the %zu this host (ABI %d.%d) knows"
                    : "is %u bytes, smaller than the %zu every ABI %d.%d rejection has",
                raw->struct_size, kSize, OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR);
    return false;
  }
  if (raw->code < OMNI_REJECT_INVALID_JSON || raw->code > OMNI_REJECT_OTHER) {
    invalid.set("omni_message_rejection.code", "is %d, which no ABI %d.%d rejection code is",
                static_cast<int>(raw->code), OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR);
    return false;
  }
  if (!check_strings(
          {{"omni_message_rejection.path", raw->path, kMaxRejectionIdBytes, &out.path},
           {"omni_message_rejection.detail", raw->detail, kMaxRejectionDetailBytes, &out.detail},
           {"omni_message_rejection.message_id", raw->message_id, kMaxRejectionIdBytes,
            &out.message_id}},
          invalid))
    return false;
  if (out.detail.empty()) {
    invalid.set("omni_message_rejection.detail", "is empty (a rejection says what is wrong)");
    return false;
  }
  out.code = static_cast<RejectCode>(raw->code);
  return true;
}

}  // namespace omni::runtime
