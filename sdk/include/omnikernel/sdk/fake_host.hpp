// omni::sdk::testing::FakeHost — unit-test a plugin without the kernel or the loader.
//
//   omni::sdk::testing::FakeHost host;
//   host.set_sessions(42, {{.queue = 1, .service = 7}});
//   auto policy = host.policy(omni::sdk::entry<MyPolicy>, R"({"flag":true})");
//   auto verdict = policy.check({.op = omni::sdk::PolicyOp::open, .customer = 42, .to_service = 7});
//   EXPECT_FALSE(verdict.allow);
//
// It speaks to the plugin only through the C ABI (the entry function and its vtable), exactly as
// the real host does: pass omni::sdk::entry<T> for a plugin compiled into the test, or open a
// built plugin file with FakeHost::open_entry(path) (dlopen). Owned copies of everything the
// plugin returns make assertions easy. Not for production: it allocates freely, and its session
// table must not be changed while a plugin runs on another thread.
#pragma once
#include <dlfcn.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "omnikernel/sdk/channel_adapter.hpp"
#include "omnikernel/sdk/customer_id.hpp"
#include "omnikernel/sdk/omni_plugin.h"
#include "omnikernel/sdk/policy.hpp"

namespace omni::sdk::testing {

struct Session {
  uint64_t item = 0;
  uint32_t queue = 0;
  uint32_t service = 0;
  uint32_t channel = 0;
};

struct LogLine {
  int32_t level = OMNI_LOG_INFO;
  std::string text;
};

struct Message {  // an omni_inbound_message with owned strings
  std::string channel, customer, account, conversation, message_id, kind, text;
  int64_t timestamp_ms = 0;
  int32_t event = OMNI_EVENT_MESSAGE;
  std::string language;      // ABI 1.3; empty when absent
  uint32_t struct_size = 0;  // as the adapter sized it (ABI 1.2's for a host older than 1.3)
};

struct Rejected {  // an omni_message_rejection with owned strings
  int32_t code = 0;
  std::string path, detail, message_id;
};

struct ParseResult {
  omni_status status = OMNI_OK;
  std::string error;
  std::vector<Message> messages;   // those delivered before any error
  std::vector<Rejected> rejections;  // parse_partial only: the parts that were not delivered
};

struct GateResult {
  omni_status status = OMNI_OK;
  std::string error;
  bool allowed = false;
  int32_t reason = OMNI_GATE_ALLOWED;
  std::string message;  // refusal explanation
  std::string text;     // the text to send
};

struct CheckResult {
  omni_status status = OMNI_OK;
  std::string error;
  bool allow = false;
  int32_t code = 0;
  std::string reason;
};

// The result of calling a plugin's entry function.
struct Loaded {
  omni_status status = OMNI_OK;
  std::string error;
  omni_plugin_descriptor descriptor{};
  [[nodiscard]] std::string_view name() const { return descriptor.name ? descriptor.name : ""; }
  [[nodiscard]] std::string_view version() const {
    return descriptor.version ? descriptor.version : "";
  }
};

namespace detail {
struct ErrorBuffer {
  char text[512] = {};
  omni_error error{sizeof(omni_error), 0, text, sizeof text, 0};
  [[nodiscard]] std::string str() const { return std::string(text, error.length); }
};
inline omni_str str(std::string_view s) { return {s.data(), s.size()}; }
inline std::string owned(omni_str s) { return s.data ? std::string(s.data, s.size) : std::string{}; }
}  // namespace detail

class FakeHost;

// A live plugin instance, destroyed with the object.
template <class Vtable>
class Instance {
 public:
  Instance(const Vtable* vtable, void* instance, omni_status status, std::string error)
      : vtable_(vtable), instance_(instance), status_(status), error_(std::move(error)) {}
  Instance(Instance&& other) noexcept
      : vtable_(other.vtable_), instance_(std::exchange(other.instance_, nullptr)),
        status_(other.status_), error_(std::move(other.error_)) {}
  Instance& operator=(Instance&&) = delete;
  ~Instance() {
    if (instance_ != nullptr) vtable_->destroy(instance_);
  }

  // The outcome of the entry call and of create().
  [[nodiscard]] omni_status status() const { return status_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] bool ok() const { return status_ == OMNI_OK && instance_ != nullptr; }

