// What a simulation run measured, as plain data: the simulator fills it, and the writers below
// print it as tables, JSON, CSV files or an SVG plot. Times are in seconds of virtual time,
// latencies in nanoseconds of wall time.
//
// Definitions (docs/SIMULATOR.md): counted are the items that ARRIVED after the warm-up.
//   answered      accepted by an agent (the first time)
//   ASA           mean wait from arrival to acceptance over answered items
//   service level answered within the threshold / (answered + abandoned + expired)
//   expired       ended by the queue's max_wait while waiting: counted like an abandoned item
//   AHT           mean time from acceptance to close (pauses included) over closed items
//   P(wait)       share of answered items that queued before their first offer (Erlang C's
//                 probability of waiting; the agent's answer delay is not queueing)
//   occupancy     busy time / time available: capacity held / capacity, integrated over the time
//                 the agent is in an online status (not paused, away, busy, dnd or offline);
//                 overall, the agents' busy time summed over their time available summed
#pragma once
#include <array>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace omni::sim {

struct ContactCounters {
  uint64_t offered = 0;    // arrived (submitted, or refused by the kernel)
  uint64_t refused = 0;    // submit refused: policy, queue full… (see Report::warnings)
  uint64_t answered = 0;
  uint64_t answered_within_threshold = 0;
  uint64_t waited = 0;     // answered, and queued before the first offer
  uint64_t abandoned = 0;
  // Overflow and expiry (issue 9, item 5), charged like every other count to the queue the item
  // ARRIVED in: `overflowed` counts overflow moves (an item moving twice along a chain counts
  // twice), `expired` items that waited their queue's max_wait — in the wait statistics they are
  // abandoned items (in the service level's base, never in the ASA).
  uint64_t overflowed = 0;
  uint64_t expired = 0;
  uint64_t closed = 0;
  // Preferred (sticky) agents (issue 9, item 4): `preferred_asked` items were submitted naming an
  // agent (a stream's preferred_agent, or — prefer_last_agent — the agent the kernel remembered
  // for a returning customer); `preferred_kept` of them were answered by that agent (first
  // acceptance, before or after a fall-back); `preferred_fell_back` counts the kernel's
  // preference_ended events (its wait ran out, or the agent went offline). An item whose agent
  // could not take it at all at its submit (offline, not qualified) routes to everyone at once,
  // without an event.
  uint64_t preferred_asked = 0;
  uint64_t preferred_kept = 0;
  uint64_t preferred_fell_back = 0;
  // Continuity, preference or not: `returning` items came from a customer whose last agent the
  // kernel remembered at the submit, `back_to_last_agent` of them were answered by that agent.
  // Without a preference that share is about 1 / (agents who could take it); it is what
  // prefer_last_agent raises.
  uint64_t returning = 0;
  uint64_t back_to_last_agent = 0;
  double total_wait_s = 0;    // over answered
  double total_handle_s = 0;  // over closed
  double longest_wait_s = 0;

  void add(const ContactCounters& other);
  [[nodiscard]] double asa() const { return answered ? total_wait_s / answered : 0; }
  [[nodiscard]] double aht() const { return closed ? total_handle_s / closed : 0; }
  [[nodiscard]] double service_level() const {
    const uint64_t base = answered + abandoned + expired;
    return base ? static_cast<double>(answered_within_threshold) / base : 1.0;
  }
  [[nodiscard]] double preferred_kept_share() const {
    return preferred_asked ? static_cast<double>(preferred_kept) / preferred_asked : 0;
  }
  [[nodiscard]] double back_to_last_agent_share() const {
    return returning ? static_cast<double>(back_to_last_agent) / returning : 0;
  }
  [[nodiscard]] double probability_of_waiting() const {
    return answered ? static_cast<double>(waited) / answered : 0;
  }
};

struct QueueReport {
  std::string name;
  std::string channel;
  ContactCounters counters;
  uint32_t waiting_at_end = 0;
  uint64_t overflowed_in = 0;  // overflow moves INTO this queue (of counted items)
};

struct ChannelReport {
  std::string name;
  ContactCounters counters;
};

// One skill of a requirement set, as the scenario wrote it.
struct SkillRequirementReport {
  std::string skill;
  int min_level = 1;
  double drop_after_s = 0;  // 0 = required
};

