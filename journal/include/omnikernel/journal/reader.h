// The recovery side of the journal: opens a directory, checks all of it, and hands back the
// newest intact snapshot and the records after it, in LSN order.
//
// Guarantees of open():
//  - a torn or corrupt TAIL (the last segment ends in a partial record, a record whose checksum
//    fails, or garbage, with no intact later record after it) is cut at the last intact record
//    when repair_tail (truncate + fdatasync), with a Warning naming the file and byte offset;
//    without repair_tail the same Warning is given and the files are left untouched;
//    Intact records after the damage that belong to the same unfinished commit (no commit end
//    among them: on power loss the page cache may write a commit's pages out of order) go with
//    the tail, and the Warning says how many;
//  - a corrupt MIDDLE (a bad record followed by an intact commit end — whose sync proves the bad
//    record was once durable —, a bad record in a segment that is not the last, a missing
//    segment, an LSN gap or overlap, a segment header that disagrees with its name) is an
//    OpenError naming the file and byte offset. Nothing is returned then: never a silently
//    partial state;
//  - a snapshot that fails its checksum is skipped with a Warning and an older one is used; a
//    leftover temporary snapshot (snapshot-*.snap.tmp) is ignored with a Warning.
// With repair_tail, open() takes the directory's Writer lock for the scan: a directory a live
// Writer holds is an OpenError (inspect it with repair_tail = false, which never writes).
// Records are memory-mapped: payload spans stay valid while the Reader lives. The record index
// costs 24 bytes per record after the snapshot (snapshots keep that tail short).
#pragma once

#include <expected>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "omnikernel/journal/types.h"

namespace omni::journal {

class Reader {
 public:
  [[nodiscard]] static std::expected<Reader, OpenError> open(const std::filesystem::path& dir,
                                                             bool repair_tail);

  // The newest intact snapshot's LSN (every record ≤ it is in the state), or nothing.
  [[nodiscard]] std::optional<Lsn> snapshot_lsn() const noexcept;
  // The snapshot's state blob (empty when there is no snapshot).
  [[nodiscard]] std::span<const std::byte> snapshot_state() const noexcept;
  // The records after the snapshot (or from LSN 1), dense and in LSN order.
  [[nodiscard]] std::span<const Record> records() const noexcept;
  // The last LSN recovered: the last record's, or the snapshot's when no record follows it.
  // A Writer opened on this directory appends last_lsn() + 1 next.
  [[nodiscard]] Lsn last_lsn() const noexcept;
  [[nodiscard]] std::span<const Warning> warnings() const noexcept;

  Reader(Reader&&) noexcept;
  Reader& operator=(Reader&&) noexcept;
  ~Reader();

 private:
  struct State;
  explicit Reader(std::unique_ptr<State>);
  std::unique_ptr<State> state_;
};

}  // namespace omni::journal