 protected:
  void require() const {
    if (!ok()) throw std::logic_error("plugin instance was not created: " + error_);
  }
  const Vtable* vtable_;
  void* instance_;
  omni_status status_;
  std::string error_;
};

class FakeAdapter : public Instance<omni_channel_adapter_vtable> {
 public:
  using Instance::Instance;

  // Through parse_partial (ABI 1.2) when the adapter offers it, as omnikernel's hosts do;
  // otherwise through the ABI 1.0 parse().
  [[nodiscard]] ParseResult parse(std::string_view payload) const {
    require();
    if (!OMNI_STRUCT_HAS(vtable_, omni_channel_adapter_vtable, parse_partial) ||
        vtable_->parse_partial == nullptr)
      return parse_abi_1_0(payload);
    ParseResult result;
    detail::ErrorBuffer error;
    result.status = vtable_->parse_partial(instance_, payload.data(), payload.size(), &collect,
                                           &collect_rejection, &result, &error.error);
    if (result.status != OMNI_OK) result.error = error.str();
    return result;
  }

  // Through the ABI 1.0 parse(), as an older host calls it: customer messages only, and a
  // payload accepted whole or refused whole.
  [[nodiscard]] ParseResult parse_abi_1_0(std::string_view payload) const {
    require();
    ParseResult result;
    detail::ErrorBuffer error;
    result.status = vtable_->parse(instance_, payload.data(), payload.size(), &collect, &result,
                                   &error.error);
    if (result.status != OMNI_OK) result.error = error.str();
    return result;
  }

  [[nodiscard]] GateResult gate(const OutboundRequest& request, size_t text_capacity = 4096) const {
    require();
    std::string text(text_capacity, '\0');
    char message[512] = {};
    omni_outbound_request in{};
    in.struct_size = sizeof in;
    in.kind = static_cast<int32_t>(request.kind);
    in.customer = detail::str(request.customer);
    in.last_inbound_ms = request.last_inbound_ms ? *request.last_inbound_ms : OMNI_NO_TIMESTAMP;
    in.now_ms = request.now_ms;
    in.human_agent_tag = request.human_agent_tag ? 1 : 0;
    in.text = detail::str(request.text);
    in.agent_alias = detail::str(request.agent_alias);
    in.text_out = text.data();
    in.text_out_capacity = text.size();
    omni_outbound_verdict out{};
    out.struct_size = sizeof out;
    out.message = message;
    out.message_capacity = sizeof message;
    detail::ErrorBuffer error;
    GateResult result;
    result.status = vtable_->gate_outbound(instance_, &in, &out, &error.error);
    if (result.status != OMNI_OK) result.error = error.str();
    result.allowed = out.allowed != 0;
    result.reason = out.reason;
    result.message.assign(message, out.message_length);
    if (result.status == OMNI_OK) result.text.assign(text.data(), out.text_length);
    return result;
  }

 private:
  static omni_status collect(void* context, const omni_inbound_message* m) {
    auto& result = *static_cast<ParseResult*>(context);
    result.messages.push_back({detail::owned(m->channel), detail::owned(m->customer),
                               detail::owned(m->account), detail::owned(m->conversation),
                               detail::owned(m->message_id), detail::owned(m->kind),
                               detail::owned(m->text), m->timestamp_ms,
                               OMNI_STRUCT_HAS(m, omni_inbound_message, event)
                                   ? m->event
                                   : int32_t{OMNI_EVENT_MESSAGE},
                               OMNI_STRUCT_HAS(m, omni_inbound_message, language)
                                   ? detail::owned(m->language)
                                   : std::string{},
                               m->struct_size});
    return OMNI_OK;
  }
  static omni_status collect_rejection(void* context, const omni_message_rejection* r) {
    auto& result = *static_cast<ParseResult*>(context);
    result.rejections.push_back({r->code, detail::owned(r->path), detail::owned(r->detail),
                                 detail::owned(r->message_id)});
    return OMNI_OK;
  }
};

class FakePolicy : public Instance<omni_policy_vtable> {
 public:
  using Instance::Instance;

