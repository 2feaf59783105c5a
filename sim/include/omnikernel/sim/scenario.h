// A simulation scenario: the kernel configuration plus who arrives when, how patient customers
// are and how agents behave. The JSON format is documented in docs/SIMULATOR.md; a scenario is a
// configuration file (docs/CONFIG.md) with more keys, so the same paths name errors in both.
#pragma once
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/config/skill_requirements.h"
#include "omnikernel/error.h"
#include "omnikernel/sim/distribution.h"

namespace omni::sim {

using namespace std::chrono_literals;

// Poisson arrivals at `per_hour` from `from` until the next step (or the end of the run).
struct RateStep {
  Duration from{};
  double per_hour = 0;
};

// One skill an arrival asks for (seed 002), read and bounded by omni_config.
using config::SkillRequirementSpec;

struct ArrivalStream {
  std::string path;   // "arrivals[i]", for errors met while running
  std::string queue;
  std::vector<RateStep> rate;  // empty when the stream is a replay
  // Channel adapter plugin ("webchat", "whatsapp", "instagram") that turns each arrival's
  // webhook payload into a normalized customer message; empty = submit directly.
  std::string adapter;
  // Payload sent through the adapter for a Poisson arrival, with {customer}, {message_id},
  // {timestamp_ms} and {text} replaced; empty = the simulator's built-in one for the adapter.
  std::string payload_template;
  // Recorded webhook payloads (one JSON document per line) fed through `adapter`; each customer
  // message opens a work item unless the customer's conversation is already open. Timing comes
  // from the messages' timestamps, relative to the first.
  std::filesystem::path replay_file;
  std::optional<Distribution> patience;  // overrides Scenario::patience
  double bot_fraction = 0;               // share of sessions marked as bot sessions
  // Skills every arrival of the stream asks for (1–8; empty = none). The simulator prepares each
  // distinct set once per queue (Kernel::prepare_requirements) and submits with its id.
  std::vector<SkillRequirementSpec> requirements;
  // Preferred (sticky) agent (issue 9, item 4): each arrival is offered only to that agent for
  // preferred_wait, then to everyone eligible (SubmitRequest::preferred / prefer_last_agent).
  // `preferred_agent` names one agent for every arrival; `prefer_last_agent` lets a returning
  // customer prefer the agent who last served them (the kernel remembers). At most one of them.
  std::string preferred_agent;
  bool prefer_last_agent = false;
  Duration preferred_wait{};  // 0 < w <= 1 h with a preference; 0 without

  [[nodiscard]] bool has_preference() const { return !preferred_agent.empty() || prefer_last_agent; }
};

struct DeclineReasonWeight {
  std::string reason;
  double weight = 1;
};

// An agent takes breaks in a pause (or away/busy) status: every `every`, for `length`.
struct BreakPlan {
  std::string status;
  Distribution every = Distribution::exponential(2h);
  Distribution length = Distribution::constant(15min);
};

struct AgentBehaviour {
  Distribution answer_delay = Distribution::constant(2s);  // offer → accept or decline
  double decline_probability = 0;                          // where the presence config allows it
  std::vector<DeclineReasonWeight> decline_reasons;        // empty = decline without a reason
  double no_answer_probability = 0;                        // lets the push time-out expire
  Distribution handle_time = Distribution::exponential(5min);
  std::map<std::string, Distribution> handle_time_by_channel;
  double pause_probability = 0;  // a session is paused once, at a random point of its handling
  Distribution pause_length = Distribution::exponential(2min);
  std::string paused_value;      // empty = the channel's first paused value
  // A session is transferred to one of `transfer_to` (queues, drawn uniformly) at a random point
  // of its handling instead of being closed by this agent; policies may refuse the transfer.
  double transfer_probability = 0;
  std::vector<std::string> transfer_to;
  // Ends wrap-up itself after this when it comes before the presence config's wrap-up time.
  std::optional<Distribution> wrap_up;
  // Back to the working status this long after the kernel moved the agent elsewhere (status on
  // decline / on push time-out).
  Distribution return_after = Distribution::constant(30s);
  std::vector<BreakPlan> breaks;
};

struct Scenario {
  std::string name = "scenario";
  std::string description;
  std::filesystem::path base_dir;  // relative files (replays, plugins) are resolved from here
  Config config;
  Duration duration = 1h;
  Duration warmup{};  // arrivals before this are simulated but not counted in the report
  Duration service_level_threshold = 20s;
  uint64_t seed = 1;
  Duration tick_interval = 1s;  // kernel.tick() cadence, besides the timer deadlines it knows
  Duration sample_interval{};   // plot resolution; 0 = duration / 240
  // Customer ids are drawn from 1..customers, so one customer may come back on another channel
  // while a session is open (what the simultaneous-sessions policy is about). 0 = anonymous
  // customers (CustomerId 0, which the kernel and its policies do not track). At most
  // limits.max_customers: the kernel tracks that many distinct customers over its lifetime.
  uint64_t customers = 0;
  std::optional<Distribution> patience;  // none = customers never abandon
  std::filesystem::path plugin_directory;  // empty = the CLI's default search path
  // Policy plugins to load, by name, each with its configuration (JSON text). A policy that
  // cannot be loaded or refuses its configuration stops the run (policies fail closed) unless
  // it is named in policies_fail_open: then the run goes on without it, with a note.
  std::map<std::string, std::string> policies;
  std::set<std::string> policies_fail_open;
  // Channel adapter plugins' configurations (JSON text) by adapter name; others get "".
  std::map<std::string, std::string> adapter_configs;
  AgentBehaviour behaviour;
  std::map<std::string, AgentBehaviour> behaviour_by_profile;
  std::vector<ArrivalStream> arrivals;

  [[nodiscard]] const AgentBehaviour& behaviour_of(const AgentConfig& agent) const;
  [[nodiscard]] std::vector<std::string> adapters_used() const;
};

[[nodiscard]] std::expected<Scenario, ConfigError> load_scenario_text(
    std::string_view text, std::string_view source, const std::filesystem::path& base_dir = {});
[[nodiscard]] std::expected<Scenario, ConfigError> load_scenario_file(const std::filesystem::path& file);

}  // namespace omni::sim
