#include "omnikernel/durable/recovery.h"

#include <system_error>

#include "omnikernel/config/loader.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/journal/reader.h"

namespace omni::durable {

std::string RecoveryError::message() const {
  std::string m;
  if (!path.empty()) m = path.string() + " at byte " + std::to_string(offset) + ": ";
  if (lsn != 0) m += "record " + std::to_string(lsn) + ": ";
  return m + reason;
}

bool has_journal(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if ((name.starts_with("segment-") && name.ends_with(".log")) || (name.starts_with("snapshot-") && name.ends_with(".snap")))
      return true;
  }
  return false;
}

namespace {

std::unexpected<RecoveryError> at_record(journal::Lsn lsn, std::string reason) {
  return std::unexpected(RecoveryError{{}, 0, lsn, std::move(reason)});
}

std::expected<Config, RecoveryError> parse_config(journal::Lsn lsn, const std::string& json) {
  auto c = config::load_config_text(json, "journal config");
  if (!c) return at_record(lsn, "the journaled configuration does not load: " + c.error().message());
  return *c;
}

}  // namespace

std::expected<Recovered, RecoveryError> recover(const std::filesystem::path& dir, const RecoverOptions& options) {
  auto reader = journal::Reader::open(dir, options.repair_tail);
  if (!reader) {
    const auto& e = reader.error();
    return std::unexpected(RecoveryError{e.path, e.offset, 0, e.reason});
  }
  std::optional<JournalModel> model;
  std::string config_json;
  HostTable host;
  const auto snapshot_lsn = reader->snapshot_lsn();
  if (!snapshot_lsn && reader->records().empty()) {
    RecoveryError e{dir, 0, 0, "the journal holds no record", true};
    return std::unexpected(e);
  }
  if (snapshot_lsn) {
    auto s = decode_snapshot(reader->snapshot_state());
    if (!s) return at_record(*snapshot_lsn, s.error());
    auto c = parse_config(*snapshot_lsn, s->config_json);
    if (!c) return std::unexpected(c.error());
    if (s->model.agents.size() != c->agents.size())
      return at_record(*snapshot_lsn, "snapshot: its agents do not match its configuration");
    config_json = std::move(s->config_json);
    model.emplace(*c, std::move(s->model));
    host = std::move(s->host);
  }
  uint32_t restarts = 0;
  auto refused = [](const ModelError& e) { return at_record(e.lsn, e.message()); };
  for (const journal::Record& rec : reader->records()) {
    const auto type = static_cast<RecordType>(rec.type);
    if (type != RecordType::config && !model) return at_record(rec.lsn, "a record before the configuration");
    switch (type) {
      case RecordType::config: {
        auto text = decode_config_text(rec.payload);
        if (!text) return at_record(rec.lsn, text.error());
        if (model && *text == config_json) break;  // the same again (a restart of the same host)
        auto c = parse_config(rec.lsn, *text);
        if (!c) return std::unexpected(c.error());
        config_json = std::move(*text);
        if (model) model->reconfigure(*c);  // a live change (DurableKernel::reconfigure)
        else model.emplace(*c);
        break;
      }
      case RecordType::requirements: {
        auto r = decode_requirements(rec.payload);
        if (!r) return at_record(rec.lsn, r.error());
        if (auto ok = model->apply_requirements(rec.lsn, *r); !ok) return refused(ok.error());
        break;
      }
      case RecordType::events: {
        auto events = decode_events(rec.payload);
        if (!events) return at_record(rec.lsn, events.error());
        if (auto ok = model->apply_events(rec.lsn, *events); !ok) return refused(ok.error());
        break;
      }
      case RecordType::restart: {
        // A kernel was restored here: repeat what that restore did to the model.
        auto r = decode_restart(rec.payload);
        if (!r) return at_record(rec.lsn, r.error());
        if (auto ok = model->settle(); !ok) return refused(ok.error());
        model->restored(r->shift);
        ++restarts;
        break;
      }
      case RecordType::host: {
        auto ops = decode_host_ops(rec.payload);
        if (!ops) return at_record(rec.lsn, ops.error());
        apply_host_ops(host, *ops);
        break;
      }
      default:
        return at_record(rec.lsn, "unknown record type " + std::to_string(rec.type));
    }
    model->set_last_lsn(rec.lsn);
  }
  if (!model) return std::unexpected(RecoveryError{dir, 0, 0, "no configuration: the directory holds no durable kernel's journal"});
  if (auto ok = model->settle(); !ok) return refused(ok.error());
  const Duration shift = options.now ? *options.now - model->data().last_event_time : Duration{};
  Recovered out{model->config(), std::move(config_json), std::move(*model), {}, {}, {}, snapshot_lsn,
                reader->last_lsn(), reader->records().size(), restarts};
  out.image = out.model.image(shift);
  out.host = std::move(host);
  out.warnings.assign(reader->warnings().begin(), reader->warnings().end());
  return out;
}

}  // namespace omni::durable