  [[nodiscard]] CheckResult check(const PolicyRequest& request) const {
    require();
    omni_policy_request in{};
    in.struct_size = sizeof in;
    in.op = static_cast<int32_t>(request.op);
    in.customer = request.customer;
    in.is_bot = request.is_bot ? 1 : 0;
    in.has_from = request.has_from ? 1 : 0;
    in.from_item = request.from_item;
    in.from_queue = request.from_queue;
    in.to_queue = request.to_queue;
    in.to_service = request.to_service;
    in.to_channel = request.to_channel;
    char reason[512] = {};
    omni_policy_verdict out{};
    out.struct_size = sizeof out;
    out.reason = reason;
    out.reason_capacity = sizeof reason;
    detail::ErrorBuffer error;
    CheckResult result;
    result.status = vtable_->check(instance_, &in, &out, &error.error);
    if (result.status != OMNI_OK) result.error = error.str();
    result.allow = out.allow != 0;
    result.code = out.reason_code;
    result.reason.assign(reason, out.reason_length);
    return result;
  }
};

class FakeHost {
 public:
  FakeHost() {
    services_.struct_size = sizeof services_;
    services_.abi_version = OMNI_ABI_VERSION;
    services_.host = this;
    services_.log = &log_thunk;
    services_.now_ns = &now_thunk;
    services_.customer_session_count = &count_thunk;
    services_.customer_sessions = &sessions_thunk;
    services_.customer_id = &customer_id_thunk;
  }
  FakeHost(const FakeHost&) = delete;  // plugins keep a pointer to services_
  FakeHost& operator=(const FakeHost&) = delete;

  [[nodiscard]] const omni_host_services* services() const { return &services_; }

  // ---- what the host services answer --------------------------------------------------------
  void set_now_ns(int64_t now) { now_ns_ = now; }
  void set_sessions(uint64_t customer, std::vector<Session> sessions) {
    sessions_[customer] = std::move(sessions);
  }
  void clear_sessions() { sessions_.clear(); }
  // Makes the session queries answer OMNI_ERR_UNSUPPORTED, like a host without a session view.
  void set_sessions_supported(bool supported) { sessions_supported_ = supported; }
  // The customer_id service (ABI 1.1) answers fnv1a_customer_id, as omnikernel's hosts do,
  // except for ids given here.
  void set_customer_id(std::string external_id, uint64_t customer) {
    customer_ids_[std::move(external_id)] = customer;
  }
  // Shrinks the services table to ABI 1.0's, without customer_id: how an older host looks.
  void set_abi_1_0_host() {
    services_.struct_size = static_cast<uint32_t>(offsetof(omni_host_services, customer_id));
    services_.abi_version = OMNI_ABI_MAKE_VERSION(1, 0);
  }
  // Says ABI 1.2 (the services table is unchanged since 1.1): how a host without
  // omni_inbound_message.language looks.
  void set_abi_1_2_host() { services_.abi_version = OMNI_ABI_MAKE_VERSION(1, 2); }
  [[nodiscard]] std::vector<LogLine> logs() const {
    std::lock_guard lock(log_mutex_);
    return logs_;
  }

  // ---- talking to a plugin --------------------------------------------------------------------
  [[nodiscard]] Loaded load(omni_plugin_entry_fn entry,
                            uint32_t abi_version = OMNI_ABI_VERSION) const {
    Loaded loaded;
    loaded.descriptor.struct_size = sizeof loaded.descriptor;
    detail::ErrorBuffer error;
    loaded.status = entry(&services_, abi_version, &loaded.descriptor, &error.error);
    if (loaded.status != OMNI_OK) loaded.error = error.str();
    return loaded;
  }

  [[nodiscard]] FakeAdapter adapter(omni_plugin_entry_fn entry, std::string_view config = {}) const {
    return create<FakeAdapter, omni_channel_adapter_vtable>(entry, config,
                                                            OMNI_PLUGIN_KIND_CHANNEL_ADAPTER);
  }
  [[nodiscard]] FakePolicy policy(omni_plugin_entry_fn entry, std::string_view config = {}) const {
    return create<FakePolicy, omni_policy_vtable>(entry, config, OMNI_PLUGIN_KIND_POLICY);
  }

