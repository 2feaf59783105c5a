// What the host offers plugins through omni_host_services: a log sink and the injected clock.
// One HostContext is shared (std::shared_ptr) by a loader, its plugins and their instances, so
// the services table a plugin was given stays valid for as long as the plugin can call it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "omnikernel/sdk/omni_plugin.h"
#include "omnikernel/time.h"

namespace omni::runtime {

enum class LogLevel : int32_t {
  debug = OMNI_LOG_DEBUG,
  info = OMNI_LOG_INFO,
  warn = OMNI_LOG_WARN,
  error = OMNI_LOG_ERROR,
};

// One log line of a plugin: its name (empty while its entry function runs) and the message.
using LogSink =
    std::function<void(LogLevel level, std::string_view plugin, std::string_view message)>;
// Maps a customer's external id to the CustomerId policies see; must never return 0.
using CustomerIdMapping = std::function<uint64_t(std::string_view external_id)>;

// Longest plugin log line passed on; longer ones are cut (a plugin's length is not trusted).
inline constexpr size_t kMaxLogLineBytes = 4096;

struct HostOptions {
  LogSink log;                       // empty = warnings and errors go to stderr
  const omni::Clock* clock = nullptr;  // must outlive every plugin instance; null = now() is 0
  // The customer_id host service; empty = omni::sdk::fnv1a_customer_id (what the simulator and
  // the omni CLI use). Called concurrently from any thread.
  CustomerIdMapping customer_id;
};

class HostContext {
 public:
  explicit HostContext(HostOptions options);
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;

  // Services without a session view (session queries answer OMNI_ERR_UNSUPPORTED) nor a plugin
  // name: what entry functions get. Each Plugin has its own table naming it (Plugin::services).
  [[nodiscard]] const omni_host_services* services() const noexcept { return &services_; }

  // A plugin's log line: an undefined level counts as an error, and a line is cut at
  // kMaxLogLineBytes.
  void log(int32_t level, std::string_view plugin, std::string_view message) const noexcept;
  [[nodiscard]] int64_t now_ns() const noexcept;
  [[nodiscard]] omni_status customer_id(std::string_view external_id,
                                        uint64_t* customer) const noexcept;

  // For fill_services: the table's host is the context itself, with no plugin name.
  void log_line(int32_t level, std::string_view message) const noexcept { log(level, {}, message); }
  [[nodiscard]] const HostContext& host_context() const noexcept { return *this; }

 private:
  HostOptions options_;
  omni_host_services services_{};
};

// Fills `services` with this host's functions: log, now_ns and customer_id forward to `host_of`
// (a function of the table's `host` pointer), sessions answer OMNI_ERR_UNSUPPORTED. The table's
// `host` pointer is `self`; PolicyPlugin replaces the session queries.
template <class Self>
void fill_services(omni_host_services& services, Self* self) noexcept {
  services.struct_size = sizeof services;
  services.abi_version = OMNI_ABI_VERSION;
  services.host = const_cast<void*>(static_cast<const void*>(self));
  services.log = [](void* host, int32_t level, const char* message, size_t length) {
    static_cast<Self*>(host)->log_line(level, message == nullptr ? std::string_view{}
                                                                  : std::string_view{message, length});
  };
  services.now_ns = [](void* host) { return static_cast<Self*>(host)->host_context().now_ns(); };
  services.customer_session_count = [](void*, uint64_t, size_t*) -> omni_status {
    return OMNI_ERR_UNSUPPORTED;
  };
  services.customer_sessions = [](void*, uint64_t, omni_session_info*, size_t, size_t,
                                  size_t*) -> omni_status { return OMNI_ERR_UNSUPPORTED; };
  services.customer_id = [](void* host, const char* id, size_t length, uint64_t* customer) {
    if (id == nullptr) length = 0;
    return static_cast<Self*>(host)->host_context().customer_id({id, length}, customer);
  };
}

}  // namespace omni::runtime
