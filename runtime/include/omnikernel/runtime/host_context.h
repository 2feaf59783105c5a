// What the host offers plugins through omni_host_services: a log sink and the injected clock.
// One HostContext is shared (std::shared_ptr) by a loader, its plugins and their instances, so
// the services table a plugin was given stays valid for as long as the plugin can call it.
#pragma once
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

using LogSink = std::function<void(LogLevel level, std::string_view plugin_message)>;

struct HostOptions {
  LogSink log;                       // empty = warnings and errors go to stderr
  const omni::Clock* clock = nullptr;  // must outlive every plugin instance; null = now() is 0
};

class HostContext {
 public:
  explicit HostContext(HostOptions options);
  HostContext(const HostContext&) = delete;
  HostContext& operator=(const HostContext&) = delete;

  // Services without a session view (session queries answer OMNI_ERR_UNSUPPORTED).
  [[nodiscard]] const omni_host_services* services() const noexcept { return &services_; }

  void log(int32_t level, std::string_view message) const noexcept;
  [[nodiscard]] int64_t now_ns() const noexcept;

 private:
  HostOptions options_;
  omni_host_services services_{};
};

}  // namespace omni::runtime
