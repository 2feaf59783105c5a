// DurableKernel — a Kernel whose every transition is journaled (issue 10): the host side of the
// journal. It owns the kernel and a journal::Writer; the hot path is the kernel's own
// (kernel().submit(…) etc.: submit threads never touch the journal), and the one thread that
// drains events appends them.
//
//   open(dir, config, clock)  recovers when `dir` holds a journal (recover(): snapshot + tail,
//                             Kernel::restore, a restart record and a fresh snapshot), else
//                             creates a kernel and journals its configuration first.
//   drain(out)                Kernel::poll_events + one `events` record; the host still gets every
//                             event. Journal back-pressure (busy, disk_full, io_error) stops the
//                             draining: the polled batch is held and appended first next time,
//                             the kernel's event ring fills and its calls answer events_full.
//                             Never a drop.
//   prepare_requirements      the kernel's, then a `requirements` record.
//   durable_lsn / is_durable / wait_durable   an item is durable once the record holding its
//                             `submitted` event is: acknowledge a webhook only then.
//   write_host(act)           the host's own state (host_table.h) journaled in the same journal:
//                             `act` runs kernel calls under the drain lock and returns put/erase
//                             operations, appended as one record *before* the events those calls
//                             caused — so a durable item implies its host record is durable.
//
// What is durable when, what each state becomes after recovery, the time shift and the failure
// modes: docs/OPERATIONS.md "Recovery of kernel state".
//
// Threading: kernel() is used from any number of threads. drain() and prepare_requirements()
// may be called from different threads (they serialise on a mutex the hot path never takes).
// is_durable / wait_durable / durable_lsn from any thread.
// Memory ordering: a thread that sees is_durable(id) (or durable_lsn() ≥ N) also sees the files
// holding the records up to it (journal::Writer::durable is an acquire of the writer's release).
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <expected>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "omnikernel/durable/host_table.h"
#include "omnikernel/durable/journal_model.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/journal/writer.h"
#include "omnikernel/kernel.h"

namespace omni::durable {

struct DurableOptions {
  journal::Options journal;  // `dir` is open()'s; the window, fsync, caps are the journal's
  // Events per record at most (and per drain call); the held batch is preallocated to this.
  size_t max_batch = 4096;
  // A snapshot after this many records or payload bytes since the last one (0 = never by that
  // measure), so that recovery reads one snapshot and a short tail. The drainer encodes the
  // state; a background thread writes it (it waits for the covered records' sync), so that the
  // drain never stalls on it. A snapshot falling due while one is being written waits for it.
  uint64_t snapshot_every_records = 20000;
  uint64_t snapshot_every_bytes = 32ull << 20;
  // A journal whose configuration differs from the one passed to open() is an error naming the
  // first difference, unless this is set: then the journal's configuration wins (the passed one
  // is ignored), since it is the one the journaled items were routed under.
  bool journal_config_wins = false;
};

struct OpenFailure {
  enum class Kind : uint8_t {
    storage,          // the directory cannot be created, locked or written
    recovery,         // the journal is corrupt in its middle, or holds an illegal transition
    config_mismatch,  // the journal's configuration is not the one passed
    kernel,           // Kernel::create / restore refused the configuration or the image
  };
  Kind kind{};
  std::string message;
};

// Why drain() did not append (JournalStatus) or the model refused the events.
enum class DrainStatus : uint8_t {
  ok,
  busy,        // the journal is behind (max_pending_bytes): the batch is held, drain again
  disk_full,   // max_bytes or ENOSPC: the batch is held; the journal is intact (reopen bigger)
  io_error,    // a write or sync failed: the writer stopped; reopen
  closed,
  invalid,     // the model refused the events (a kernel bug): nothing more is journaled
  out_too_small,  // `out` is smaller than the held batch
};
[[nodiscard]] std::string_view to_string(DrainStatus s) noexcept;

struct DrainResult {
  size_t events = 0;  // copied into `out` (already journaled: appended, not yet durable)
  DrainStatus status = DrainStatus::ok;
};

struct ReconfigureFailure {
  std::optional<ConfigError> refused;                           // the kernel refused the change
  journal::JournalStatus journal = journal::JournalStatus::ok;  // or its record was not made durable
  [[nodiscard]] std::string message() const;
};
struct PrepareFailure {
  Status kernel = Status::ok;                              // the kernel refused the set
  journal::JournalStatus journal = journal::JournalStatus::ok;  // or its record was not appended
};

class DurableKernel {
 public:
  [[nodiscard]] static std::expected<std::unique_ptr<DurableKernel>, OpenFailure> open(
      const std::filesystem::path& dir, const Config& config, const Clock& clock,
      std::span<PolicyHook* const> policies = {}, DurableOptions options = {});
  ~DurableKernel();
  DurableKernel(const DurableKernel&) = delete;
  DurableKernel& operator=(const DurableKernel&) = delete;

  // The hot path: call it directly (every transition's event reaches the journal via drain).
  [[nodiscard]] Kernel& kernel() noexcept { return *kernel_; }

