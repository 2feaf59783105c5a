// The appending side of the journal: records go into segment files by group commit, one writer
// thread per directory.
//
// Guarantees:
//  - open() takes an exclusive lock on the directory (LOCK, flock: a second Writer on the same
//    directory is an OpenError), checks the directory as the Reader does (a corrupt middle is an
//    OpenError; a torn tail is cut and reported in warnings()), syncs the last segment when
//    Options::fsync (a previous writer may have died before its sync), and continues at the
//    Reader's last_lsn() + 1;
//  - append() is thread-safe, copies the payload, never waits on the disk and never allocates.
//    LSNs are dense in call order (the order the append lock is taken). It returns `busy` while
//    Options::max_pending_bytes wait for the disk (retry: nothing was appended), `disk_full`
//    when Options::max_bytes would be exceeded (nothing was appended), `too_large` for a payload
//    that can never fit, `closed` after close(), and the sticky failure after a failed write;
//  - the writer thread commits when the first record of a batch has waited group_commit_window,
//    or the pending buffer is half full, or flush() asks: one write() per segment touched and one
//    fdatasync (when Options::fsync). durable() advances only after that sync;
//  - after a write or sync failure (EIO, ENOSPC) the writer stops: durable() stays where it was,
//    every later append and flush returns io_error (or disk_full for ENOSPC). Retrying a failed
//    fsync is unsafe on Linux (the failed pages may be dropped), so the host must reopen.
//
// Memory ordering: durable() is an acquire load of the value the writer thread stores (release)
// after the sync, so a thread that sees durable() ≥ N also sees the files holding records ≤ N.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "omnikernel/journal/types.h"

namespace omni::journal {

class Writer {
 public:
  [[nodiscard]] static std::expected<std::unique_ptr<Writer>, OpenError> open(const Options&);

  // See the guarantees above. noexcept: every failure is a status.
  [[nodiscard]] std::expected<Lsn, JournalStatus> append(uint16_t type,
                                                         std::span<const std::byte> payload) noexcept;

  // Every record ≤ this is in the files (and synced when Options::fsync).
  [[nodiscard]] Lsn durable() const noexcept;
  // Waits until durable() ≥ lsn: true, or false on time-out or when the writer failed/closed.
  [[nodiscard]] bool wait_durable(Lsn lsn, std::chrono::milliseconds timeout);
  // Called on the writer thread after each commit with the new durable LSN. It must not block
  // for long (it delays the next commit) and must not call flush(), wait_durable() or
  // write_snapshot() (they wait for the writer thread). Register before appending.
  void on_durable(std::function<void(Lsn)> callback);

  // The last LSN handed out by append() (or recovered at open).
  [[nodiscard]] Lsn last_appended() const;

  // Writes an opaque state blob that covers every record ≤ covers, atomically (temp file, sync,
  // rename, directory sync); waits until records ≤ covers are durable first. Once it is durable,
  // older snapshots and the segments wholly ≤ covers are deleted. invalid_argument when covers
  // is 0 or was never appended; disk_full when the cap or ENOSPC stops it (nothing changed);
  // `closed` / the sticky failure once the writer stopped.
  [[nodiscard]] JournalStatus write_snapshot(Lsn covers, std::span<const std::byte> state);

  // Commits everything appended so far now and waits for it: ok, or why not.
  [[nodiscard]] JournalStatus flush();
  // Flushes, stops the writer thread and releases the directory lock; later appends and
  // snapshots return `closed`. Idempotent.
  JournalStatus close();

  // What open() repaired or ignored (torn tail cut at byte N, leftover temp snapshot…).
  [[nodiscard]] std::span<const Warning> warnings() const noexcept;

  ~Writer();  // close()
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

 private:
  struct Impl;
  explicit Writer(std::unique_ptr<Impl>);
  std::unique_ptr<Impl> impl_;
};

}  // namespace omni::journal
