// Reads a journal directory and checks it, for the Reader and for Writer::open (which must not
// append after a corrupt middle). Finds the newest intact snapshot, then validates every segment
// that holds records after it: header, record checksums, dense LSNs, no missing segment.
// A torn tail (only in the last segment) is cut when repair_tail, with a Warning naming the byte.
#pragma once

#include <cstdint>
#include <expected>
#include <filesystem>
#include <optional>
#include <vector>

#include "omnikernel/journal/types.h"
#include "posix_file.h"

namespace omni::journal::internal {

struct SegmentFile {
  std::filesystem::path path;
  Lsn first = 0;       // from the name (== header)
  uint64_t bytes = 0;  // file size after any repair
};

struct SnapshotFile {
  std::filesystem::path path;
  Lsn covers = 0;
  uint64_t bytes = 0;
};

struct ScanResult {
  std::optional<SnapshotFile> snapshot;  // the newest intact one
  std::vector<std::byte> snapshot_state;  // its state (only when collect)
  std::vector<SnapshotFile> all_snapshots;  // every snapshot file, intact or not, oldest first
  std::vector<SegmentFile> segments;        // every segment file left, in LSN order
  Lsn last_lsn = 0;  // the last LSN recovered: max(last record, snapshot covers)
  Lsn last_record_lsn = 0;  // the last intact record's LSN (0 when no segment holds records)
  // The last segment in `segments` was checked and ends with last_record_lsn: a writer may append.
  bool last_segment_appendable = false;
  uint64_t bytes_on_disk = 0;  // segments + snapshots (what Options::max_bytes caps)
  std::vector<Warning> warnings;
  // When collect: the records after the snapshot in LSN order, payloads pointing into `maps`.
  std::vector<Record> records;
  std::vector<MappedFile> maps;
};

[[nodiscard]] std::expected<ScanResult, OpenError> scan_directory(const std::filesystem::path& dir,
                                                                  bool repair_tail, bool collect);

}  // namespace omni::journal::internal
