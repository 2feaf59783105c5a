// The report as CSV files, one per table, for spreadsheets and scripts.
#include <fstream>
#include <system_error>

#include "omnikernel/sim/report.h"

namespace omni::sim {
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string contact_header() {
  return "offered,answered,abandoned,expired,overflowed,refused,asa,service_level,aht,probability_of_waiting,longest_wait,"
         "preferred_asked,preferred_kept,preferred_fell_back,returning,back_to_last_agent";
}

std::string contact_fields(const ContactCounters& c) {
  return std::to_string(c.offered) + "," + std::to_string(c.answered) + "," + std::to_string(c.abandoned) +
         "," + std::to_string(c.expired) + "," + std::to_string(c.overflowed) + "," + std::to_string(c.refused) + "," + std::to_string(c.asa()) + "," +
         std::to_string(c.service_level()) + "," + std::to_string(c.aht()) + "," +
         std::to_string(c.probability_of_waiting()) + "," + std::to_string(c.longest_wait_s) + "," +
         std::to_string(c.preferred_asked) + "," + std::to_string(c.preferred_kept) + "," +
         std::to_string(c.preferred_fell_back) + "," + std::to_string(c.returning) + "," +
         std::to_string(c.back_to_last_agent);
}

}  // namespace

std::expected<void, std::string> write_report_csv(const Report& r, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return std::unexpected(dir.string() + ": cannot create the directory: " + ec.message());
  std::string failure;
  auto write = [&](const char* name, const std::string& text) {
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush() && failure.empty()) failure = (dir / name).string() + ": write failed";
  };

  std::string queues = "queue,channel," + contact_header() + ",waiting_at_end,overflowed_in\n";
  for (const QueueReport& q : r.queues) {
    queues += csv_field(q.name) + "," + csv_field(q.channel) + "," + contact_fields(q.counters) + "," +
              std::to_string(q.waiting_at_end) + "," + std::to_string(q.overflowed_in) + "\n";
  }
  write("queues.csv", queues);

  std::string channels = "channel," + contact_header() + "\n";
  for (const ChannelReport& c : r.channels) channels += csv_field(c.name) + "," + contact_fields(c.counters) + "\n";
  write("channels.csv", channels);

  // One row per requirement set; `requirements` is the label ("Spanish>=5, French>=3 (drop after 20s)").
  std::string sets = "queue,requirements," + contact_header() + ",p90_wait,relaxed,skills_dropped\n";
  for (const RequirementSetReport& s : r.requirement_sets) {
    sets += csv_field(s.queue) + "," + csv_field(s.label) + "," + contact_fields(s.counters) + "," +
            std::to_string(s.p90_wait_s) + "," + std::to_string(s.relaxed) + "," + std::to_string(s.skills_dropped) +
            "\n";
  }
  write("requirement_sets.csv", sets);

  std::string agents = "agent,profile,occupancy,offered,accepted,handled,declined,timeouts,pauses,transfers";
  for (const char* a : kActivityNames) agents += std::string(",seconds_") + a;
  agents += ",declines_by_reason\n";
  for (const AgentReport& a : r.agents) {
    agents += csv_field(a.name) + "," + csv_field(a.profile) + "," + std::to_string(a.occupancy) + "," +
              std::to_string(a.offered) + "," + std::to_string(a.accepted) + "," + std::to_string(a.handled) +
              "," + std::to_string(a.declined) + "," + std::to_string(a.timeouts) + "," +
              std::to_string(a.pauses) + "," + std::to_string(a.transfers);
    for (double s : a.seconds_in) agents += "," + std::to_string(s);
    std::string reasons;
    for (const auto& [reason, n] : a.declines_by_reason) {
      reasons += (reasons.empty() ? "" : ";") + reason + "=" + std::to_string(n);
    }
    agents += "," + csv_field(reasons) + "\n";
  }
  write("agents.csv", agents);

  std::string latency = "operation,calls,p50_ns,p99_ns,p999_ns,max_ns,mean_ns\n";
  auto latency_line = [&](const LatencyReport& l) {
    latency += csv_field(l.operation) + "," + std::to_string(l.count) + "," + std::to_string(l.p50) + "," +
               std::to_string(l.p99) + "," + std::to_string(l.p999) + "," + std::to_string(l.max) + "," +
               std::to_string(l.mean) + "\n";
  };
  for (const LatencyReport& l : r.latency) latency_line(l);
  latency_line(r.routing);
  write("latency.csv", latency);

  std::string series = "at_seconds";
  for (const std::string& q : r.series_queues) series += "," + csv_field("waiting " + q);
  for (const std::string& q : r.series_queues) series += "," + csv_field("service_level " + q);
  series += "\n";
  for (const SeriesPoint& p : r.series) {
    series += std::to_string(p.at_s);
    for (uint32_t w : p.waiting) series += "," + std::to_string(w);
    for (double sl : p.service_level) series += "," + std::to_string(sl);
    series += "\n";
  }
  write("timeseries.csv", series);

  if (!failure.empty()) return std::unexpected(failure);
  return {};
}

}  // namespace omni::sim
