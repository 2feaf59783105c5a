#include "omnikernel/durable/durable_kernel.h"

#include <algorithm>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "omnikernel/config/writer.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/image.h"
#include "omnikernel/journal/reader.h"

namespace omni::durable {

std::string_view to_string(DrainStatus s) noexcept {
  switch (s) {
    case DrainStatus::ok: return "ok";
    case DrainStatus::busy: return "busy";
    case DrainStatus::disk_full: return "disk_full";
    case DrainStatus::io_error: return "io_error";
    case DrainStatus::closed: return "closed";
    case DrainStatus::invalid: return "invalid";
    case DrainStatus::out_too_small: return "out_too_small";
  }
  return "unknown";
}

namespace {

using journal::JournalStatus;

DrainStatus drain_status(JournalStatus s) {
  switch (s) {
    case JournalStatus::ok: return DrainStatus::ok;
    case JournalStatus::busy: return DrainStatus::busy;
    case JournalStatus::disk_full: return DrainStatus::disk_full;
    case JournalStatus::closed: return DrainStatus::closed;
    default: return DrainStatus::io_error;
  }
}

std::unexpected<OpenFailure> failure(OpenFailure::Kind kind, std::string message) {
  return std::unexpected(OpenFailure{kind, std::move(message)});
}

// The first place where two configurations differ, as a JSON pointer with both values.
std::string first_difference(const std::string& journal_json, const std::string& given_json) {
  const auto a = nlohmann::json::parse(journal_json, nullptr, false);
  const auto b = nlohmann::json::parse(given_json, nullptr, false);
  if (a.is_discarded() || b.is_discarded()) return "(unreadable)";
  const auto patch = nlohmann::json::diff(a, b);
  if (patch.empty()) return "(none)";
  const std::string path = patch[0].value("path", std::string{});
  const nlohmann::json::json_pointer ptr(path);
  const std::string was = a.contains(ptr) ? a.at(ptr).dump() : "absent";
  const std::string now = b.contains(ptr) ? b.at(ptr).dump() : "absent";
  return path + " (journal: " + was + ", given: " + now + ")";
}

}  // namespace

DurableKernel::~DurableKernel() {
  stop_snapshotter();
  if (writer_) writer_->close();
}

void DurableKernel::start_snapshotter() {
  snapshotter_ = std::thread([this] {
    std::unique_lock lock(snap_mu_);
    for (;;) {
      snap_cv_.wait(lock, [&] { return snap_stop_ || snap_covers_ != 0; });
      if (snap_covers_ == 0) return;  // stopping, nothing left to write
      const journal::Lsn covers = std::exchange(snap_covers_, 0);
      const std::vector<std::byte> state = std::move(snap_state_);
      lock.unlock();
      const JournalStatus s = writer_->write_snapshot(covers, state);
      if (s != JournalStatus::ok) snapshot_status_.store(s, std::memory_order_release);
      lock.lock();
      snap_busy_ = false;
      snap_cv_.notify_all();
    }
  });
}

// Writes what is posted, then stops the thread.
void DurableKernel::stop_snapshotter() {
  if (!snapshotter_.joinable()) return;
  {
    std::lock_guard lock(snap_mu_);
    snap_stop_ = true;
  }
  snap_cv_.notify_all();
  snapshotter_.join();
}

void DurableKernel::wait_snapshots() {
  std::unique_lock lock(snap_mu_);
  snap_cv_.wait(lock, [&] { return !snap_busy_; });
}

// On the drainer, under mu_: encodes the model (consistent with the LSN it covers) and posts it.
void DurableKernel::snapshot_in_background() {
  {
    std::lock_guard lock(snap_mu_);
    if (snap_busy_ || snap_stop_) return;  // one at a time: this one falls due again later
    snap_busy_ = true;
    snap_covers_ = model_->data().last_lsn;
    snap_state_ = encode_snapshot(config_json_, model_->data(), host_);
  }
  snap_cv_.notify_all();
  records_since_snapshot_ = 0;
  bytes_since_snapshot_ = 0;
}

std::expected<std::unique_ptr<DurableKernel>, OpenFailure> DurableKernel::open(
    const std::filesystem::path& dir, const Config& config, const Clock& clock,
    std::span<PolicyHook* const> policies, DurableOptions options) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return failure(OpenFailure::Kind::storage, "journal directory " + dir.string() + ": " + ec.message());
  options.journal.dir = dir;
  std::unique_ptr<DurableKernel> dk(new DurableKernel());
  dk->options_ = options;
  dk->options_.max_batch = std::max<size_t>(options.max_batch, 1);
  const std::string given_json = config::write_config(config);

