#include "omnikernel/runtime/channel_adapter_handle.h"

#include <algorithm>
#include <cstring>

#include "omnikernel/runtime/host_context.h"

namespace omni::runtime {
std::expected<ChannelAdapterHandle, PluginError> ChannelAdapterHandle::create(
    std::shared_ptr<const Plugin> plugin, std::string_view config) {
  if (!plugin || plugin->kind() != PluginKind::channel_adapter)
    return std::unexpected(wrong_kind(plugin.get(), PluginKind::channel_adapter));
  void* instance = nullptr;
  ErrorText error;
  omni_status status = plugin->adapter_vtable().create(plugin->services(), config.data(),
                                                       config.size(), &instance, &error.raw);
  if (status != OMNI_OK) return std::unexpected(error.to_error(plugin->name(), "create", status));
  if (instance == nullptr) return std::unexpected(no_instance(plugin->name()));
  return ChannelAdapterHandle(std::move(plugin), instance);
}

ChannelAdapterHandle& ChannelAdapterHandle::operator=(ChannelAdapterHandle&& other) noexcept {
  if (this != &other) {
    if (instance_ != nullptr) plugin_->adapter_vtable().destroy(instance_);
    instance_ = std::exchange(other.instance_, nullptr);
    plugin_ = std::move(other.plugin_);
  }
  return *this;
}

ChannelAdapterHandle::~ChannelAdapterHandle() {
  if (instance_ != nullptr) plugin_->adapter_vtable().destroy(instance_);
}

bool ChannelAdapterHandle::offers_parse_partial() const noexcept {
  // The loader widened an older adapter's vtable with zeros: absent reads as NULL.
  return plugin_->adapter_vtable().parse_partial != nullptr;
}

omni_status ChannelAdapterHandle::parse_raw(std::string_view payload, omni_message_sink sink,
                                            omni_rejection_sink reject, void* context,
                                            ErrorText& error) const noexcept {
  const omni_channel_adapter_vtable& vtable = plugin_->adapter_vtable();
  if (reject != nullptr)
    return vtable.parse_partial(instance_, payload.data(), payload.size(), sink, reject, context,
                                &error.raw);
  return vtable.parse(instance_, payload.data(), payload.size(), sink, context, &error.raw);
}

std::expected<GateOutcome, PluginError> ChannelAdapterHandle::gate_outbound(
    const OutboundRequest& request) const {
  GateOutcome outcome;
  std::string text(request.text.size() + request.agent_alias.size() + 64, '\0');
  char message[512] = {};
  // One retry: a too-small buffer reports the size it needs.
  for (int attempt = 0; attempt < 2; ++attempt) {
    omni_outbound_request in{};
    in.struct_size = sizeof in;
    in.kind = static_cast<int32_t>(request.kind);
    in.customer = {request.customer.data(), request.customer.size()};
    in.last_inbound_ms = request.last_inbound_ms ? *request.last_inbound_ms : OMNI_NO_TIMESTAMP;
    in.now_ms = request.now_ms;
    in.human_agent_tag = request.human_agent_tag ? 1 : 0;
    in.text = {request.text.data(), request.text.size()};
    in.agent_alias = {request.agent_alias.data(), request.agent_alias.size()};
    in.text_out = text.data();
    in.text_out_capacity = text.size();
    omni_outbound_verdict out{};
    out.struct_size = sizeof out;
    out.message = message;
    out.message_capacity = sizeof message;
    ErrorText error;
    omni_status status = plugin_->adapter_vtable().gate_outbound(instance_, &in, &out, &error.raw);
    InvalidOutput invalid;
    if (status == OMNI_ERR_BUFFER_TOO_SMALL && attempt == 0 && out.text_length > text.size()) {
      if (out.text_length > kMaxOutboundTextBytes) {
        invalid.set("omni_outbound_verdict.text_length",
                    "asks for a %zu-byte text buffer, this host gives at most %zu",
                    out.text_length, kMaxOutboundTextBytes);
        return std::unexpected(invalid.to_error(info().name));
      }
      text.assign(out.text_length, '\0');
      continue;
    }
    if (status != OMNI_OK) return std::unexpected(error.to_error(info().name, "gate_outbound", status));
    if (out.reason < OMNI_GATE_ALLOWED || out.reason > OMNI_GATE_OTHER)
      invalid.set("omni_outbound_verdict.reason", "is %d, which no ABI %d.%d gate reason is",
                  static_cast<int>(out.reason), OMNI_ABI_VERSION_MAJOR, OMNI_ABI_VERSION_MINOR);
    else if ((out.allowed != 0) != (out.reason == OMNI_GATE_ALLOWED))
      invalid.set("omni_outbound_verdict.reason",
                  out.allowed != 0 ? "is %d on an allowed message (must be OMNI_GATE_ALLOWED)"
                                   : "is %d (OMNI_GATE_ALLOWED) on a refusal",
                  static_cast<int>(out.reason));
    else if (out.text_length > text.size())
      invalid.set("omni_outbound_verdict.text_length",
                  "is %zu, more than the %zu bytes of text_out", out.text_length, text.size());
    else if (out.message_length >= sizeof message)
      invalid.set("omni_outbound_verdict.message_length",
                  "is %zu, more than the %zu bytes of the message buffer", out.message_length,
                  sizeof message - 1);
    if (invalid) return std::unexpected(invalid.to_error(info().name));
    outcome.allowed = out.allowed != 0;
    outcome.reason = static_cast<GateReason>(out.reason);
    outcome.message.assign(message, out.message_length);
    text.resize(out.text_length);
    outcome.text = std::move(text);
    return outcome;
  }
  return std::unexpected(PluginError{info().name, OMNI_ERR_BUFFER_TOO_SMALL,
                                     "the adapter asked twice for a larger text buffer",
                                     PluginErrorKind::invalid_output,
                                     "omni_outbound_verdict.text_length"});
}

}  // namespace omni::runtime
