// Which configuration `omni serve --journal` runs under after a restart. A live change (PUT
// /v1/config, a hire, an agent edit) is journaled by DurableKernel::reconfigure, so the journal's
// configuration is the one in force; the file the service was started with no longer is. Rule:
//   - a journal in which the service has made no live change must have been written with the
//     file's configuration: a difference is an error naming it (a wrong file or a wrong
//     directory is caught, as before live changes existed);
//   - once the service made one, the journal's configuration wins and the file's kernel sections
//     are used only to start a new journal.
// The service knows which case it is in from a host-table entry (kLiveConfigKey) journaled before
// its first live change is: when it is there, a change may have been taken.
#pragma once
#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <span>

#include "omnikernel/durable/durable_kernel.h"

namespace omni::service {

inline constexpr std::string_view kLiveConfigKey = "live/config";
// The routing rules in force once PUT /v1/routes changed them (write_routes' text): a restart
// routes by them, not by the file's service.routes.
inline constexpr std::string_view kLiveRoutesKey = "live/routes";

// The entry written before a live change: when and how many changes this service has asked for.
[[nodiscard]] durable::HostOp live_config_mark(uint64_t changes, int64_t at_unix_ms);

// DurableKernel::open under the rule above. Errors are DurableKernel's messages.
[[nodiscard]] std::expected<std::unique_ptr<durable::DurableKernel>, std::string> open_journaled_kernel(
    const std::filesystem::path& dir, const Config& file_config, const Clock& clock,
    std::span<PolicyHook* const> hooks, durable::DurableOptions options);

}  // namespace omni::service
