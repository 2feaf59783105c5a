#include "omnikernel/runtime/channel_adapter_handle.h"

#include <algorithm>
#include <cstring>

#include "omnikernel/runtime/host_context.h"

namespace omni::runtime {
namespace {
std::string_view view(omni_str s) noexcept {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.size};
}
}  // namespace

std::expected<ChannelAdapterHandle, PluginError> ChannelAdapterHandle::create(
    std::shared_ptr<const Plugin> plugin, std::string_view config) {
  if (!plugin || plugin->kind() != PluginKind::channel_adapter)
    return std::unexpected(PluginError{plugin ? std::string(plugin->name()) : std::string("(none)"),
                                       OMNI_ERR_INVALID_ARGUMENT, "not a channel adapter plugin"});
  void* instance = nullptr;
  ErrorText error;
  omni_status status = plugin->adapter_vtable().create(plugin->host()->services(), config.data(),
                                                       config.size(), &instance, &error.raw);
  if (status != OMNI_OK) return std::unexpected(error.to_error(plugin->name(), status));
  if (instance == nullptr)
    return std::unexpected(PluginError{std::string(plugin->name()), OMNI_ERR_INTERNAL,
                                       "create returned OK but no instance"});
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

InboundMessage ChannelAdapterHandle::to_message(const omni_inbound_message* raw) noexcept {
  // An older adapter's message may be shorter than ours: read what it has.
  omni_inbound_message m{};
  std::memcpy(&m, raw, std::min<size_t>(raw->struct_size, sizeof m));
  return InboundMessage{view(m.channel),    view(m.customer), view(m.account),
                        view(m.conversation), view(m.message_id), view(m.kind),
                        view(m.text),       m.timestamp_ms};
}

omni_status ChannelAdapterHandle::parse_raw(std::string_view payload, omni_message_sink sink,
                                            void* context, ErrorText& error) const noexcept {
  return plugin_->adapter_vtable().parse(instance_, payload.data(), payload.size(), sink, context,
                                         &error.raw);
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
    if (status == OMNI_ERR_BUFFER_TOO_SMALL && attempt == 0 && out.text_length > text.size()) {
      text.assign(out.text_length, '\0');
      continue;
    }
    if (status != OMNI_OK) return std::unexpected(error.to_error(info().name, status));
    outcome.allowed = out.allowed != 0;
    outcome.reason = static_cast<GateReason>(out.reason);
    outcome.message.assign(message, std::min(out.message_length, sizeof message - 1));
    text.resize(std::min(out.text_length, text.size()));
    outcome.text = std::move(text);
    return outcome;
  }
  return std::unexpected(PluginError{info().name, OMNI_ERR_BUFFER_TOO_SMALL,
                                     "the adapter kept asking for a larger text buffer"});
}

}  // namespace omni::runtime
