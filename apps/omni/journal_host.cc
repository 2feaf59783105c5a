#include "journal_host.h"

#include <thread>

#include "omnikernel/durable/recovery.h"

namespace omni::cli {

std::expected<Kernel*, ConfigError> JournalHost::create(const Config& config, const Clock& clock,
                                                       std::span<PolicyHook* const> policies) {
  // A simulation starts at virtual time 0 with its own arrivals: continuing another run's
  // journal would mix two runs' items. Refused rather than guessed.
  if (durable::has_journal(dir_))
    return std::unexpected(ConfigError{"--journal", dir_.string() + " already holds a journal (see `omni journal "
                                                                    "recover " + dir_.string() + " --report`); give a new directory"});
  auto dk = durable::DurableKernel::open(dir_, config, clock, policies);
  if (!dk) return std::unexpected(ConfigError{"--journal", dk.error().message});
  kernel_ = std::move(*dk);
  return &kernel_->kernel();
}

size_t JournalHost::drain(std::span<Event> out) {
  if (!failure_.empty()) return kernel_->kernel().poll_events(out);  // journaling stopped: keep the run going
  for (;;) {
    const durable::DrainResult r = kernel_->drain(out);
    if (r.status == durable::DrainStatus::ok) return r.events;
    if (r.status == durable::DrainStatus::busy) {
      std::this_thread::sleep_for(std::chrono::microseconds(100));
      continue;
    }
    failure_ = "journal stopped: " + std::string(durable::to_string(r.status));
    return r.events;
  }
}

Result<RequirementsId> JournalHost::prepare_requirements(QueueId queue, std::span<const SkillRequirement> skills) {
  auto id = kernel_->prepare_requirements(queue, skills);
  if (id) return *id;
  if (id.error().kernel != Status::ok) return std::unexpected(id.error().kernel);
  failure_ = "journal: requirements record: " + std::string(journal::to_string(id.error().journal));
  return std::unexpected(Status::busy);
}

std::string JournalHost::finish() {
  if (!kernel_) return {};
  const journal::JournalStatus s = kernel_->close();
  if (failure_.empty() && s != journal::JournalStatus::ok) failure_ = "journal: close: " + std::string(journal::to_string(s));
  return failure_;
}

}  // namespace omni::cli
