// recover(dir): what a restart rebuilds from a durable kernel's journal directory — the
// configuration, the model of the live state and the KernelImage to restore — without starting
// a kernel (omni journal recover --report uses it as it is; DurableKernel::open restores it).
//
// Reads the newest intact snapshot and the records after it (journal::Reader). A torn or
// corrupt tail is cut (repair_tail) and reported in `warnings` with its byte offset; a corrupt
// middle, an undecodable record or an illegal transition is a RecoveryError naming the file and
// offset or the record's LSN. Nothing is returned then: never a partial state.
#pragma once
#include <expected>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/durable/host_table.h"
#include "omnikernel/durable/journal_model.h"
#include "omnikernel/image.h"
#include "omnikernel/journal/types.h"

namespace omni::durable {

struct RecoverOptions {
  // Cut a torn tail (takes the directory's lock; false reads without writing anything).
  bool repair_tail = true;
  // The new clock's time: the image's shift is now − the last event time in the journal, so
  // timers keep their remaining time. Unset = no shift.
  std::optional<Time> now;
};

struct Recovered {
  Config config;
  std::string config_json;
  JournalModel model;  // settled: every event applied
  KernelImage image;
  HostTable host;  // the host's table: the snapshot's, then every host record after it
  std::vector<journal::Warning> warnings;
  std::optional<journal::Lsn> snapshot_lsn;
  journal::Lsn last_lsn = 0;
  size_t records_replayed = 0;  // after the snapshot
  uint32_t restarts = 0;        // restart records replayed
};

struct RecoveryError {
  std::filesystem::path path;  // the file, when the journal's storage is at fault
  uint64_t offset = 0;
  journal::Lsn lsn = 0;        // the record, when its content is at fault
  std::string reason;
  // The directory holds journal files but not one intact record or snapshot (a first start-up
  // killed before its configuration record was written): a fresh start, not damage.
  bool empty = false;
  [[nodiscard]] std::string message() const;
};

// True when `dir` holds journal files (a segment or a snapshot): open() then recovers.
[[nodiscard]] bool has_journal(const std::filesystem::path& dir);

[[nodiscard]] std::expected<Recovered, RecoveryError> recover(const std::filesystem::path& dir,
                                                              const RecoverOptions& options = {});

}  // namespace omni::durable
