// The report as tables on stdout.
#include <ostream>

#include "omnikernel/sim/report.h"
#include "text_table.h"

namespace omni::sim {
namespace {

using internal::fixed;
using internal::percent;
using internal::seconds;
using internal::TextTable;

std::vector<std::string> contact_cells(std::string name, const ContactCounters& c) {
  return {std::move(name),
          std::to_string(c.offered),
          std::to_string(c.answered),
          std::to_string(c.abandoned),
          std::to_string(c.expired),
          std::to_string(c.overflowed),
          std::to_string(c.refused),
          seconds(c.asa()),
          percent(c.service_level()),
          seconds(c.aht()),
          percent(c.probability_of_waiting()),
          seconds(c.longest_wait_s)};
}

const std::vector<std::string> kContactHeaders{"", "offered", "answered", "abandoned", "expired", "overflowed", "refused", "ASA",
                                               "SL", "AHT", "P(wait)", "max wait"};

}  // namespace

void print_report(const Report& r, std::ostream& out) {
  out << "\nomni run: " << r.scenario << "  (seed " << r.seed << ", " << seconds(r.duration_s)
      << " simulated";
  if (r.warmup_s > 0) out << ", first " << seconds(r.warmup_s) << " not counted";
  out << ", " << fixed(r.wall_seconds, 2) << " s wall, "
      << fixed(r.wall_seconds > 0 ? r.duration_s / r.wall_seconds : 0, 0) << "× real time)\n";
  out << "service level = answered within " << seconds(r.service_level_threshold_s)
      << " / (answered + abandoned + expired); expired and overflowed are counted in the queue the item arrived in\n\n";

  out << "Queues\n";
  TextTable queues_table(kContactHeaders);
  for (const QueueReport& q : r.queues) queues_table.add_row(contact_cells(q.name + " [" + q.channel + "]", q.counters));
  queues_table.add_row(contact_cells("all queues", r.total));
  queues_table.print(out);
  bool received = false;
  for (const QueueReport& q : r.queues) received = received || q.overflowed_in > 0;
  if (received) {
    out << "  overflow received:";
    for (const QueueReport& q : r.queues) {
      if (q.overflowed_in > 0) out << ' ' << q.name << ' ' << q.overflowed_in;
    }
    out << '\n';
  }

  if (r.total.preferred_asked > 0 || r.total.returning > 0) {
    out << "\nPreferred agents (asked = items submitted naming an agent; kept = answered by it; fell back = "
           "stopped waiting for it only; returning = customers the kernel remembered a last agent for)\n";
    TextTable preferred({"", "asked", "kept", "kept %", "fell back", "returning", "back to last agent"});
    auto preferred_row = [&](std::string name, const ContactCounters& c) {
      preferred.add_row({std::move(name), std::to_string(c.preferred_asked), std::to_string(c.preferred_kept),
                         percent(c.preferred_kept_share()), std::to_string(c.preferred_fell_back),
                         std::to_string(c.returning), percent(c.back_to_last_agent_share())});
    };
    for (const QueueReport& q : r.queues) preferred_row(q.name + " [" + q.channel + "]", q.counters);
    preferred_row("all queues", r.total);
    preferred.print(out);
  }

  out << "\nChannels\n";
  TextTable channels(kContactHeaders);
  for (const ChannelReport& c : r.channels) channels.add_row(contact_cells(c.name, c.counters));
  channels.print(out);

  if (!r.requirement_sets.empty()) {
    out << "\nSkills (per requirement set; wait = arrival to acceptance; relaxed = items that had an optional skill dropped)\n";
    TextTable sets({"queue", "requires", "offered", "answered", "abandoned", "expired", "refused", "mean wait", "p90 wait",
                    "max wait", "SL", "relaxed", "skills dropped"});
    for (const RequirementSetReport& s : r.requirement_sets) {
      const ContactCounters& c = s.counters;
      sets.add_row({s.queue, s.label, std::to_string(c.offered), std::to_string(c.answered),
                    std::to_string(c.abandoned), std::to_string(c.expired), std::to_string(c.refused), seconds(c.asa()), seconds(s.p90_wait_s),
                    seconds(c.longest_wait_s), percent(c.service_level()), std::to_string(s.relaxed),
                    std::to_string(s.skills_dropped)});
    }
    sets.print(out);
  }

  out << "\nAgents (occupancy " << percent(r.occupancy) << ": busy time / time available)\n";
  std::vector<std::string> headers{"agent", "profile", "occupancy", "offered", "handled", "declined",
                                   "time-outs", "pauses", "transfers"};
  for (const char* a : kActivityNames) headers.push_back(a);
  headers.push_back("declines by reason");
  TextTable agents(headers);
  for (const AgentReport& a : r.agents) {
    std::vector<std::string> cells{a.name,
                                   a.profile,
                                   percent(a.occupancy),
                                   std::to_string(a.offered),
                                   std::to_string(a.handled),
                                   std::to_string(a.declined),
                                   std::to_string(a.timeouts),
                                   std::to_string(a.pauses),
                                   std::to_string(a.transfers)};
    for (double s : a.seconds_in) cells.push_back(seconds(s));
    std::string reasons;
    for (const auto& [reason, n] : a.declines_by_reason) {
      reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(n);
    }
    cells.push_back(reasons);
    agents.add_row(std::move(cells));
  }
  agents.print(out);

  if (r.explain) {
    const ExplainReport& x = *r.explain;
    out << "\nExplain item " << x.item;
    if (!x.queue.empty()) {
      out << " (arrival " << x.item << " of the run, at " << seconds(x.at_s) << ", queue " << x.queue;
      if (!x.requirements.empty()) out << ", requires " << x.requirements;
      out << "), right after its submit";
    }
    out << '\n';
    if (!x.found) {
      out << "  " << x.note << '\n';
    } else {
      out << "  " << x.state;
      if (!x.holder.empty()) out << " to " << x.holder;
      if (x.skills_dropped) out << ", " << x.skills_dropped << " optional skills dropped";
      out << '\n';
      TextTable candidates({"agent", "verdict", "used", "capacity", "needed"});
      for (const ExplainCandidateReport& c : x.candidates) {
        candidates.add_row({c.agent, c.verdict, fixed(c.used, 2), fixed(c.capacity, 2), fixed(c.needed, 2)});
      }
      candidates.print(out);
    }
  }

  out << "\nKernel latency (wall clock around each call)\n";
  TextTable latency({"operation", "calls", "p50", "p99", "p99.9", "max", "mean"});
  auto latency_row = [&](const LatencyReport& l) {
    latency.add_row({l.operation, std::to_string(l.count), internal::nanoseconds(l.p50),
                     internal::nanoseconds(l.p99), internal::nanoseconds(l.p999),
                     internal::nanoseconds(l.max), internal::nanoseconds(static_cast<uint64_t>(l.mean))});
  };
  for (const LatencyReport& l : r.latency) latency_row(l);
  latency_row(r.routing);
  latency.print(out);
  out << "  events drained: " << r.events << ", routing deferred by back-pressure: " << r.routing_deferred << '\n';

  if (!r.notes.empty()) {
    out << "\nNotes\n";
    for (const std::string& n : r.notes) out << "  - " << n << '\n';
  }
}

}  // namespace omni::sim