  // The writer first: it takes the directory's lock (a second host on it is refused before
  // anything is read) and cuts a torn tail; recovery then reads beside it without writing.
  auto w = journal::Writer::open(dk->options_.journal);
  if (!w) {
    // Damage the Reader sees too is the journal's, not the directory's.
    const bool damaged = !journal::Reader::open(dir, /*repair_tail=*/false).has_value();
    return failure(damaged ? OpenFailure::Kind::recovery : OpenFailure::Kind::storage, "journal: " + w.error().message());
  }
  dk->writer_ = std::move(*w);
  dk->warnings_.assign(dk->writer_->warnings().begin(), dk->writer_->warnings().end());

  std::optional<Recovered> recovered;
  if (auto r = recover(dir, {.repair_tail = false, .now = clock.now()}); r) {
    if (r->config_json != given_json && !options.journal_config_wins)
      return failure(OpenFailure::Kind::config_mismatch,
                     "the journal in " + dir.string() + " was written with another configuration; first difference at " +
                         first_difference(r->config_json, given_json));
    recovered = std::move(*r);
  } else if (!r.error().empty) {
    return failure(OpenFailure::Kind::recovery, "recovery of " + dir.string() + ": " + r.error().message());
  }
  // else: no record yet (a new directory, or a first start killed before its configuration
  // record was written): a first start.

  if (recovered) {
    auto k = Kernel::restore(recovered->config, clock, recovered->image, policies);
    if (!k) return failure(OpenFailure::Kind::kernel, "restore: " + k.error().message());
    dk->kernel_ = std::move(*k);
    dk->config_json_ = recovered->config_json;
    dk->model_ = std::make_unique<JournalModel>(std::move(recovered->model));
    dk->recovered_ = true;
    dk->recovered_items_ = recovered->image.items.size();
    dk->host_ = std::move(recovered->host);
  } else {
    auto k = Kernel::create(config, clock, policies);
    if (!k) return failure(OpenFailure::Kind::kernel, "create: " + k.error().message());
    dk->kernel_ = std::move(*k);
    dk->config_json_ = given_json;
    dk->model_ = std::make_unique<JournalModel>(config);
  }

  dk->batch_.reserve(dk->options_.max_batch);
  dk->payload_.reserve(4 + dk->options_.max_batch * kEventBytes);
  dk->submits_.resize(dk->kernel_->config()->limits.max_items);
  dk->start_snapshotter();

  if (recovered) {
    // Restore was a transition of every item with no event (image.h): the restart record says
    // so, and the snapshot after it holds the state the new kernel started from.
    const Duration shift = recovered->image.shift;
    auto lsn = dk->writer_->append(static_cast<uint16_t>(RecordType::restart), encode_restart({shift, clock.now()}));
    if (!lsn) return failure(OpenFailure::Kind::storage, "journal: restart record: " + std::string(journal::to_string(lsn.error())));
    dk->model_->restored(shift);
    dk->model_->set_last_lsn(*lsn);
    // Recovered items were durable before the restart.
    for (const auto& [key, item] : dk->model_->data().items) {
      const uint32_t slot = slot_of(item.id);
      if (slot < dk->submits_.size()) dk->submits_[slot] = {birth_of(item.id), 0};
    }
    const JournalStatus s = dk->snapshot_locked();
    if (s != JournalStatus::ok)
      return failure(OpenFailure::Kind::storage, "journal: snapshot after restore: " + std::string(journal::to_string(s)));
  } else {
    auto lsn = dk->writer_->append(static_cast<uint16_t>(RecordType::config), encode_config_text(given_json));
    if (!lsn) return failure(OpenFailure::Kind::storage, "journal: config record: " + std::string(journal::to_string(lsn.error())));
    dk->model_->set_last_lsn(*lsn);
    // The configuration is durable before the kernel is handed out: a journal never lacks it.
    if (const JournalStatus s = dk->writer_->flush(); s != JournalStatus::ok)
      return failure(OpenFailure::Kind::storage, "journal: config record: " + std::string(journal::to_string(s)));
  }
  return dk;
}

