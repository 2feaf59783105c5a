// omni::sdk::Host — the plugin's view of the host services table (omni_plugin.h). A cheap value
// wrapper: copy it freely. Every service is optional; an absent one degrades (log does nothing,
// now_ns() is 0, session queries and customer_id return std::nullopt) instead of crashing.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

enum class LogLevel : int32_t {
  debug = OMNI_LOG_DEBUG,
  info = OMNI_LOG_INFO,
  warn = OMNI_LOG_WARN,
  error = OMNI_LOG_ERROR,
};

using SessionInfo = omni_session_info;

class Host {
 public:
  Host() noexcept = default;
  explicit Host(const omni_host_services* services) noexcept : services_(services) {}

  [[nodiscard]] const omni_host_services* services() const noexcept { return services_; }

  void log(LogLevel level, std::string_view message) const noexcept {
    if (has(&omni_host_services::log, offsetof(omni_host_services, log)))
      services_->log(services_->host, static_cast<int32_t>(level), message.data(), message.size());
  }

  // The host's injected clock in ns since the host's epoch; 0 when the host offers none.
  [[nodiscard]] int64_t now_ns() const noexcept {
    return has(&omni_host_services::now_ns, offsetof(omni_host_services, now_ns))
               ? services_->now_ns(services_->host)
               : 0;
  }

  // How many sessions the host knows for `customer`; nullopt when it cannot tell here.
  [[nodiscard]] std::optional<size_t> session_count(uint64_t customer) const noexcept {
    if (!has(&omni_host_services::customer_session_count,
             offsetof(omni_host_services, customer_session_count)))
      return std::nullopt;
    size_t count = 0;
    if (services_->customer_session_count(services_->host, customer, &count) != OMNI_OK)
      return std::nullopt;
    return count;
  }

  // The host's customer id for an external id (what an adapter emits as a message's customer:
  // a wa_id, a phone number...), as policies see it in PolicyRequest::customer. nullopt when the
  // host does not offer the service (an ABI 1.0 host) or refuses the id (empty).
  [[nodiscard]] std::optional<uint64_t> customer_id(std::string_view external_id) const noexcept {
    if (!has(&omni_host_services::customer_id, offsetof(omni_host_services, customer_id)))
      return std::nullopt;
    uint64_t id = 0;
    if (services_->customer_id(services_->host, external_id.data(), external_id.size(), &id) !=
        OMNI_OK)
      return std::nullopt;
    return id;
  }

  // Copies up to out.size() of the customer's sessions into `out` and returns how many there
  // are (possibly more than out.size()); nullopt when the host cannot tell here.
  [[nodiscard]] std::optional<size_t> sessions(uint64_t customer,
                                               std::span<SessionInfo> out) const noexcept {
    if (!has(&omni_host_services::customer_sessions,
             offsetof(omni_host_services, customer_sessions)))
      return std::nullopt;
    size_t total = 0;
    if (services_->customer_sessions(services_->host, customer, out.data(), out.size(),
                                     sizeof(SessionInfo), &total) != OMNI_OK)
      return std::nullopt;
    return total;
  }

 private:
  // A service is present when the host's table is long enough to hold it and it is not NULL.
  template <class Fn>
  [[nodiscard]] bool has(Fn omni_host_services::*member, size_t offset) const noexcept {
    return services_ != nullptr && services_->struct_size >= offset + sizeof(void*) &&
           services_->*member != nullptr;
  }

  const omni_host_services* services_ = nullptr;
};

}  // namespace omni::sdk
