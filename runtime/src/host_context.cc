#include "omnikernel/runtime/host_context.h"

#include <cstdio>
#include <utility>

namespace omni::runtime {
namespace {

void log_thunk(void* host, int32_t level, const char* message, size_t length) {
  if (message == nullptr) length = 0;
  static_cast<const HostContext*>(host)->log(level, {message, length});
}

int64_t now_thunk(void* host) { return static_cast<const HostContext*>(host)->now_ns(); }

omni_status no_session_count(void*, uint64_t, size_t*) { return OMNI_ERR_UNSUPPORTED; }
omni_status no_sessions(void*, uint64_t, omni_session_info*, size_t, size_t, size_t*) {
  return OMNI_ERR_UNSUPPORTED;
}

}  // namespace

HostContext::HostContext(HostOptions options) : options_(std::move(options)) {
  services_.struct_size = sizeof services_;
  services_.abi_version = OMNI_ABI_VERSION;
  services_.host = this;
  services_.log = &log_thunk;
  services_.now_ns = &now_thunk;
  services_.customer_session_count = &no_session_count;
  services_.customer_sessions = &no_sessions;
}

void HostContext::log(int32_t level, std::string_view message) const noexcept {
  if (options_.log) {
    try {
      options_.log(static_cast<LogLevel>(level), message);
    } catch (...) {  // a host's log sink must not unwind into plugin code
    }
    return;
  }
  if (level >= OMNI_LOG_WARN)
    std::fprintf(stderr, "omni plugin %s: %.*s\n", level >= OMNI_LOG_ERROR ? "error" : "warning",
                 static_cast<int>(message.size()), message.data());
}

int64_t HostContext::now_ns() const noexcept {
  return options_.clock == nullptr ? 0 : options_.clock->now().time_since_epoch().count();
}

}  // namespace omni::runtime