DrainResult DurableKernel::drain(std::span<Event> out) {
  std::lock_guard lock(mu_);
  if (model_failed_) return {0, DrainStatus::invalid};
  if (!held_) {
    batch_.resize(std::min(out.size(), options_.max_batch));
    const size_t n = kernel_->poll_events(batch_);
    batch_.resize(n);
    if (n == 0) return {};
    // The model checks the batch before it is journaled: a record the model refuses would make
    // the journal unrecoverable, so it is never written.
    if (auto ok = model_->apply_events(writer_->last_appended() + 1, batch_); !ok) {
      model_failed_ = true;
      std::copy(batch_.begin(), batch_.end(), out.begin());
      return {n, DrainStatus::invalid};
    }
    encode_events(batch_, payload_);
    held_ = true;
  }
  if (out.size() < batch_.size()) return {0, DrainStatus::out_too_small};
  const DrainStatus s = append_held();
  if (s != DrainStatus::ok) return {0, s};
  std::copy(batch_.begin(), batch_.end(), out.begin());
  return {batch_.size(), DrainStatus::ok};
}

// Appends the held batch; on success notes its submits and snapshots when due.
DrainStatus DurableKernel::append_held() {
  auto lsn = writer_->append(static_cast<uint16_t>(RecordType::events), payload_);
  if (!lsn) return drain_status(lsn.error());
  held_ = false;
  model_->set_last_lsn(*lsn);
  note_submits(*lsn);
  ++records_since_snapshot_;
  bytes_since_snapshot_ += payload_.size();
  if ((options_.snapshot_every_records && records_since_snapshot_ >= options_.snapshot_every_records) ||
      (options_.snapshot_every_bytes && bytes_since_snapshot_ >= options_.snapshot_every_bytes))
    snapshot_in_background();
  return DrainStatus::ok;
}

void DurableKernel::note_submits(journal::Lsn lsn) {
  bool any = false;
  {
    std::lock_guard lock(submits_mu_);
    for (const Event& e : batch_) {
      if (e.type != EventType::submitted) continue;
      const uint32_t slot = slot_of(e.item);
      if (slot < submits_.size()) submits_[slot] = {birth_of(e.item), lsn};
      any = true;
    }
  }
  if (any) submits_cv_.notify_all();
}

bool DurableKernel::is_durable(ItemId item) const {
  const uint32_t slot = slot_of(item);
  if (slot >= submits_.size() || birth_of(item) == 0) return false;
  std::lock_guard lock(submits_mu_);
  const SubmitLsn s = submits_[slot];
  // A later item of the slot was submitted after this one ended, so this one's record is no
  // later than the later one's: durable when that is (conservative, never wrong).
  return s.birth >= birth_of(item) && s.lsn <= writer_->durable();
}

