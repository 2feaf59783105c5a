#include "omnikernel/runtime/policy_plugin.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

#include "omnikernel/runtime/host_context.h"

namespace omni::runtime {

static_assert(OMNI_POLICY_OPEN == static_cast<int>(omni::PolicyOp::open));
static_assert(OMNI_POLICY_TRANSFER == static_cast<int>(omni::PolicyOp::transfer));
static_assert(OMNI_POLICY_TRANSFER_BY_TAG == static_cast<int>(omni::PolicyOp::transfer_by_tag));
static_assert(OMNI_POLICY_TRANSFER_BULK == static_cast<int>(omni::PolicyOp::transfer_bulk));
static_assert(OMNI_POLICY_OUTBOUND_TEMPLATE ==
              static_cast<int>(omni::PolicyOp::outbound_template));
static_assert(OMNI_POLICY_OUTBOUND_BROADCAST ==
              static_cast<int>(omni::PolicyOp::outbound_broadcast));

namespace {

// The request a thread is checking right now, so the plugin's session queries answer from the
// kernel's snapshot. Per thread: concurrent checks on one PolicyPlugin do not see each other's.
struct CheckScope {
  const PolicyPlugin* owner = nullptr;
  const omni::PolicyRequest* request = nullptr;
};
thread_local CheckScope current_check;

bool is_outbound(omni::PolicyOp op) {
  return op == omni::PolicyOp::outbound_template || op == omni::PolicyOp::outbound_broadcast;
}

void write_session(omni_session_info* out, size_t element_size, size_t i,
                   const SessionInfo& session) {
  if (element_size == sizeof(omni_session_info)) {  // same ABI minor: a plain array
    // Field by field: building a temporary and copying it stalls on store forwarding.
    omni_session_info& element = out[i];
    element.struct_size = sizeof(omni_session_info);
    element.queue = static_cast<uint32_t>(index(session.queue));
    element.item = static_cast<uint64_t>(index(session.item));
    element.service = static_cast<uint32_t>(index(session.service));
    element.channel = static_cast<uint32_t>(index(session.channel));
    return;
  }
  // Another minor: write what both know, and say how much that is.
  omni_session_info full{sizeof(omni_session_info), static_cast<uint32_t>(index(session.queue)),
                         static_cast<uint64_t>(index(session.item)),
                         static_cast<uint32_t>(index(session.service)),
                         static_cast<uint32_t>(index(session.channel))};
  full.struct_size = static_cast<uint32_t>(std::min(element_size, sizeof full));
  std::memcpy(reinterpret_cast<unsigned char*>(out) + i * element_size, &full, full.struct_size);
}

}  // namespace

PolicyPlugin::PolicyPlugin(std::shared_ptr<const Plugin> plugin, SessionSource sessions)
    : plugin_(std::move(plugin)), sessions_(std::move(sessions)) {
  fill_services(services_, this);
  services_.customer_session_count = &count_thunk;
  services_.customer_sessions = &sessions_thunk;
}

std::expected<std::unique_ptr<PolicyPlugin>, PluginError> PolicyPlugin::create(
    std::shared_ptr<const Plugin> plugin, std::string_view config, SessionSource sessions) {
  if (!plugin || plugin->kind() != PluginKind::policy)
    return std::unexpected(wrong_kind(plugin.get(), PluginKind::policy));
  std::unique_ptr<PolicyPlugin> self(new PolicyPlugin(plugin, std::move(sessions)));
  ErrorText error;
  omni_status status = plugin->policy_vtable().create(&self->services_, config.data(),
                                                      config.size(), &self->instance_, &error.raw);
  if (status != OMNI_OK) {
    self->instance_ = nullptr;
    return std::unexpected(error.to_error(plugin->name(), "create", status));
  }
  if (self->instance_ == nullptr) return std::unexpected(no_instance(plugin->name()));
  return self;
}

PolicyPlugin::~PolicyPlugin() {
  if (instance_ != nullptr) plugin_->policy_vtable().destroy(instance_);
}

omni::PolicyVerdict PolicyPlugin::check(const omni::PolicyRequest& request) noexcept {
  omni_policy_request in{};
  in.struct_size = sizeof in;
  in.op = static_cast<int32_t>(request.op);
  in.customer = index(request.customer);
  in.is_bot = request.is_bot ? 1 : 0;
  in.has_from = request.has_from ? 1 : 0;
  in.from_item = request.has_from ? index(request.from_item) : 0;
  in.from_queue = request.has_from ? index(request.from_queue) : OMNI_NO_ID;
  bool outbound = is_outbound(request.op);
  in.to_queue = outbound ? OMNI_NO_ID : index(request.to_queue);
  in.to_service = index(request.to_service);
  in.to_channel = outbound ? OMNI_NO_ID : index(request.to_channel);

  char reason[kMaxReasonLength + 1];  // the plugin writes reason_length bytes and a NUL
  omni_policy_verdict out{};
  out.struct_size = sizeof out;
  out.reason = reason;
  out.reason_capacity = sizeof reason;
  ErrorText error;

  CheckScope saved = current_check;
  current_check = {this, &request};
  omni_status status = plugin_->policy_vtable().check(instance_, &in, &out, &error.raw);
  current_check = saved;

  if (status != OMNI_OK) {
    // A broken policy must not let work through silently: refuse, and say which and why.
    // An undefined status or an error without a message still refuses, naming the plugin.
    char text[kMaxReasonLength + 1];
    const std::string_view message = error.view().empty() ? "(no message)" : error.view();
    int n = is_defined_status(status)
                ? std::snprintf(text, sizeof text, "policy %s failed (%s): %.*s",
                                plugin_->info().name.c_str(), status_name(status).data(),
                                static_cast<int>(message.size()), message.data())
                : std::snprintf(text, sizeof text, "policy %s returned undefined status %d",
                                plugin_->info().name.c_str(), static_cast<int>(status));
    return {false, intern({text, static_cast<size_t>(std::clamp(n, 0, int(sizeof text) - 1))})};
  }
  if (out.allow != 0) return {true, {}};
  std::string_view text{reason, std::min(out.reason_length, sizeof reason - 1)};
  if (text.empty()) text = "refused by a policy that gave no reason";
  return {false, intern(text)};
}

std::string_view PolicyPlugin::intern(std::string_view reason) noexcept {
  reason = reason.substr(0, kMaxReasonLength);
  auto find_below = [&](size_t from, size_t count) -> std::string_view {
    for (size_t i = from; i < count; ++i)
      if (std::string_view{reasons_[i].text.data(), reasons_[i].length} == reason)
        return {reasons_[i].text.data(), reasons_[i].length};
    return {};
  };
  size_t published = reason_count_.load(std::memory_order_acquire);  // pairs with the release below
  if (auto found = find_below(0, published); !found.empty()) return found;
  std::lock_guard lock(reasons_mutex_);
  size_t count = reason_count_.load(std::memory_order_relaxed);  // writers are serialized
  if (auto found = find_below(published, count); !found.empty()) return found;
  if (count == kMaxReasons) return "refused by a policy (too many distinct reasons to keep the text)";
  Reason& slot = reasons_[count];
  std::memcpy(slot.text.data(), reason.data(), reason.size());
  slot.length = reason.size();
  reason_count_.store(count + 1, std::memory_order_release);  // publishes the slot
  return {slot.text.data(), slot.length};
}

omni_status PolicyPlugin::count_thunk(void* host, uint64_t customer, size_t* count) {
  if (count == nullptr) return OMNI_ERR_INVALID_ARGUMENT;
  return sessions_thunk(host, customer, nullptr, 0, sizeof(omni_session_info), count);
}

omni_status PolicyPlugin::sessions_thunk(void* host, uint64_t customer, omni_session_info* out,
                                         size_t capacity, size_t element_size, size_t* total) {
  if (total == nullptr || (out == nullptr && capacity != 0) || element_size < sizeof(uint32_t))
    return OMNI_ERR_INVALID_ARGUMENT;
  auto* self = static_cast<PolicyPlugin*>(host);
  const CheckScope& scope = current_check;
  if (scope.owner == self && index(scope.request->customer) == customer) {
    std::span<const SessionInfo> sessions = scope.request->sessions;
    *total = sessions.size();
    for (size_t i = 0; i < sessions.size() && i < capacity; ++i)
      write_session(out, element_size, i, sessions[i]);
    return OMNI_OK;
  }
  if (!self->sessions_) return OMNI_ERR_UNSUPPORTED;
  try {
    std::vector<SessionInfo> buffer(capacity);
    size_t count = self->sessions_(CustomerId{customer}, buffer);
    *total = count;
    for (size_t i = 0; i < count && i < capacity; ++i) write_session(out, element_size, i, buffer[i]);
    return OMNI_OK;
  } catch (...) {
    return OMNI_ERR_INTERNAL;
  }
}

}  // namespace omni::runtime
