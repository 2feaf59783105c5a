// The producer side of the group commit: producers encode records into the filling buffer under a
// short mutex (a 16-byte header checksum and one memcpy; the payload's CRC is taken before the
// lock); the one writer thread swaps the filling buffer for the empty one and writes the full one
// while producers keep appending. Both buffers are preallocated: append never allocates.
//
// Why a mutex and not a lock-free MPSC ring: LSN order must equal file order, and the lock admits
// ~6 M appends/s of 100 bytes (bench_journal --append-only; the same on 2 threads: it serialises
// them) against a disk that commits at most ~3 M records/s here. The disk bounds the journal;
// docs/OPERATIONS.md says when to revisit this.
//
// Memory ordering: everything here is under `mutex_`; a batch handed to the writer was fully
// written by its producers before they released the mutex, and the writer takes the mutex to swap.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <mutex>
#include <span>

#include "omnikernel/journal/types.h"

namespace omni::journal::internal {

class AppendBuffer {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    size_t capacity = 0;       // bytes of encoded records waiting (both buffers together)
    uint64_t max_bytes = 0;    // directory cap (0 = none)
    uint64_t segment_bytes = 0;
  };
  // A batch to write: encoded records [first, last], contiguous.
  struct Batch {
    std::span<std::byte> bytes;     // the writer's until release()
    size_t last_record_offset = 0;  // where the batch's last record starts in `bytes`
    Lsn first = 0;
    Lsn last = 0;
  };

  AppendBuffer(Limits limits, Lsn next_lsn, uint64_t bytes_on_disk);

  // Producers. payload_crc = crc32c(payload).
  [[nodiscard]] std::expected<Lsn, JournalStatus> append(uint16_t type,
                                                         std::span<const std::byte> payload,
                                                         uint32_t payload_crc) noexcept;
  [[nodiscard]] Lsn last_appended() const;

  // The writer thread. Waits until the filling buffer has records and either `window` has passed
  // since its first record, it is half full, a flush was asked, or the buffer is closing.
  // Returns false when closed and nothing is left.
  [[nodiscard]] bool take(Batch& out, std::chrono::microseconds window);
  // The batch from take() is on disk: its buffer may be reused.
  void release();
  // After a failed write: every later append returns `status` (sticky).
  void fail(JournalStatus status);

  // Any thread: commit what is appended now without waiting for the window.
  void request_flush();
  // Stops accepting appends (they return `closed`); take() drains what is left.
  void close();

  // Byte accounting for Options::max_bytes: files created (+) and deleted (−).
  void add_disk_bytes(uint64_t bytes);
  void remove_disk_bytes(uint64_t bytes);
  // Reserves `bytes` for a file about to be written; false (nothing reserved) when over the cap.
  [[nodiscard]] bool reserve_disk_bytes(uint64_t bytes);

 private:
  [[nodiscard]] bool over_cap(uint64_t extra) const noexcept;

  Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable writer_cv_;
  std::unique_ptr<std::byte[]> fill_;
  std::unique_ptr<std::byte[]> drain_;
  size_t fill_size_ = 0;
  size_t drain_size_ = 0;
  Lsn fill_first_ = 0;      // LSN of the first record in fill_
  size_t fill_last_offset_ = 0;  // offset of the last record in fill_
  Lsn next_lsn_ = 1;
  Clock::time_point fill_started_{};
  uint64_t header_reserve_ = 0;
  uint64_t disk_bytes_ = 0; // bytes of journal files on disk, plus bytes reserved for files
  bool flush_requested_ = false;
  bool closed_ = false;
  JournalStatus failed_ = JournalStatus::ok;
};

}  // namespace omni::journal::internal
