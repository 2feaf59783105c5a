// The report as JSON (nlohmann-json: not a hot path).
#include <fstream>

#include <nlohmann/json.hpp>

#include "omnikernel/sim/report.h"

namespace omni::sim {
namespace {

using Json = nlohmann::ordered_json;

Json contact_json(const ContactCounters& c) {
  return Json{{"offered", c.offered},
              {"answered", c.answered},
              {"abandoned", c.abandoned},
              {"expired", c.expired},
              {"overflowed", c.overflowed},
              {"refused", c.refused},
              {"asa", c.asa()},
              {"service_level", c.service_level()},
              {"aht", c.aht()},
              {"probability_of_waiting", c.probability_of_waiting()},
              {"answered_within_threshold", c.answered_within_threshold},
              {"longest_wait", c.longest_wait_s},
              {"preferred_asked", c.preferred_asked},
              {"preferred_kept", c.preferred_kept},
              {"preferred_fell_back", c.preferred_fell_back},
              {"returning", c.returning},
              {"back_to_last_agent", c.back_to_last_agent}};
}

Json latency_json(const LatencyReport& l) {
  return Json{{"calls", l.count}, {"p50", l.p50}, {"p99", l.p99}, {"p999", l.p999},
              {"max", l.max},     {"mean", l.mean}};
}

}  // namespace

std::string report_json(const Report& r) {
  Json doc;
  doc["scenario"] = r.scenario;
  doc["seed"] = r.seed;
  doc["units"] = {{"time", "seconds of simulated time"}, {"latency", "nanoseconds of wall time"}};
  doc["duration"] = r.duration_s;
  doc["warmup"] = r.warmup_s;
  doc["service_level_threshold"] = r.service_level_threshold_s;
  doc["wall_seconds"] = r.wall_seconds;
  doc["total"] = contact_json(r.total);
  doc["service_level"] = r.total.service_level();
  doc["asa"] = r.total.asa();
  doc["abandoned"] = r.total.abandoned;
  doc["expired"] = r.total.expired;
  doc["overflowed"] = r.total.overflowed;
  if (r.explain) {
    const ExplainReport& x = *r.explain;
    Json e = {{"item", x.item}, {"found", x.found}, {"at", x.at_s}, {"queue", x.queue}, {"state", x.state}};
    if (!x.note.empty()) e["note"] = x.note;
    e["holder"] = x.holder.empty() ? Json() : Json(x.holder);
    e["requirements"] = x.requirements;
    e["skills_dropped"] = x.skills_dropped;
    Json& candidates = e["candidates"] = Json::array();
    for (const ExplainCandidateReport& c : x.candidates) {
      candidates.push_back({{"agent", c.agent}, {"verdict", c.verdict}, {"used", c.used},
                            {"capacity", c.capacity}, {"needed", c.needed}});
    }
    doc["explain"] = std::move(e);
  }
  doc["occupancy"] = r.occupancy;
  Json& queues = doc["queues"] = Json::array();
  for (const QueueReport& q : r.queues) {
    Json j = {{"name", q.name}, {"channel", q.channel}};
    j.update(contact_json(q.counters));
    j["waiting_at_end"] = q.waiting_at_end;
    j["overflowed_in"] = q.overflowed_in;
    queues.push_back(std::move(j));
  }
  Json& channels = doc["channels"] = Json::array();
  for (const ChannelReport& c : r.channels) {
    Json j = {{"name", c.name}};
    j.update(contact_json(c.counters));
    channels.push_back(std::move(j));
  }
  Json& sets = doc["requirement_sets"] = Json::array();
  for (const RequirementSetReport& s : r.requirement_sets) {
    Json skills = Json::array();
    for (const SkillRequirementReport& k : s.skills) {
      skills.push_back({{"skill", k.skill}, {"min_level", k.min_level}, {"drop_after", k.drop_after_s}});
    }
    Json j = {{"queue", s.queue}, {"label", s.label}, {"requirements", std::move(skills)}};
    j.update(contact_json(s.counters));
    j["mean_wait"] = s.counters.asa();
    j["p90_wait"] = s.p90_wait_s;
    j["relaxed"] = s.relaxed;
    j["skills_dropped"] = s.skills_dropped;
    sets.push_back(std::move(j));
  }
  Json& agents = doc["agents"] = Json::array();
  for (const AgentReport& a : r.agents) {
    Json time_in = Json::object();
    for (size_t i = 0; i < kActivityNames.size(); ++i) time_in[kActivityNames[i]] = a.seconds_in[i];
    agents.push_back({{"name", a.name},
                      {"profile", a.profile},
                      {"occupancy", a.occupancy},
                      {"offered", a.offered},
                      {"accepted", a.accepted},
                      {"handled", a.handled},
                      {"declined", a.declined},
                      {"declines_by_reason", a.declines_by_reason},
                      {"timeouts", a.timeouts},
                      {"pauses", a.pauses},
                      {"transfers", a.transfers},
                      {"time_in_state", std::move(time_in)}});
  }
  Json latency = latency_json(r.routing);
  Json& by_op = latency["by_operation"] = Json::object();
  for (const LatencyReport& l : r.latency) by_op[l.operation] = latency_json(l);
  doc["latency"] = std::move(latency);
  doc["events"] = {{"drained", r.events}, {"routing_deferred", r.routing_deferred}};
  Json& series = doc["series"] = Json::object();
  series["queues"] = r.series_queues;
  Json& points = series["points"] = Json::array();
  for (const SeriesPoint& p : r.series) {
    points.push_back({{"at", p.at_s}, {"waiting", p.waiting}, {"service_level", p.service_level}});
  }
  doc["notes"] = r.notes;
  return doc.dump(2) + "\n";
}

std::expected<void, std::string> write_report_json(const Report& r, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return std::unexpected(file.string() + ": cannot open for writing");
  out << report_json(r);
  if (!out.flush()) return std::unexpected(file.string() + ": write failed");
  return {};
}

}  // namespace omni::sim
