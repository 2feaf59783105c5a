// `omni journal inspect DIR` and `omni journal recover DIR --report`: a durable kernel's journal
// (docs/OPERATIONS.md "Recovery of kernel state") seen without starting a kernel. Neither writes
// to DIR: a torn tail is reported, not cut (the next DurableKernel::open cuts it).
//
// inspect: one JSON object per line — {"warning"…} for what recovery would repair, {"snapshot"…}
// with the state it holds, one {"lsn"…} per record (events decoded; --brief counts them), and a
// last {"integrity"…}: "ok", or "error" with the reason. Exit 0 when the journal is recoverable
// (even with a torn tail), 1 on a corrupt middle or an illegal transition, 2 when DIR holds no
// journal.
// recover --report: what a restart would rebuild — items by state and queue, agents, prepared
// requirement sets, the time shift, warnings. Same exit statuses.
#include <cstdio>
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "command.h"
#include "omnikernel/durable/host_table.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/journal/reader.h"

namespace {

using nlohmann::json;
namespace durable = omni::durable;

constexpr int kCorrupt = 1;
constexpr int kNoJournal = 2;

struct JournalArgs {
  std::string dir;
  bool brief = false;
  bool report = false;
};

void print(const json& j) { std::printf("%s\n", j.dump().c_str()); }

json event_json(const omni::Event& e) {
  json j{{"at_ns", e.at.time_since_epoch().count()}, {"type", std::string(omni::to_string(e.type))}};
  if (omni::index(e.item) != 0) {
    j["item"] = omni::index(e.item);
    j["seq"] = e.seq;
    j["queue"] = omni::index(e.queue);
  }
  if (e.agent != omni::kNoAgent) j["agent"] = omni::index(e.agent);
  if (e.reason != 0) j["reason"] = e.reason;
  if (e.type == omni::EventType::submitted) {
    j["customer"] = e.customer;
    if (e.requirements) j["requirements"] = e.requirements;
    if (e.is_bot) j["is_bot"] = true;
  }
  return j;
}

json record_json(const omni::journal::Record& r, bool brief) {
  const auto type = static_cast<durable::RecordType>(r.type);
  json j{{"lsn", r.lsn}, {"type", std::string(durable::to_string(type))}, {"bytes", r.payload.size()}};
  switch (type) {
    case durable::RecordType::events: {
      auto events = durable::decode_events(r.payload);
      if (!events) {
        j["error"] = events.error();
        break;
      }
      j["count"] = events->size();
      if (!brief) {
        json list = json::array();
        for (const auto& e : *events) list.push_back(event_json(e));
        j["events"] = std::move(list);
      }
      break;
    }
    case durable::RecordType::requirements: {
      auto rec = durable::decode_requirements(r.payload);
      if (!rec) {
        j["error"] = rec.error();
        break;
      }
      j["id"] = omni::index(rec->id);
      j["queue"] = omni::index(rec->queue);
      json skills = json::array();
      for (const auto& s : rec->skills)
        skills.push_back({{"skill", omni::index(s.skill)}, {"min_level", s.min_level}, {"drop_after_ns", s.drop_after.count()}});
      j["skills"] = std::move(skills);
      break;
    }
    case durable::RecordType::config: {
      auto text = durable::decode_config_text(r.payload);
      if (!text) j["error"] = text.error();
      else if (!brief) j["config"] = json::parse(*text, nullptr, false);
      break;
    }
    case durable::RecordType::restart: {
      auto rec = durable::decode_restart(r.payload);
      if (!rec) j["error"] = rec.error();
      else j["shift_ns"] = rec->shift.count();
      break;
    }
    case durable::RecordType::host: {
      auto ops = durable::decode_host_ops(r.payload);
      if (!ops) {
        j["error"] = ops.error();
        break;
      }
      j["count"] = ops->size();
      if (!brief) {
        // Keys only: values are the host's (a customer's messages) and may be large.
        json list = json::array();
        for (const auto& op : *ops)
          list.push_back({{"op", op.kind == durable::HostOp::Kind::put ? "put" : "erase"}, {"key", op.key}});
        j["ops"] = std::move(list);
      }
      break;
    }
    default:
      j["error"] = "unknown record type " + std::to_string(r.type);
  }
  return j;
}

json warning_json(const omni::journal::Warning& w) {
  return {{"file", w.file.string()}, {"offset", w.offset}, {"what", w.what}};
}

int inspect(const JournalArgs& args) {
  if (!durable::has_journal(args.dir)) {
    std::fprintf(stderr, "omni journal inspect: %s holds no journal\n", args.dir.c_str());
    return kNoJournal;
  }
  auto reader = omni::journal::Reader::open(args.dir, /*repair_tail=*/false);
  if (!reader) {
    print({{"integrity", "error"}, {"file", reader.error().path.string()}, {"offset", reader.error().offset},
           {"reason", reader.error().reason}});
    return kCorrupt;
  }
  for (const auto& w : reader->warnings()) print({{"warning", warning_json(w)}});
  if (auto covers = reader->snapshot_lsn()) {
    json s{{"covers", *covers}, {"bytes", reader->snapshot_state().size()}};
    auto state = durable::decode_snapshot(reader->snapshot_state());
    if (state) {
      s["items"] = state->model.items.size();
      s["agents"] = state->model.agents.size();
      s["requirement_sets"] = state->model.requirement_sets.size();
      s["pending_events"] = [&] {
        size_t n = 0;
        for (const auto& [k, v] : state->model.pending) n += v.size();
        return n;
      }();
      s["highest_seq"] = state->model.highest_seq;
      s["host_entries"] = state->host.size();
    } else {
      s["error"] = state.error();
    }
    print({{"snapshot", std::move(s)}});
  }
  for (const auto& r : reader->records()) print(record_json(r, args.brief));
  // The records are intact; now their content: every transition legal, in order.
  auto recovered = durable::recover(args.dir, {.repair_tail = false});
  if (!recovered) {
    print({{"integrity", "error"}, {"lsn", recovered.error().lsn}, {"reason", recovered.error().message()}});
    return kCorrupt;
  }
  print({{"integrity", "ok"},
         {"records", reader->records().size()},
         {"last_lsn", reader->last_lsn()},
         {"warnings", reader->warnings().size()},
         {"live_items", recovered->image.items.size()},
         {"host_entries", recovered->host.size()}});
  return 0;
}

int report(const JournalArgs& args) {
  if (!durable::has_journal(args.dir)) {
    std::fprintf(stderr, "omni journal recover: %s holds no journal\n", args.dir.c_str());
    return kNoJournal;
  }
  auto r = durable::recover(args.dir, {.repair_tail = false});
  if (!r) {
    std::fprintf(stderr, "omni journal recover: %s\n", r.error().message().c_str());
    return r.error().empty ? kNoJournal : kCorrupt;
  }
  std::printf("Journal %s: %s, %zu records replayed after it, last record %llu, %u restart%s in the tail\n",
              args.dir.c_str(),
              r->snapshot_lsn ? ("snapshot at record " + std::to_string(*r->snapshot_lsn)).c_str() : "no snapshot",
              r->records_replayed, static_cast<unsigned long long>(r->last_lsn), r->restarts, r->restarts == 1 ? "" : "s");
  for (const auto& w : r->warnings)
    std::printf("warning: %s at byte %llu: %s (a restart cuts it)\n", w.file.string().c_str(),
                static_cast<unsigned long long>(w.offset), w.what.c_str());
  std::printf("A restart would rebuild %zu items (offered ones are queued again, image.h)%s\n", r->image.items.size(),
              args.report ? ":" : "");
  if (!args.report) return 0;
  std::map<std::pair<std::string, std::string>, size_t> by;  // (queue, state) → items
  for (const auto& item : r->image.items)
    ++by[{r->config.queues[omni::index(item.queue)].name, std::string(omni::to_string(item.state))}];
  std::printf("  %-24s %-10s %8s\n", "queue", "state", "items");
  for (const auto& [key, n] : by) std::printf("  %-24s %-10s %8zu\n", key.first.c_str(), key.second.c_str(), n);
  std::printf("Agents whose status the journal changed (others start as configured):\n");
  for (const auto& a : r->image.agents) {
    const auto& ac = r->config.agents[omni::index(a.agent)];
    size_t holds = 0;
    for (const auto& item : r->image.items) holds += item.agent == a.agent ? 1 : 0;
    std::printf("  %-24s %-16s %s%zu item%s\n", ac.name.c_str(), r->config.statuses[omni::index(a.status)].name.c_str(),
                a.missed ? "missed, " : "", holds, holds == 1 ? "" : "s");
  }
  std::printf("Prepared requirement sets: %zu; customers with a remembered last agent: %zu\n",
              r->image.requirement_sets.size(), r->image.last_agents.size());
  // The host's own state (omni serve: conversations, seen message ids), by key prefix.
  std::map<std::string, size_t> host;
  for (const auto& [key, value] : r->host) ++host[key.substr(0, key.find('/'))];
  std::printf("Host table entries: %zu", r->host.size());
  for (const auto& [prefix, n] : host) std::printf("%s%s: %zu", prefix == host.begin()->first ? " (" : ", ", prefix.c_str(), n);
  std::printf("%s\n", host.empty() ? "" : ")");
  std::printf("Timers: times move by (restart time − last event time %.3f s) so they keep their remaining time\n",
              std::chrono::duration<double>(r->model.data().last_event_time.time_since_epoch()).count());
  return 0;
}

omni::cli::CommandRegistrar registrar{+[](CLI::App& root) {
  auto* journal = root.add_subcommand("journal", "Inspect a durable kernel's journal directory (docs/OPERATIONS.md)");
  journal->require_subcommand(1);
  auto args = std::make_shared<JournalArgs>();
  auto* inspect_cmd = journal->add_subcommand(
      "inspect", "Records as JSON lines, the snapshot's summary and an integrity check (exit 1 on a corrupt middle)");
  inspect_cmd->add_option("DIR", args->dir, "journal directory")->required();
  inspect_cmd->add_flag("--brief", args->brief, "count each record's events instead of listing them");
  inspect_cmd->callback([args] {
    if (int status = inspect(*args); status != 0) throw CLI::RuntimeError(status);
  });
  auto* recover_cmd = journal->add_subcommand("recover", "What a restart would rebuild from DIR (reads only)");
  recover_cmd->add_option("DIR", args->dir, "journal directory")->required();
  recover_cmd->add_flag("--report", args->report, "items by queue and state, agents, requirement sets");
  recover_cmd->callback([args] {
    if (int status = report(*args); status != 0) throw CLI::RuntimeError(status);
  });
}};

}  // namespace
