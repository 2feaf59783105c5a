// Helpers for the journal tests: a scratch directory per test, deterministic payloads that can be
// checked from their LSN alone, and a few file manipulations (truncate, flip a byte).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "omnikernel/journal/journal.h"

namespace omni::journal::test {

// A fresh empty directory, removed (with everything in it) when the object dies.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The payload test writers append as record `lsn`: 0..300 bytes, content derived from the LSN.
[[nodiscard]] std::vector<std::byte> payload_for(Lsn lsn);
[[nodiscard]] uint16_t type_for(Lsn lsn);
// True when `r` is exactly what payload_for/type_for say for its LSN.
[[nodiscard]] bool record_matches(const Record& r);

// Options for tests: small buffers, 1 ms window, no fsync unless asked (tests check the format
// and the logic; SIGKILL keeps the page cache, so fsync adds only time).
[[nodiscard]] Options test_options(const std::filesystem::path& dir);

// Appends records with payload_for(lsn), retrying on busy; returns the last LSN.
Lsn append_records(Writer& w, size_t n);

[[nodiscard]] std::vector<std::filesystem::path> segment_files(const std::filesystem::path& dir);
[[nodiscard]] std::vector<std::filesystem::path> snapshot_files(const std::filesystem::path& dir);
void truncate_file(const std::filesystem::path& file, uint64_t size);
void flip_byte(const std::filesystem::path& file, uint64_t offset);
// Byte offsets (in the file) of every record of a segment, from its own parse of the format.
[[nodiscard]] std::vector<uint64_t> record_offsets(const std::filesystem::path& segment);

}  // namespace omni::journal::test
