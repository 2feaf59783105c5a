// Internals of omni::sim::Simulation: the simulated queues, agents and items, and the engine
// that moves them. Only simulation.cc and its siblings include this.
#pragma once
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "calendar.h"
#include "omnikernel/kernel.h"
#include "omnikernel/sim/histogram.h"
#include "omnikernel/sim/random.h"
#include "omnikernel/sim/report.h"
#include "omnikernel/sim/simulation.h"
#include "plugin_set.h"

namespace omni::sim {

// Kernel calls timed separately; `routing` in the report merges all but tick and adapter_parse.
enum class Op : uint8_t {
  submit, accept, decline, pause, resume, close, end_wrap_up, abandon, set_status, transfer, tick,
  adapter_parse, count
};
inline constexpr std::array<const char*, static_cast<size_t>(Op::count)> kOpNames{
    "submit", "accept", "decline", "pause", "resume", "close", "end_wrap_up", "abandon", "set_status",
    "transfer", "tick", "adapter parse"};

struct LiveCounters {
  std::atomic<uint64_t> offered{0}, answered{0}, within{0}, abandoned{0}, expired{0};
};

struct QueueModel {
  QueueId id{};
  std::string name;
  std::string channel;
  ChannelId channel_id{};
  Duration push_timeout{};
  Duration overflow_after{};  // 0 = never (QueueConfig)
  Duration max_wait{};        // 0 = never
  std::vector<std::string> paused_values;  // of its channel
  ContactCounters counters;
  uint64_t overflowed_in = 0;
};

// A distinct skill requirement set (per queue) of the arrival streams, prepared once in the
// kernel; its items' statistics are reported per set.
struct RequirementSetModel {
  RequirementsId id{};
  uint32_t queue = 0;
  std::vector<SkillRequirementSpec> skills;  // as the first stream that asks for it wrote it
  std::vector<Duration> drop_after;          // of the optional skills, for the simulator's ticks
  ContactCounters counters;
  std::vector<double> waits;  // answered items' waits (counted ones), for the p90
  uint64_t relaxed = 0;       // counted items that had at least one optional skill dropped
  uint64_t skills_dropped = 0;  // requirements_relaxed events of counted items
};

struct DeclineChoice {
  DeclineReasonId id{};
  std::string name;
  double weight = 1;
};

struct AgentModel {
  AgentId id{};
  std::string name;
  std::string profile;
  const AgentBehaviour* behaviour = nullptr;
  const PresenceConfigConfig* presence = nullptr;
  std::vector<DeclineChoice> decline_choices;
  std::optional<StatusId> home;  // the working status to return to, if it is an online one
  bool on_break = false;
  bool return_pending = false;
  Rng rng{0};
  // Time accounting since the last kernel observation.
  Time last{};
  AgentActivity activity = AgentActivity::offline;
  bool available = false;  // in an online (routable) status; not in a pause, away, busy… one
  int32_t used_milli = 0;
  int32_t capacity_milli = 0;
  // Occupancy = occupied_s / available_s: capacity held over time available, both counted only
  // while the agent is in an online status (time paused or away is neither).
  double available_s = 0;
  double occupied_s = 0;
  AgentReport report;
};

struct SimItem {
  Time arrival{};
  uint32_t queue = 0;          // where it arrived: its statistics stay there
  uint32_t current_queue = 0;  // where it is now (after transfers)
  bool counted = false;   // arrived after the warm-up
  bool answered = false;
  bool closed = false;
  Time accepted_at{};
  std::optional<Time> first_offered;
  AgentId agent = kNoAgent;
  Duration remaining{};   // handling left after a pause
  Duration handled{};     // handling of earlier legs, before transfers
  Duration pause_length{};
  std::optional<PausedValueId> paused_value;
  std::optional<uint32_t> transfer_to;  // queue index, when this handling ends in a transfer
  uint64_t conversation = 0;  // replayed conversations: hash of channel + conversation key
  int32_t requirement_set = -1;  // index into Impl::requirement_sets; -1 = asks for no skills
  bool relaxed = false;          // an optional skill was dropped
  AgentId preferred = kNoAgent;  // the agent its submit named (stream's, or the customer's last)
  AgentId last_agent = kNoAgent;  // its customer's last agent at the submit, if remembered
};

struct ReplayMessage {
  Duration offset{};
  std::string customer;
  uint64_t conversation = 0;
};

struct Simulation::Impl {
  Scenario scenario;
  RunOptions options;
  ManualClock clock;
  Time end{};
  Time warmup{};
  Duration timer_resolution{};
  std::unique_ptr<internal::PluginSet> plugins;  // outlives the kernel: it owns the policies
  std::vector<std::string> notes;
  std::unique_ptr<Kernel> owned_kernel;  // unless options.kernel_host owns it
  Kernel* kernel = nullptr;
  internal::Calendar calendar;
  Rng rng{0};
  std::vector<Rng> stream_rngs;
  std::vector<QueueModel> queues;
  std::vector<uint32_t> stream_queue;  // arrival stream → queue index
  std::vector<int32_t> stream_requirements;  // arrival stream → requirement set index, -1 = none
  std::vector<RequirementSetModel> requirement_sets;
  std::vector<AgentId> stream_preferred;  // arrival stream → its preferred_agent, kNoAgent = none
  std::unique_ptr<LiveCounters[]> live;
  std::vector<AgentModel> agents;      // index = AgentId
  std::vector<std::optional<PresenceKind>> status_kinds;  // index = StatusId
  std::unordered_map<uint64_t, SimItem> items;            // key = ItemId
  std::unordered_map<uint64_t, uint64_t> open_conversations;  // conversation → ItemId
  std::vector<std::vector<ReplayMessage>> replays;  // per stream
  uint64_t next_customer = 0;
  uint64_t next_message = 0;
  std::array<Histogram, static_cast<size_t>(Op::count)> latency;
  std::array<Event, 512> event_buffer{};
  uint64_t events = 0;
  std::map<std::string, uint64_t> refused;  // submit refusals by status (and policy reason)
  uint64_t arrivals = 0;                     // submits tried, for --explain N
  std::optional<ExplainReport> explain;      // filled at the N-th arrival

