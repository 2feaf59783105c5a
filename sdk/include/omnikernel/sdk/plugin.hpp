// omnikernel plugin SDK for C++ — include this one header in a plugin.
//
//   class MyAdapter final : public omni::sdk::ChannelAdapter { ... };
//   OMNI_PLUGIN(MyAdapter, "my_adapter", "1.0.0")
//
// OMNI_PLUGIN defines the exported C entry symbol (omni_plugin_entry) and the C vtable of the
// class's kind. Everything here is compiled INTO the plugin with the vendor's own compiler and
// standard library: only omni_plugin.h types cross to the host. Every exception a method throws
// is caught at the boundary and becomes an omni_status plus a message (omni::sdk::Error keeps its
// status; std::bad_alloc is OMNI_ERR_OUT_OF_MEMORY; anything else OMNI_ERR_INTERNAL).
//
// To unit-test a plugin without the kernel see fake_host.hpp; omni::sdk::entry<MyAdapter> is the
// entry function as a value, usable even when several plugins are compiled into one test.
#pragma once
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <string_view>
#include <type_traits>

#include "omnikernel/sdk/channel_adapter.hpp"
#include "omnikernel/sdk/error.hpp"
#include "omnikernel/sdk/host.hpp"
#include "omnikernel/sdk/omni_plugin.h"
#include "omnikernel/sdk/policy.hpp"

