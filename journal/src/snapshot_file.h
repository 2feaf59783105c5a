// Writes a snapshot atomically: snapshot-<covers>.snap.tmp, written and synced, renamed to
// snapshot-<covers>.snap, then the directory synced. A crash at any point leaves either the old
// snapshot set or the new one; a leftover .tmp is never read (the Reader ignores it, Writer::open
// deletes it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>

#include "omnikernel/journal/types.h"

namespace omni::journal::internal {

// The file size a snapshot of `state_bytes` takes.
[[nodiscard]] uint64_t snapshot_file_bytes(size_t state_bytes) noexcept;

// Returns 0 or the errno of the step that failed (the .tmp is removed then).
[[nodiscard]] int write_snapshot_file(const std::filesystem::path& dir, Lsn covers,
                                      std::span<const std::byte> state, bool fsync);

}  // namespace omni::journal::internal
