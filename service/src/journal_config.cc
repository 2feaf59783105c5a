// The rule of journal_config.h: the file's configuration must be the journal's, unless the
// service made live changes in that journal.
#include "journal_config.h"

#include <nlohmann/json.hpp>

namespace omni::service {

durable::HostOp live_config_mark(uint64_t changes, int64_t at_unix_ms) {
  return durable::HostOp::put(std::string(kLiveConfigKey),
                              nlohmann::json{{"changes", changes}, {"at_ms", at_unix_ms}}.dump());
}

std::expected<std::unique_ptr<durable::DurableKernel>, std::string> open_journaled_kernel(
    const std::filesystem::path& dir, const Config& file_config, const Clock& clock,
    std::span<PolicyHook* const> hooks, durable::DurableOptions options) {
  options.journal_config_wins = false;
  auto strict = durable::DurableKernel::open(dir, file_config, clock, hooks, options);
  if (strict) return std::move(*strict);
  if (strict.error().kind != durable::OpenFailure::Kind::config_mismatch) return std::unexpected(strict.error().message);
  // The configurations differ: legitimate only after live changes, which the journal's host
  // table says. Opening again costs a second recovery, on this start-up path only.
  options.journal_config_wins = true;
  auto journals = durable::DurableKernel::open(dir, file_config, clock, hooks, options);
  if (!journals) return std::unexpected(journals.error().message);
  if (!(*journals)->host_table().contains(kLiveConfigKey)) {
    (void)(*journals)->close();
    return std::unexpected(strict.error().message);
  }
  return std::move(*journals);
}

}  // namespace omni::service