// The items of one distinct skill requirement set (per queue, seed 002): counted like a queue's,
// plus the 90th percentile of their waits and how often optional skills were dropped.
struct RequirementSetReport {
  std::string queue;
  std::string label;  // "Spanish>=5, French>=3 (drop after 20s)"
  std::vector<SkillRequirementReport> skills;
  ContactCounters counters;
  double p90_wait_s = 0;   // over answered items (nearest rank)
  uint64_t relaxed = 0;    // items that had at least one optional skill dropped
  uint64_t skills_dropped = 0;  // optional skills dropped (requirements_relaxed events)
};

// Index = omni::AgentActivity (offline, waiting, busy, paused, wrap_up, missed, away).
inline constexpr std::array<const char*, 7> kActivityNames{"offline", "waiting", "busy", "paused",
                                                           "wrap_up", "missed", "away"};

struct AgentReport {
  std::string name;
  std::string profile;
  double occupancy = 0;
  uint64_t offered = 0;
  uint64_t accepted = 0;
  uint64_t handled = 0;   // closed
  uint64_t declined = 0;
  uint64_t timeouts = 0;  // push time-outs
  uint64_t pauses = 0;
  uint64_t transfers = 0;  // sessions this agent transferred to another queue
  std::map<std::string, uint64_t> declines_by_reason;  // "(none)" when declined without one
  std::array<double, kActivityNames.size()> seconds_in{};
};

// `omni run --explain N`: Kernel::explain of the N-th arrival of the run, taken right after its
// submit (docs/SIMULATOR.md).
struct ExplainCandidateReport {
  std::string agent;
  std::string verdict;  // omni::to_string(CandidateVerdict): offered, could_take, no_room, …
  double used = 0;      // capacity units on the pool the item would use
  double capacity = 0;
  double needed = 0;    // the item's size on this agent
};

struct ExplainReport {
  uint64_t item = 0;     // N: the N-th arrival of the run (1-based, warm-up included)
  bool found = false;    // the run had an N-th arrival and the kernel accepted it
  std::string note;      // why there is nothing to explain, when there is not
  double at_s = 0;       // when it was taken: the arrival's time
  std::string queue;
  std::string state;     // queued, offered (or active when auto-accepted at once)
  std::string holder;    // the agent it is offered to, if any
  std::string requirements;  // the requirement set's label, empty when it asks for no skills
  uint32_t skills_dropped = 0;
  std::vector<ExplainCandidateReport> candidates;  // every agent, in configuration order
};

struct LatencyReport {
  std::string operation;
  uint64_t count = 0;
  uint64_t p50 = 0, p99 = 0, p999 = 0, max = 0;  // ns
  double mean = 0;
};

struct SeriesPoint {
  double at_s = 0;
  std::vector<uint32_t> waiting;        // per queue, items waiting now
  std::vector<double> service_level;    // per queue, so far (answered or abandoned since warm-up)
};

struct Report {
  std::string scenario;
  uint64_t seed = 0;
  double duration_s = 0;
  double warmup_s = 0;
  double service_level_threshold_s = 0;
  double wall_seconds = 0;
  uint64_t events = 0;           // kernel events drained
  uint64_t routing_deferred = 0;  // KernelStats: routing waited for the host to drain events
  ContactCounters total;
  double occupancy = 0;          // all agents' busy time / all agents' time available
  std::vector<QueueReport> queues;
  std::vector<ChannelReport> channels;
  std::vector<RequirementSetReport> requirement_sets;  // empty when no stream asks for skills
  std::vector<AgentReport> agents;
  LatencyReport routing;         // every hot-path kernel call together
  std::vector<LatencyReport> latency;  // per operation
  std::vector<std::string> series_queues;
  std::vector<SeriesPoint> series;
  std::vector<std::string> notes;  // refused submits by reason, plugins missing, …
  std::optional<ExplainReport> explain;  // with RunOptions::explain_item
};

void print_report(const Report& report, std::ostream& out);
// nlohmann-json document; keys include service_level, asa, abandoned, occupancy and latency p99.
[[nodiscard]] std::string report_json(const Report& report);
[[nodiscard]] std::expected<void, std::string> write_report_json(const Report& report,
                                                              const std::filesystem::path& file);
// queues.csv, channels.csv, requirement_sets.csv, agents.csv, latency.csv, timeseries.csv in
// `dir` (created).
[[nodiscard]] std::expected<void, std::string> write_report_csv(const Report& report,
                                                             const std::filesystem::path& dir);
// Queue depth and service level over time, per queue. File writers return the reason on failure.
[[nodiscard]] std::string report_svg(const Report& report);
[[nodiscard]] std::expected<void, std::string> write_report_svg(const Report& report,
                                                             const std::filesystem::path& file);

}  // namespace omni::sim
