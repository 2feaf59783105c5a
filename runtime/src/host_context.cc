#include "omnikernel/runtime/host_context.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "omnikernel/sdk/customer_id.hpp"

namespace omni::runtime {

HostContext::HostContext(HostOptions options) : options_(std::move(options)) {
  fill_services(services_, this);
}

void HostContext::log(int32_t level, std::string_view plugin, std::string_view message) const noexcept {
  if (level < OMNI_LOG_DEBUG || level > OMNI_LOG_ERROR) level = OMNI_LOG_ERROR;
  message = message.substr(0, kMaxLogLineBytes);
  if (options_.log) {
    try {
      options_.log(static_cast<LogLevel>(level), plugin, message);
    } catch (...) {  // a host's log sink must not unwind into plugin code
    }
    return;
  }
  if (level >= OMNI_LOG_WARN)
    std::fprintf(stderr, "omni plugin %.*s%s%s: %.*s\n", static_cast<int>(plugin.size()),
                 plugin.data(), plugin.empty() ? "" : " ",
                 level >= OMNI_LOG_ERROR ? "error" : "warning", static_cast<int>(message.size()),
                 message.data());
}

int64_t HostContext::now_ns() const noexcept {
  return options_.clock == nullptr ? 0 : options_.clock->now().time_since_epoch().count();
}

omni_status HostContext::customer_id(std::string_view external_id,
                                     uint64_t* customer) const noexcept {
  if (customer == nullptr || external_id.empty()) return OMNI_ERR_INVALID_ARGUMENT;
  if (!options_.customer_id) {
    *customer = omni::sdk::fnv1a_customer_id(external_id);
    return OMNI_OK;
  }
  try {
    uint64_t id = options_.customer_id(external_id);
    if (id == 0) return OMNI_ERR_INTERNAL;
    *customer = id;
    return OMNI_OK;
  } catch (...) {
    return OMNI_ERR_INTERNAL;
  }
}

}  // namespace omni::runtime