  // "policy_refused: <the policy's reason>", or the status name.
  static std::string with_policy_reason(Status s) {
    std::string text(to_string(s));
    if (s == Status::policy_refused && !Kernel::last_policy_reason().empty())
      text += ": " + std::string(Kernel::last_policy_reason());
    return text;
  }
  std::map<std::string, uint64_t> transfers_refused;  // by status
  uint64_t adapter_errors = 0;
  std::string last_adapter_error;
  std::vector<SeriesPoint> series;
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> finished{false};

  // ---- setup (simulation_setup.cc) ----
  [[nodiscard]] std::expected<void, ConfigError> build_models();
  [[nodiscard]] std::expected<void, ConfigError> load_replays();
  [[nodiscard]] std::expected<void, ConfigError> prepare_requirements();
  void schedule_start();

  // ---- engine (simulation.cc) ----
  Report run();
  void dispatch(const internal::Action& action);
  void drain();
  void on_event(const Event& e);
  void on_offered(const Event& e);
  void on_accepted(const Event& e);
  void on_closed(const Event& e);
  void on_abandoned(const Event& e);
  void on_agent_status(const Event& e);
  void on_requirements_relaxed(const Event& e);
  void on_overflowed(const Event& e);
  void on_expired(const Event& e);
  void on_preference_ended(const Event& e);
  void schedule_queue_timers(const SimItem& item, uint32_t queue);
  void capture_explain(ItemId item, uint32_t queue, int32_t set);
  [[nodiscard]] std::optional<uint32_t> queue_index(QueueId id) const;
  void arrive(uint32_t stream);
  void replay(uint32_t stream, uint64_t index);
  void submit(uint32_t stream, uint64_t customer, uint64_t conversation);
  void answer(ItemId item, uint64_t detail);
  void schedule_end(uint64_t item, const SimItem& state, Time at);
  void transfer(uint64_t item);
  void set_status(AgentModel& agent, StatusId status);
  void account(AgentId agent);
  void observe(AgentModel& agent, const AgentSnapshot& snapshot);  // the state integrate() counts from
  void integrate(AgentModel& agent, Time until);
  void take_sample();
  void pace(Time at, std::chrono::steady_clock::time_point wall_start);
  [[nodiscard]] Time now() const noexcept { return clock.now(); }
  // An item's statistics go to the queue it arrived in and to its requirement set, if any.
  template <class Count>
  void charge(const SimItem& item, Count&& count) {
    count(queues[item.queue].counters);
    if (item.requirement_set >= 0) count(requirement_sets[item.requirement_set].counters);
  }
  [[nodiscard]] Duration handle_time(AgentModel& agent, const QueueModel& queue);

  template <class Call>
  auto timed(Op op, Call&& call) {
    const auto start = std::chrono::steady_clock::now();
    auto result = call();
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start);
    latency[static_cast<size_t>(op)].record(static_cast<uint64_t>(ns.count()));
    return result;
  }

  // ---- report (simulation_report.cc) ----
  [[nodiscard]] Report build_report(double wall_seconds);
};

// "Spanish>=5, French>=3 (drop after 20s)" (simulation_report.cc).
[[nodiscard]] std::string requirement_label(const std::vector<SkillRequirementSpec>& skills);

}  // namespace omni::sim