  [[nodiscard]] DrainResult drain(std::span<Event> out);
  [[nodiscard]] std::expected<RequirementsId, PrepareFailure> prepare_requirements(
      QueueId queue, std::span<const SkillRequirement> skills);
  // A live change (Kernel::reconfigure), journaled: checked first, then its `config` record is
  // appended and made durable, then the kernel takes it — so the journal never lacks a
  // configuration that events after it rely on (a status appended live, say). Refused changes
  // write nothing. Change the configuration of a durable kernel only through here.
  [[nodiscard]] std::expected<void, ReconfigureFailure> reconfigure(const Config& next);

  [[nodiscard]] journal::Lsn durable_lsn() const noexcept { return writer_->durable(); }
  [[nodiscard]] bool is_durable(ItemId item) const;
  // Waits until the item's `submitted` record is durable: false on time-out (including an item
  // that was never drained, e.g. an id never issued) or when the journal stopped.
  [[nodiscard]] bool wait_durable(ItemId item, std::chrono::milliseconds timeout);

  // Runs `act(kernel())` under the drain lock, applies the operations it returns to the host
  // table and appends them as one `host` record. The drain cannot poll in between, so every
  // event the kernel calls inside `act` publish is journaled after the record: an item
  // submitted inside `act` is durable only once its host record is. Returns the record's LSN
  // (wait for it with journal().wait_durable), or 0 when `act` returned no operation.
  // `busy` is waited out (the act already happened: its record must follow); disk_full,
  // io_error or closed are returned, and so is invalid_argument for an op over the bounds of
  // host_table.h (the act's kernel calls stand; nothing is applied or appended: keep ops in
  // bounds). `act` must not call drain(),
  // prepare_requirements(), snapshot() or write_host() (they take the same lock).
  [[nodiscard]] std::expected<journal::Lsn, journal::JournalStatus> write_host(
      const std::function<std::vector<HostOp>(Kernel&)>& act);
  [[nodiscard]] std::expected<journal::Lsn, journal::JournalStatus> write_host(std::vector<HostOp> ops);
  // A copy of the host table: what open() recovered, plus every write_host since.
  [[nodiscard]] HostTable host_table() const;

  // Writes a snapshot of everything appended so far now (waits for it to be durable). `busy`
  // while drain() holds a batch the journal refused: the model already includes it, so a
  // snapshot now would cover events no record holds. Drain, then snapshot again.
  [[nodiscard]] journal::JournalStatus snapshot();
  // The last periodic snapshot's outcome (ok until one failed: disk_full, io_error…).
  [[nodiscard]] journal::JournalStatus last_snapshot_status() const noexcept {
    return snapshot_status_.load(std::memory_order_acquire);
  }
  // Waits until no periodic snapshot is being written (tests, orderly shutdown).
  void wait_snapshots();
  // Flushes and closes the journal (events still in the kernel's ring are not drained).
  journal::JournalStatus close();

  // What open() found: recovery's warnings (torn tail cut at byte N…) and the writer's.
  [[nodiscard]] const std::vector<journal::Warning>& warnings() const noexcept { return warnings_; }
  [[nodiscard]] bool recovered() const noexcept { return recovered_; }
  [[nodiscard]] size_t recovered_items() const noexcept { return recovered_items_; }
  [[nodiscard]] journal::Writer& journal() noexcept { return *writer_; }

 private:
  DurableKernel() = default;
  [[nodiscard]] DrainStatus append_held();
  [[nodiscard]] std::expected<journal::Lsn, journal::JournalStatus> append_when_room(RecordType type,
                                                                                      std::span<const std::byte> payload);
  void note_submits(journal::Lsn lsn);
  [[nodiscard]] journal::JournalStatus snapshot_locked();
  void start_snapshotter();
  void stop_snapshotter();
  void snapshot_in_background();

  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<journal::Writer> writer_;
  std::unique_ptr<JournalModel> model_;
  std::string config_json_;
  DurableOptions options_;

  mutable std::mutex mu_;      // drain, prepare_requirements, reconfigure, write_host: journal order = model order
  std::vector<Event> batch_;   // polled, not yet appended when held_
  std::vector<std::byte> payload_;
  HostTable host_;             // under mu_, snapshotted with the model at the same LSN
  bool held_ = false;
  bool model_failed_ = false;
  uint64_t records_since_snapshot_ = 0;
  uint64_t bytes_since_snapshot_ = 0;
  std::atomic<journal::JournalStatus> snapshot_status_{journal::JournalStatus::ok};

  // The background snapshot writer: one job at a time (encoded state + the LSN it covers).
  std::mutex snap_mu_;
  std::condition_variable snap_cv_;
  std::vector<std::byte> snap_state_;
  journal::Lsn snap_covers_ = 0;  // 0 = no job
  bool snap_busy_ = false;        // a job is posted or being written
  bool snap_stop_ = false;
  std::thread snapshotter_;

  // Per item slot: the birth of the last item whose `submitted` was appended, and its LSN.
  struct SubmitLsn {
    uint64_t birth = 0;
    journal::Lsn lsn = 0;
  };
  mutable std::mutex submits_mu_;
  std::condition_variable submits_cv_;
  std::vector<SubmitLsn> submits_;

  std::vector<journal::Warning> warnings_;
  bool recovered_ = false;
  size_t recovered_items_ = 0;
};

}  // namespace omni::durable
