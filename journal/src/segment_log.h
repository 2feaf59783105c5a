// The writer thread's side of the segment files: appends encoded batches to the current segment,
// rolls to a new segment (named after its first LSN) at record boundaries once the current one
// holds segment_bytes, and syncs. Also deletes the segments a snapshot makes unnecessary.
//
// Crash safety: a segment is synced before the next one is created, and a new segment's header
// and directory entry are synced before records go into it, so after any crash only the LAST
// segment can end torn (the Reader cuts it) and no earlier segment is missing.
//
// Threading: write_batch() is called by the writer thread only; delete_covered() by
// write_snapshot() on any thread. `mutex_` guards the segment list between the two.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <span>
#include <vector>

#include "directory_scan.h"
#include "omnikernel/journal/types.h"
#include "posix_file.h"

namespace omni::journal::internal {

class SegmentLog {
 public:
  SegmentLog(std::filesystem::path dir, uint64_t segment_bytes, bool fsync)
      : dir_(std::move(dir)), segment_bytes_(segment_bytes), fsync_(fsync) {}

  // Continues after what the scan found: appends to the last segment when its last record is
  // next_lsn − 1, otherwise starts a segment at next_lsn. Returns 0 or an errno. `created_bytes`
  // is the size of a segment file this created (its header).
  [[nodiscard]] int open(const ScanResult& scan, Lsn next_lsn, uint64_t& created_bytes);

  // Writes the encoded records (first LSN `first`), rolling as needed, then syncs when fsync.
  // Returns 0 or an errno; `created_bytes` grows by the headers of the segments it created.
  [[nodiscard]] int write_batch(std::span<const std::byte> records, Lsn first,
                                uint64_t& created_bytes);

  // Deletes every segment whose records are all ≤ covers, except the current one. Returns the
  // bytes freed; an errno in `err` if a deletion or the directory sync failed.
  uint64_t delete_covered(Lsn covers, int& err);

 private:
  [[nodiscard]] int start_segment(Lsn first, uint64_t& created_bytes);

  std::filesystem::path dir_;
  uint64_t segment_bytes_;
  bool fsync_;
  File current_;
  uint64_t current_bytes_ = 0;
  bool current_has_records_ = false;
  std::mutex mutex_;
  std::vector<SegmentFile> segments_;  // in LSN order; the last one is current_
};

}  // namespace omni::journal::internal
