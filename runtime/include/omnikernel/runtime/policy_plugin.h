// omni::runtime::PolicyPlugin — a policy plugin instance seen by the kernel as an
// omni::PolicyHook. During check() the plugin's session queries (omni_host_services
// customer_sessions) are answered from the PolicyRequest::sessions snapshot the kernel passes, so
// a policy sees exactly what the kernel decided on; outside a check an optional SessionSource
// answers (e.g. Kernel::sessions_of), else the query is unsupported.
//
// check() is noexcept, allocation-free on every path that reuses a known reason, and thread-safe:
// the snapshot is bound per thread. A plugin error counts as a refusal whose reason names it.
// Refusal reasons are interned (PolicyVerdict::reason must outlive the call): up to kMaxReasons
// distinct texts, each truncated to kMaxReasonLength bytes.
//
// Memory ordering: interned reasons are published by a release store of reason_count_ after the
// slot is written (under reasons_mutex_); check() reads reason_count_ with acquire, so it sees
// every slot below the count fully written.
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string_view>

#include "omnikernel/policy.h"
#include "omnikernel/runtime/plugin.h"
#include "omnikernel/sdk/omni_plugin.h"

namespace omni::runtime {

// Answers session queries outside a check(): copies up to out.size() sessions, returns the total.
using SessionSource = std::function<size_t(CustomerId customer, std::span<SessionInfo> out)>;

class PolicyPlugin final : public omni::PolicyHook {
 public:
  static constexpr size_t kMaxReasons = 64;
  static constexpr size_t kMaxReasonLength = 255;

  [[nodiscard]] static std::expected<std::unique_ptr<PolicyPlugin>, PluginError> create(
      std::shared_ptr<const Plugin> plugin, std::string_view config = {},
      SessionSource sessions = {});
  ~PolicyPlugin() override;
  PolicyPlugin(const PolicyPlugin&) = delete;
  PolicyPlugin& operator=(const PolicyPlugin&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override { return plugin_->name(); }
  [[nodiscard]] omni::PolicyVerdict check(const omni::PolicyRequest& request) noexcept override;

  [[nodiscard]] const PluginInfo& info() const noexcept { return plugin_->info(); }

  // For fill_services (host_context.h).
  void log_line(int32_t level, std::string_view message) const noexcept {
    plugin_->log_line(level, message);
  }
  [[nodiscard]] const HostContext& host_context() const noexcept { return plugin_->host_context(); }

 private:
  PolicyPlugin(std::shared_ptr<const Plugin> plugin, SessionSource sessions);

  static omni_status count_thunk(void* host, uint64_t customer, size_t* count);
  static omni_status sessions_thunk(void* host, uint64_t customer, omni_session_info* out,
                                    size_t capacity, size_t element_size, size_t* total);

  [[nodiscard]] std::string_view intern(std::string_view reason) noexcept;

  struct Reason {
    std::array<char, kMaxReasonLength> text{};
    size_t length = 0;
  };

  std::shared_ptr<const Plugin> plugin_;  // released last: the library outlives the instance
  SessionSource sessions_;
  omni_host_services services_{};
  void* instance_ = nullptr;
  std::mutex reasons_mutex_;
  std::atomic<size_t> reason_count_{0};
  std::array<Reason, kMaxReasons> reasons_{};
};

}  // namespace omni::runtime
