// What bench_journal measures: something that appends ~100-byte records from several threads and
// reports, from its commit thread, the LSN up to which records are durable. Implemented by the
// omni::journal Writer and by the two storage candidates it was chosen against (LMDB, SQLite WAL),
// the latter behind the same group-commit policy (group_committer.h) so that only storage differs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

namespace omni::bench::journal {

using Lsn = uint64_t;

class DurableSink {
 public:
  virtual ~DurableSink() = default;
  // The LSN, or 0 for back-pressure (busy: retry).
  virtual Lsn append(uint16_t type, std::span<const std::byte> payload) = 0;
  // Called on the commit thread after each synced commit. Set before the first append.
  virtual void on_durable(std::function<void(Lsn)> callback) = 0;
  // Commits what is left and stops.
  virtual void close() = 0;
};

struct SinkConfig {
  std::string dir;
  uint64_t window_us = 1000;
  size_t max_pending_bytes = 16 << 20;
};

std::unique_ptr<DurableSink> make_segment_log_sink(const SinkConfig&);
std::unique_ptr<DurableSink> make_lmdb_sink(const SinkConfig&);
std::unique_ptr<DurableSink> make_sqlite_sink(const SinkConfig&);

}  // namespace omni::bench::journal