bool DurableKernel::wait_durable(ItemId item, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const uint32_t slot = slot_of(item);
  if (slot >= submits_.size() || birth_of(item) == 0) return false;
  journal::Lsn lsn;
  {
    std::unique_lock lock(submits_mu_);
    if (!submits_cv_.wait_until(lock, deadline, [&] { return submits_[slot].birth >= birth_of(item); })) return false;
    lsn = submits_[slot].lsn;
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return writer_->wait_durable(lsn, std::max(left, std::chrono::milliseconds{0}));
}

std::expected<RequirementsId, PrepareFailure> DurableKernel::prepare_requirements(
    QueueId queue, std::span<const SkillRequirement> skills) {
  std::lock_guard lock(mu_);
  auto id = kernel_->prepare_requirements(queue, skills);
  if (!id) return std::unexpected(PrepareFailure{id.error(), JournalStatus::ok});
  if (index(*id) <= model_->data().requirement_sets.size()) return *id;  // known: already journaled
  const RequirementsRecord rec{queue, {skills.begin(), skills.end()}, *id};
  // Journaled before any submit can name the id (the host learns it from this return), so the
  // record precedes every event that refers to it. Retried while the journal is busy: a
  // prepared set the journal does not know would make later submits unrecoverable.
  const auto payload = encode_requirements(rec);
  auto lsn = append_when_room(RecordType::requirements, payload);
  if (!lsn) return std::unexpected(PrepareFailure{Status::ok, lsn.error()});
  if (auto ok = model_->apply_requirements(*lsn, rec); !ok) model_failed_ = true;
  return *id;
}

// For records that must land once their cause happened (a prepared set, a host record, a
// configuration): `busy` means the pending buffer waits for the disk, so wait for the disk's
// progress rather than return it. A yield loop here burned a core for as long as the disk stalled.
// Under mu_, like every append: journal order stays model order. A writer that failed or closed
// makes wait_durable return at once and the next append answer why.
std::expected<journal::Lsn, JournalStatus> DurableKernel::append_when_room(RecordType type,
                                                                          std::span<const std::byte> payload) {
  for (;;) {
    auto lsn = writer_->append(static_cast<uint16_t>(type), payload);
    if (lsn || lsn.error() != JournalStatus::busy) return lsn;
    (void)writer_->wait_durable(writer_->last_appended(), std::chrono::milliseconds(10));
  }
}

std::expected<journal::Lsn, journal::JournalStatus> DurableKernel::write_host(
    const std::function<std::vector<HostOp>(Kernel&)>& act) {
  std::lock_guard lock(mu_);
  std::vector<HostOp> ops = act(*kernel_);
  if (ops.empty()) return journal::Lsn{0};
  if (!check_host_ops(ops)) return std::unexpected(JournalStatus::invalid_argument);
  std::vector<std::byte> payload;
  encode_host_ops(ops, payload);
  auto lsn = append_when_room(RecordType::host, payload);
  if (!lsn) return std::unexpected(lsn.error());
  apply_host_ops(host_, ops);
  // The snapshot covers the model's last LSN: it must include this record, whose effect
  // host_ now holds, or recovery would apply it a second time on top of the snapshot.
  model_->set_last_lsn(*lsn);
  ++records_since_snapshot_;
  bytes_since_snapshot_ += payload.size();
  return *lsn;
}

std::expected<journal::Lsn, journal::JournalStatus> DurableKernel::write_host(std::vector<HostOp> ops) {
  return write_host([&ops](Kernel&) { return std::move(ops); });
}

HostTable DurableKernel::host_table() const {
  std::lock_guard lock(mu_);
  return host_;
}

std::string ReconfigureFailure::message() const {
  if (refused) return refused->message();
  return "journal: the configuration record was not made durable: " + std::string(journal::to_string(journal));
}

std::expected<void, ReconfigureFailure> DurableKernel::reconfigure(const Config& next) {
  std::lock_guard lock(mu_);
  // What the change puts in force (removals kept as tombstones) is what is journaled: recovery
  // then replays exactly the configurations the kernel ran by.
  if (config::write_config(live_successor(*kernel_->config(), next)) == config_json_) return {};  // nothing changes
  JournalStatus journal_failure = JournalStatus::ok;
  journal::Lsn lsn = 0;
  std::optional<Config> in_force;
  // Durable before the kernel routes by it, and only once the kernel is certain to take it (the
  // hook runs after every check and fence): a record never names a change that did not happen.
  // Events drained before the switch were made under the old configuration; drains after it
  // (they need mu_) carry only events of the new one, or of operations that began before the
  // switch — legal under either, since a live change keeps every id in place.
  auto record = [&](const Config& successor) -> std::optional<ConfigError> {
    const auto payload = encode_config_text(config::write_config(successor));
    auto appended = append_when_room(RecordType::config, payload);
    if (!appended) {
      journal_failure = appended.error();
      return ConfigError{"journal", "the configuration record was not appended"};
    }
    lsn = *appended;
    if (const JournalStatus s = writer_->flush(); s != JournalStatus::ok) {
      journal_failure = s;
      return ConfigError{"journal", "the configuration record was not made durable"};
    }
    in_force = successor;
    return std::nullopt;
  };
  if (auto applied = kernel_->reconfigure(next, record); !applied) {
    if (journal_failure != JournalStatus::ok) return std::unexpected(ReconfigureFailure{{}, journal_failure});
    return std::unexpected(ReconfigureFailure{applied.error(), JournalStatus::ok});
  }
  model_->reconfigure(*in_force);
  model_->set_last_lsn(lsn);
  config_json_ = config::write_config(*in_force);
  ++records_since_snapshot_;
  return {};
}

journal::JournalStatus DurableKernel::snapshot() {
  std::lock_guard lock(mu_);
  return snapshot_locked();
}

journal::JournalStatus DurableKernel::snapshot_locked() {
  // A held batch is in the model but not in the journal: the snapshot waits for its append.
  if (held_) return JournalStatus::busy;
  wait_snapshots();  // snapshots are written in LSN order
  const journal::Lsn covers = model_->data().last_lsn;
  if (covers == 0) return JournalStatus::ok;
  const auto state = encode_snapshot(config_json_, model_->data(), host_);
  const JournalStatus s = writer_->write_snapshot(covers, state);
  if (s == JournalStatus::ok) {
    records_since_snapshot_ = 0;
    bytes_since_snapshot_ = 0;
  }
  return s;
}

journal::JournalStatus DurableKernel::close() {
  std::lock_guard lock(mu_);
  stop_snapshotter();
  return writer_->close();
}

}  // namespace omni::durable