namespace omni::sdk {

// Name and version of a plugin class; OMNI_PLUGIN / OMNI_PLUGIN_INFO specialize it.
template <class T>
struct plugin_info;

namespace detail {

// Copies `text` into a caller-owned message buffer (truncating, NUL-terminated).
inline void write_text(char* buffer, size_t capacity, size_t* length,
                       std::string_view text) noexcept {
  size_t n = 0;
  if (buffer != nullptr && capacity > 0) {
    n = std::min(text.size(), capacity - 1);
    if (n > 0) std::memcpy(buffer, text.data(), n);
    buffer[n] = '\0';
  }
  if (length != nullptr) *length = n;
}

inline void set_error(omni_error* error, std::string_view text) noexcept {
  if (error != nullptr && OMNI_STRUCT_HAS(error, omni_error, length))
    write_text(error->message, error->capacity, &error->length, text);
}

// printf-style set_error that never allocates (usable outside guarded()).
template <class... Args>
void set_error_f(omni_error* error, const char* format, Args... args) noexcept {
  char text[256];
  int n = std::snprintf(text, sizeof text, format, args...);
  set_error(error, std::string_view{text, n < 0 ? 0 : std::min<size_t>(n, sizeof text - 1)});
}

// Runs `body` (which returns an omni_status) and turns any exception into a status + message.
template <class Body>
omni_status guarded(omni_error* error, Body&& body) noexcept {
  try {
    return body();
  } catch (const Error& e) {
    set_error(error, e.what());
    return e.status();
  } catch (const std::bad_alloc&) {
    set_error(error, "out of memory");
    return OMNI_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    set_error(error, e.what());
    return OMNI_ERR_INTERNAL;
  } catch (...) {
    set_error(error, "unknown exception caught at the plugin boundary");
    return OMNI_ERR_INTERNAL;
  }
}

inline std::string_view view(omni_str s) noexcept {
  return s.data == nullptr ? std::string_view{} : std::string_view{s.data, s.size};
}

template <class T>
T* construct(const omni_host_services* services, std::string_view config) {
  if constexpr (std::is_constructible_v<T, Host, std::string_view>) {
    return new T(Host{services}, config);
  } else if constexpr (std::is_constructible_v<T, Host>) {
    return new T(Host{services});
  } else if constexpr (std::is_constructible_v<T, std::string_view>) {
    return new T(config);
  } else {
    static_assert(std::is_default_constructible_v<T>,
                  "a plugin class needs a constructor taking (omni::sdk::Host, std::string_view), "
                  "(omni::sdk::Host), (std::string_view) or nothing");
    return new T();
  }
}

template <class T>
omni_status create(const omni_host_services* services, const char* config, size_t config_length,
                   void** instance, omni_error* error) noexcept {
  if (instance == nullptr) {
    set_error(error, "create: instance is NULL");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  *instance = nullptr;
  if (config == nullptr && config_length != 0) {
    set_error(error, "create: config is NULL but config_length is not 0");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  return guarded(error, [&] {
    std::string_view text = config == nullptr ? std::string_view{} : std::string_view{config, config_length};
    T* created = construct<T>(services, text);
    if constexpr (std::is_base_of_v<ChannelAdapter, T>) {
      // A host that passed no services table told us nothing: assume the oldest minor.
      const bool known = services != nullptr && OMNI_STRUCT_HAS(services, omni_host_services, abi_version);
      created->set_host_abi_version(known ? services->abi_version : OMNI_ABI_MAKE_VERSION(1, 0));
    }
    *instance = static_cast<void*>(created);
    return OMNI_OK;
  });
}

template <class T>
void destroy(void* instance) noexcept {
  try {
    delete static_cast<T*>(instance);
  } catch (...) {  // a throwing destructor must not cross either
  }
}

// ---- channel adapters ------------------------------------------------------------------------

template <class T>
omni_status run_parse(void* instance, const char* payload, size_t length, MessageSink& messages,
                      omni_error* error) noexcept {
  return guarded(error, [&] {
    ChannelAdapter& adapter = *static_cast<T*>(instance);
    messages.set_host_abi_version(adapter.host_abi_version());
    adapter.parse(payload == nullptr ? std::string_view{} : std::string_view{payload, length},
                  messages);
    return OMNI_OK;
  });
}

// The ABI 1.0 parse(): customer messages only, and the first rejection refuses the payload.
template <class T>
omni_status parse(void* instance, const char* payload, size_t length, omni_message_sink sink,
                  void* sink_ctx, omni_error* error) noexcept {
  if (instance == nullptr || sink == nullptr || (payload == nullptr && length != 0)) {
    set_error(error, "parse: instance, sink or payload is NULL");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  MessageSink messages{sink, sink_ctx};
  omni_status status = run_parse<T>(instance, payload, length, messages, error);
  if (status != OMNI_OK) return status;
  if (messages.status() != OMNI_OK) {
    set_error(error, "parse: the host's sink stopped the parse");
    return messages.status();
  }
  if (messages.refused()) {
    set_error(error, messages.refusal());
    return OMNI_ERR_MALFORMED_PAYLOAD;
  }
  return OMNI_OK;
}

// parse_partial (ABI 1.2): every message and every rejection goes to the host as it comes.
template <class T>
omni_status parse_partial(void* instance, const char* payload, size_t length,
                          omni_message_sink sink, omni_rejection_sink reject, void* sink_ctx,
                          omni_error* error) noexcept {
  if (instance == nullptr || sink == nullptr || reject == nullptr ||
      (payload == nullptr && length != 0)) {
    set_error(error, "parse_partial: instance, a sink or payload is NULL");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  MessageSink messages{sink, reject, sink_ctx};
  omni_status status = run_parse<T>(instance, payload, length, messages, error);
  if (status == OMNI_ERR_MALFORMED_PAYLOAD && messages.rejected() == 0 &&
      messages.status() == OMNI_OK) {
    // The adapter threw without reporting the refusal: the host still gets it typed, once.
    const bool has_text = error != nullptr && OMNI_STRUCT_HAS(error, omni_error, length) &&
                          error->message != nullptr && error->length > 0;
    const std::string_view text = has_text ? std::string_view{error->message, error->length}
                                           : std::string_view{"malformed payload"};
    (void)messages.reject({RejectCode::other, {}, text, {}});
  }
  if (status == OMNI_OK && messages.status() != OMNI_OK) {
    set_error(error, "parse_partial: the host's sink stopped the parse");
    return messages.status();
  }
  return status;
}

template <class T>
omni_status gate_outbound(void* instance, const omni_outbound_request* request,
                          omni_outbound_verdict* verdict, omni_error* error) noexcept {
  if (instance == nullptr || request == nullptr || verdict == nullptr) {
    set_error(error, "gate_outbound: instance, request or verdict is NULL");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  if (!OMNI_STRUCT_HAS(request, omni_outbound_request, text_out_capacity) ||
      !OMNI_STRUCT_HAS(verdict, omni_outbound_verdict, message_length)) {
    set_error(error, "gate_outbound: request or verdict is smaller than ABI 1.0 defines");
    return OMNI_ERR_ABI_MISMATCH;
  }
  if (request->kind != OMNI_OUTBOUND_FREE_FORM && request->kind != OMNI_OUTBOUND_TEMPLATE) {
    set_error_f(error, "gate_outbound: unknown kind %d", static_cast<int>(request->kind));
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  OutboundRequest in;
  in.kind = static_cast<OutboundKind>(request->kind);
  in.customer = view(request->customer);
  if (request->last_inbound_ms != OMNI_NO_TIMESTAMP) in.last_inbound_ms = request->last_inbound_ms;
  in.now_ms = request->now_ms;
  in.human_agent_tag = request->human_agent_tag != 0;
  in.text = view(request->text);
  in.agent_alias = view(request->agent_alias);
  TextOut text{request->text_out, request->text_out_capacity};
  return guarded(error, [&] {
    ChannelAdapter& adapter = *static_cast<T*>(instance);
    OutboundVerdict decision = adapter.gate_outbound(in, text);
    verdict->allowed = decision.allowed ? 1u : 0u;
    verdict->reason = decision.allowed ? OMNI_GATE_ALLOWED : static_cast<int32_t>(decision.reason);
    verdict->text_length = text.size();
    write_text(verdict->message, verdict->message_capacity, &verdict->message_length,
               decision.message);
    if (text.overflowed()) {
      set_error_f(error, "gate_outbound: text_out holds %zu bytes, %zu needed",
                  request->text_out_capacity, text.size());
      return OMNI_ERR_BUFFER_TOO_SMALL;
    }
    return OMNI_OK;
  });
}

template <class T>
inline constexpr omni_channel_adapter_vtable adapter_vtable{
    sizeof(omni_channel_adapter_vtable), 0, &create<T>, &destroy<T>, &parse<T>, &gate_outbound<T>,
    &parse_partial<T>};

// ---- policies --------------------------------------------------------------------------------

template <class T>
omni_status check(void* instance, const omni_policy_request* request,
                  omni_policy_verdict* verdict, omni_error* error) noexcept {
  if (instance == nullptr || request == nullptr || verdict == nullptr) {
    set_error(error, "check: instance, request or verdict is NULL");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  if (!OMNI_STRUCT_HAS(request, omni_policy_request, to_channel) ||
      !OMNI_STRUCT_HAS(verdict, omni_policy_verdict, reason_length)) {
    set_error(error, "check: request or verdict is smaller than ABI 1.0 defines");
    return OMNI_ERR_ABI_MISMATCH;
  }
  if (request->op < OMNI_POLICY_OPEN || request->op > OMNI_POLICY_OUTBOUND_BROADCAST) {
    set_error_f(error, "check: unknown op %d", static_cast<int>(request->op));
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  PolicyRequest in;
  in.op = static_cast<PolicyOp>(request->op);
  in.customer = request->customer;
  in.is_bot = request->is_bot != 0;
  in.has_from = request->has_from != 0;
  in.from_item = request->from_item;
  in.from_queue = request->from_queue;
  in.to_queue = request->to_queue;
  in.to_service = request->to_service;
  in.to_channel = request->to_channel;
  return guarded(error, [&] {
    Policy& policy = *static_cast<T*>(instance);
    PolicyVerdict decision = policy.check(in);
    verdict->allow = decision.allow ? 1u : 0u;
    verdict->reason_code = decision.allow ? 0 : decision.code;
    write_text(verdict->reason, verdict->reason_capacity, &verdict->reason_length,
               decision.allow ? std::string_view{} : decision.reason);
    return OMNI_OK;
  });
}

template <class T>
inline constexpr omni_policy_vtable policy_vtable{sizeof(omni_policy_vtable), 0, &create<T>,
                                                  &destroy<T>, &check<T>};

}  // namespace detail

// The entry function of plugin class T (what OMNI_PLUGIN exports as omni_plugin_entry).
template <class T>
omni_status entry(const omni_host_services* services, uint32_t host_abi_version,
                  omni_plugin_descriptor* descriptor, omni_error* error) noexcept {
  constexpr bool is_adapter = std::is_base_of_v<ChannelAdapter, T>;
  constexpr bool is_policy = std::is_base_of_v<Policy, T>;
  static_assert(is_adapter != is_policy,
                "a plugin class derives from exactly one of omni::sdk::ChannelAdapter, "
                "omni::sdk::Policy");
  if (descriptor == nullptr || descriptor->struct_size < sizeof(uint32_t)) {
    detail::set_error(error, "entry: descriptor is NULL or has no struct_size");
    return OMNI_ERR_INVALID_ARGUMENT;
  }
  if (OMNI_ABI_VERSION_MAJOR_OF(host_abi_version) != OMNI_ABI_VERSION_MAJOR) {
    detail::set_error_f(error, "entry: the host speaks ABI %u.%u, this plugin ABI %u.%u",
                        OMNI_ABI_VERSION_MAJOR_OF(host_abi_version),
                        OMNI_ABI_VERSION_MINOR_OF(host_abi_version),
                        unsigned{OMNI_ABI_VERSION_MAJOR}, unsigned{OMNI_ABI_VERSION_MINOR});
    return OMNI_ERR_ABI_MISMATCH;
  }
  (void)services;  // instances receive the services in create()
  omni_plugin_descriptor mine{};
  mine.struct_size = sizeof(mine);
  mine.abi_version = OMNI_ABI_VERSION;
  mine.name = plugin_info<T>::name;
  mine.version = plugin_info<T>::version;
  if constexpr (is_adapter) {
    mine.kind = OMNI_PLUGIN_KIND_CHANNEL_ADAPTER;
    mine.vtable = &detail::adapter_vtable<T>;
  } else {
    mine.kind = OMNI_PLUGIN_KIND_POLICY;
    mine.vtable = &detail::policy_vtable<T>;
  }
  // Write only what the host's descriptor holds, then tell it how large ours is.
  std::memcpy(descriptor, &mine, std::min<size_t>(descriptor->struct_size, sizeof(mine)));
  descriptor->struct_size = sizeof(mine);
  return OMNI_OK;
}

}  // namespace omni::sdk

// Names a plugin class without exporting an entry symbol (e.g. several plugins in one test).
#define OMNI_PLUGIN_INFO(Class, Name, Version)            \
  template <>                                             \
  struct omni::sdk::plugin_info<Class> {                  \
    static constexpr const char* name = Name;             \
    static constexpr const char* version = Version;       \
  }

// Makes `Class` (derived from omni::sdk::ChannelAdapter or omni::sdk::Policy) a plugin named
// `Name` (unique, [a-z0-9_.-]+) of version `Version`. Write it once per plugin library.
#define OMNI_PLUGIN(Class, Name, Version)                                                        \
  OMNI_PLUGIN_INFO(Class, Name, Version);                                                        \
  extern "C" OMNI_PLUGIN_EXPORT omni_status omni_plugin_entry(                                   \
      const omni_host_services* services, uint32_t host_abi_version,                             \
      omni_plugin_descriptor* descriptor, omni_error* error) {                                   \
    return ::omni::sdk::entry<Class>(services, host_abi_version, descriptor, error);             \
  }                                                                                              \
  static_assert(true, "OMNI_PLUGIN ends with a semicolon")
