// The vocabulary of the journal: log sequence numbers, options, typed statuses and errors.
// The journal stores typed opaque byte payloads; it knows nothing about the kernel.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace omni::journal {

// Log sequence number: 1, 2, 3… per appended record, dense, never reused. 0 means "none".
using Lsn = uint64_t;

struct Options {
  std::filesystem::path dir;
  // A commit gathers records for at most this long after the first record it holds was appended.
  std::chrono::microseconds group_commit_window{1000};
  // fdatasync per group commit. false = records reach the OS page cache only: they survive a
  // process crash (SIGKILL) but not a power loss or a kernel panic (docs/OPERATIONS.md).
  bool fsync = true;
  // Roll to a new segment file once the current one holds at least this many bytes.
  uint64_t segment_bytes = 64 << 20;
  // Size cap for the files the journal owns in `dir` (0 = none). An append that would take the
  // directory over it returns JournalStatus::disk_full and changes nothing.
  uint64_t max_bytes = 0;
  // Appended but not yet written: beyond it append returns JournalStatus::busy (back-pressure,
  // never a drop). Preallocated twice (one buffer filling, one being written).
  size_t max_pending_bytes = 16 << 20;
};

enum class JournalStatus : uint8_t {
  ok,
  busy,              // max_pending_bytes are waiting for the disk: retry later
  disk_full,         // max_bytes would be exceeded, or the file system said ENOSPC
  io_error,          // a write or sync failed: the writer stops accepting (sticky, see docs)
  closed,            // the writer was closed
  too_large,         // the payload can never fit (bigger than the pending buffer or the format)
  invalid_argument,  // e.g. a snapshot covering records not yet appended
};

[[nodiscard]] std::string_view to_string(JournalStatus) noexcept;

// Why a directory cannot be opened (writer) or read (reader): names the file and what is wrong.
struct OpenError {
  std::filesystem::path path;
  uint64_t offset = 0;  // byte offset in `path` where the problem is, when it is about a record
  std::string reason;
  [[nodiscard]] std::string message() const;
};

struct Record {
  Lsn lsn = 0;
  uint16_t type = 0;
  std::span<const std::byte> payload;
};

// Something recovery repaired or skipped but could continue past, e.g. a torn tail cut at byte N.
struct Warning {
  std::filesystem::path file;
  uint64_t offset = 0;
  std::string what;
};

}  // namespace omni::journal
