// From the simulation's counters to a Report.
#include <algorithm>
#include <cmath>
#include <limits>

#include "omnikernel/config/duration.h"
#include "simulation_impl.h"

namespace omni::sim {
namespace {

LatencyReport latency_report(std::string operation, const Histogram& h) {
  return LatencyReport{std::move(operation), h.count(), h.quantile(0.50), h.quantile(0.99),
                       h.quantile(0.999), h.max(), h.mean()};
}

// Nearest rank: the smallest wait at least 90 % of the waits are at or below.
double p90(std::vector<double> waits) {
  if (waits.empty()) return 0;
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(waits.size())));
  std::nth_element(waits.begin(), waits.begin() + static_cast<std::ptrdiff_t>(rank - 1), waits.end());
  return waits[rank - 1];
}

}  // namespace

std::string requirement_label(const std::vector<SkillRequirementSpec>& skills) {
  std::string label;
  for (const SkillRequirementSpec& r : skills) {
    if (!label.empty()) label += ", ";
    label += r.skill + ">=" + std::to_string(r.min_level);
    if (r.drop_after > Duration::zero()) label += " (drop after " + config::format_duration(r.drop_after) + ")";
  }
  return label;
}

Report Simulation::Impl::build_report(double wall_seconds) {
  Report r;
  r.scenario = scenario.name;
  r.seed = scenario.seed;
  r.duration_s = config::to_seconds(scenario.duration);
  r.warmup_s = config::to_seconds(scenario.warmup);
  r.service_level_threshold_s = config::to_seconds(scenario.service_level_threshold);
  r.wall_seconds = wall_seconds;
  r.events = events;
  r.routing_deferred = kernel->stats().routing_deferred;

  for (const QueueModel& q : queues) {
    QueueReport qr{q.name, q.channel, q.counters, 0, q.overflowed_in};
    if (auto snapshot = kernel->queue(q.id)) qr.waiting_at_end = snapshot->waiting;
    r.total.add(q.counters);
    auto channel = std::find_if(r.channels.begin(), r.channels.end(),
                                [&](const ChannelReport& c) { return c.name == q.channel; });
    if (channel == r.channels.end()) channel = r.channels.insert(r.channels.end(), ChannelReport{q.channel, {}});
    channel->counters.add(q.counters);
    r.queues.push_back(std::move(qr));
    r.series_queues.push_back(q.name);
  }
  for (const RequirementSetModel& m : requirement_sets) {
    RequirementSetReport rr;
    rr.queue = queues[m.queue].name;
    rr.label = requirement_label(m.skills);
    for (const SkillRequirementSpec& k : m.skills) {
      rr.skills.push_back({k.skill, k.min_level, config::to_seconds(k.drop_after)});
    }
    rr.counters = m.counters;
    rr.p90_wait_s = p90(m.waits);
    rr.relaxed = m.relaxed;
    rr.skills_dropped = m.skills_dropped;
    r.requirement_sets.push_back(std::move(rr));
  }
  // Busy time over time available, per agent and over all agents (an agent never available
  // counts for neither: occupancy 0, and no weight in the centre's).
  double occupied_s = 0, available_s = 0;
  for (AgentModel& a : agents) {
    a.report.occupancy = a.available_s > 0 ? a.occupied_s / a.available_s : 0;
    occupied_s += a.occupied_s;
    available_s += a.available_s;
    r.agents.push_back(a.report);
  }
  r.occupancy = available_s > 0 ? occupied_s / available_s : 0;

  Histogram routing;
  for (size_t op = 0; op < latency.size(); ++op) {
    if (latency[op].count() == 0) continue;
    r.latency.push_back(latency_report(kOpNames[op], latency[op]));
    if (op != static_cast<size_t>(Op::tick) && op != static_cast<size_t>(Op::adapter_parse)) {
      routing.merge(latency[op]);
    }
  }
  r.routing = latency_report("routing (all but tick, adapter)", routing);
  r.series = series;

  r.explain = explain;
  if (options.explain_item > 0 && !r.explain) {
    ExplainReport& x = r.explain.emplace();
    x.item = options.explain_item;
    x.note = "the run had only " + std::to_string(arrivals) + " arrivals";
  }
  r.notes = notes;
  for (const auto& [status, n] : refused) {
    r.notes.push_back(std::to_string(n) + " arrivals refused by the kernel: " + status);
  }
  for (const auto& [status, n] : transfers_refused) {
    r.notes.push_back(std::to_string(n) + " transfers refused by the kernel (the agent closed the session instead): " + status);
  }
  if (adapter_errors) {
    r.notes.push_back(std::to_string(adapter_errors) + " payloads refused by their adapter, e.g. " + last_adapter_error);
  }
  if (r.routing_deferred) {
    r.notes.push_back("routing waited " + std::to_string(r.routing_deferred) +
                      " times for the event ring to be drained (back-pressure)");
  }
  return r;
}

void Simulation::Impl::take_sample() {
  SeriesPoint p;
  p.at_s = config::to_seconds(now().time_since_epoch());
  for (const QueueModel& q : queues) {
    auto snapshot = kernel->queue(q.id);
    p.waiting.push_back(snapshot ? snapshot->waiting : 0);
    const uint64_t base = q.counters.answered + q.counters.abandoned + q.counters.expired;
    p.service_level.push_back(base ? static_cast<double>(q.counters.answered_within_threshold) / base
                                   : std::numeric_limits<double>::quiet_NaN());
  }
  if (!series.empty() && series.back().at_s == p.at_s) series.back() = std::move(p);
  else series.push_back(std::move(p));
}

}  // namespace omni::sim
