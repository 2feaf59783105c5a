// `omni run --journal DIR`: the simulator's kernel runs inside a DurableKernel, so that every
// transition of the run is journaled in DIR (sim::KernelHost is the simulator's seam).
#pragma once
#include <filesystem>
#include <memory>
#include <string>

#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/sim/simulation.h"

namespace omni::cli {

class JournalHost final : public sim::KernelHost {
 public:
  explicit JournalHost(std::filesystem::path dir) : dir_(std::move(dir)) {}
  [[nodiscard]] std::expected<Kernel*, ConfigError> create(const Config& config, const Clock& clock,
                                                          std::span<PolicyHook* const> policies) override;
  // Waits out journal back-pressure (the simulation is single-threaded: a pause, not a drop);
  // a disk-full or I/O failure stops the journaling and is reported by failure().
  [[nodiscard]] size_t drain(std::span<Event> out) override;
  [[nodiscard]] Result<RequirementsId> prepare_requirements(QueueId queue,
                                                            std::span<const SkillRequirement> skills) override;
  // Flushes the journal; returns what went wrong during the run, if anything.
  [[nodiscard]] std::string finish();
  [[nodiscard]] durable::DurableKernel* durable() noexcept { return kernel_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<durable::DurableKernel> kernel_;
  std::string failure_;
};

}  // namespace omni::cli