  // Opens a built plugin file and returns its entry function. The library stays loaded for the
  // life of the process (tests do not care to unload).
  [[nodiscard]] static omni_plugin_entry_fn open_entry(const std::string& path) {
    void* library = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) throw std::runtime_error(path + ": " + ::dlerror());
    void* symbol = ::dlsym(library, OMNI_PLUGIN_ENTRY_SYMBOL);
    if (symbol == nullptr) throw std::runtime_error(path + ": no " OMNI_PLUGIN_ENTRY_SYMBOL);
    return reinterpret_cast<omni_plugin_entry_fn>(symbol);
  }

 private:
  template <class Result, class Vtable>
  Result create(omni_plugin_entry_fn entry, std::string_view config, int32_t kind) const {
    Loaded loaded = load(entry);
    if (loaded.status != OMNI_OK) return Result(nullptr, nullptr, loaded.status, loaded.error);
    if (loaded.descriptor.kind != kind || loaded.descriptor.vtable == nullptr)
      return Result(nullptr, nullptr, OMNI_ERR_INVALID_ARGUMENT,
                    "the plugin is not of the kind asked for");
    auto* vtable = static_cast<const Vtable*>(loaded.descriptor.vtable);
    void* instance = nullptr;
    detail::ErrorBuffer error;
    omni_status status =
        vtable->create(&services_, config.data(), config.size(), &instance, &error.error);
    if (status != OMNI_OK) return Result(vtable, nullptr, status, error.str());
    return Result(vtable, instance, OMNI_OK, {});
  }

  static FakeHost& self(void* host) { return *static_cast<FakeHost*>(host); }
  static void log_thunk(void* host, int32_t level, const char* text, size_t length) {
    std::lock_guard lock(self(host).log_mutex_);
    self(host).logs_.push_back({level, std::string(text, length)});
  }
  static int64_t now_thunk(void* host) { return self(host).now_ns_; }
  static omni_status count_thunk(void* host, uint64_t customer, size_t* count) {
    if (count == nullptr) return OMNI_ERR_INVALID_ARGUMENT;
    if (!self(host).sessions_supported_) return OMNI_ERR_UNSUPPORTED;
    auto found = self(host).sessions_.find(customer);
    *count = found == self(host).sessions_.end() ? 0 : found->second.size();
    return OMNI_OK;
  }
  static omni_status sessions_thunk(void* host, uint64_t customer, omni_session_info* out,
                                    size_t capacity, size_t element_size, size_t* total) {
    if (total == nullptr || (out == nullptr && capacity != 0) ||
        element_size < sizeof(uint32_t))
      return OMNI_ERR_INVALID_ARGUMENT;
    if (!self(host).sessions_supported_) return OMNI_ERR_UNSUPPORTED;
    auto found = self(host).sessions_.find(customer);
    static const std::vector<Session> none;
    const auto& list = found == self(host).sessions_.end() ? none : found->second;
    *total = list.size();
    for (size_t i = 0; i < list.size() && i < capacity; ++i) {
      omni_session_info full{sizeof(omni_session_info), list[i].queue, list[i].item,
                             list[i].service, list[i].channel};
      full.struct_size = static_cast<uint32_t>(std::min(element_size, sizeof full));
      std::memcpy(reinterpret_cast<unsigned char*>(out) + i * element_size, &full,
                  full.struct_size);
    }
    return OMNI_OK;
  }

  static omni_status customer_id_thunk(void* host, const char* id, size_t length,
                                       uint64_t* customer) {
    if (customer == nullptr || id == nullptr || length == 0) return OMNI_ERR_INVALID_ARGUMENT;
    std::string external(id, length);
    auto found = self(host).customer_ids_.find(external);
    *customer = found != self(host).customer_ids_.end() ? found->second
                                                        : fnv1a_customer_id(external);
    return OMNI_OK;
  }

  omni_host_services services_{};
  std::map<std::string, uint64_t, std::less<>> customer_ids_;
  int64_t now_ns_ = 0;
  bool sessions_supported_ = true;
  std::map<uint64_t, std::vector<Session>> sessions_;
  mutable std::mutex log_mutex_;
  std::vector<LogLine> logs_;
};

}  // namespace omni::sdk::testing
