// omni::sim::Simulation — a discrete-event simulation in virtual time that drives the REAL kernel.
//
// One thread (the caller of run()) owns the kernel's hot path: it pops the next action from an
// event calendar (arrivals, abandon deadlines, agent decisions, timer ticks, samples), advances a
// ManualClock to its time, calls the kernel, and drains Kernel::poll_events after every call; the
// events drive the simulated agents (offered → accept or decline after a delay; accepted → pause,
// resume and close later; closed → wrap-up…). Each kernel call is timed with the wall clock.
//
// Other threads (the live view) may observe a running simulation: now(), progress() and the
// kernel's own lock-free snapshots. They never take a lock the simulation thread waits for.
//
// Memory ordering: now() reads the ManualClock (acquire, paired with its release store); the
// progress counters are relaxed atomics — a view may show a count a moment stale, never torn.
#pragma once
#include <atomic>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "omnikernel/error.h"
#include "omnikernel/kernel.h"
#include "omnikernel/sim/report.h"
#include "omnikernel/sim/scenario.h"

namespace omni::sim {

// The seam for a host that wraps the kernel (`omni run --journal` runs it through a
// DurableKernel): it creates the kernel the run drives, drains its events and prepares its
// requirement sets. Called from the run's thread only. Unset = Kernel::create + poll_events.
class KernelHost {
 public:
  virtual ~KernelHost() = default;
  // The kernel stays the host's; it must live until the Simulation is destroyed.
  [[nodiscard]] virtual std::expected<Kernel*, ConfigError> create(const Config& config, const Clock& clock,
                                                                  std::span<PolicyHook* const> policies) = 0;
  [[nodiscard]] virtual size_t drain(std::span<Event> out) = 0;
  [[nodiscard]] virtual Result<RequirementsId> prepare_requirements(QueueId queue,
                                                                    std::span<const SkillRequirement> skills) = 0;
};

struct RunOptions {
  std::optional<uint64_t> seed;          // overrides the scenario's
  std::optional<Duration> duration;      // overrides the scenario's
  // 0 = as fast as possible; otherwise virtual seconds per wall-clock second (--realtime = 1).
  double speed = 0;
  // Where plugins are looked for, in order; empty = the scenario's "plugins", else the default
  // search path ($OMNI_PLUGIN_PATH, else <dir of the program>/../lib/omnikernel/plugins).
  std::vector<std::filesystem::path> plugin_directories;
  // Receives the plugins' log lines at plugin_log_level or above (levels as OMNI_LOG_*:
  // 0 debug, 1 info, 2 warn, 3 error); empty = they are dropped. Called from the run's thread.
  std::function<void(int level, std::string_view plugin, std::string_view message)> plugin_log;
  int plugin_log_level = 3;
  // `omni run --explain N`: the report explains the N-th arrival of the run (1-based, warm-up
  // included), taken right after its submit; 0 = none.
  uint64_t explain_item = 0;
  std::shared_ptr<KernelHost> kernel_host;  // see KernelHost; null = the kernel is the run's own
};

struct QueueProgress {
  uint64_t offered = 0;
  uint64_t answered = 0;
  uint64_t answered_within_threshold = 0;
  uint64_t abandoned = 0;
  uint64_t expired = 0;  // counted like abandoned items
  [[nodiscard]] double service_level() const {
    const uint64_t base = answered + abandoned + expired;
    return base ? static_cast<double>(answered_within_threshold) / base : 1.0;
  }
};

class Simulation {
 public:
  // Creates the kernel (Kernel::create validates the configuration), loads the plugins the
  // scenario uses and prepares the arrivals. Errors name the field, as for a bad scenario file.
  [[nodiscard]] static std::expected<std::unique_ptr<Simulation>, ConfigError> create(
      Scenario scenario, const RunOptions& options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // Runs to the end of the scenario's duration (or until stop()) and returns the report.
  [[nodiscard]] Report run();
  // Ends run() early, from any thread (or a signal handler: it only stores an atomic flag).
  void stop() noexcept;

  // ---- observation from other threads ----
  [[nodiscard]] const Kernel& kernel() const noexcept;
  [[nodiscard]] const Scenario& scenario() const noexcept;
  [[nodiscard]] Time now() const noexcept;
  [[nodiscard]] Duration duration() const noexcept;
  [[nodiscard]] QueueProgress progress(size_t queue) const noexcept;
  [[nodiscard]] bool finished() const noexcept;
  [[nodiscard]] std::vector<AgentId> agent_ids() const;
  [[nodiscard]] std::vector<QueueId> queue_ids() const;

 private:
  struct Impl;
  explicit Simulation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace omni::sim
