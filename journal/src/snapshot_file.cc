#include "snapshot_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <system_error>

#include "format.h"
#include "posix_file.h"

namespace omni::journal::internal {

uint64_t snapshot_file_bytes(size_t state_bytes) noexcept {
  return kSnapshotPrefixBytes + state_bytes;
}

int write_snapshot_file(const std::filesystem::path& dir, Lsn covers,
                        std::span<const std::byte> state, bool fsync) {
  const std::filesystem::path final_path = dir / snapshot_name(covers);
  std::filesystem::path tmp = final_path;
  tmp += std::string(kTempSuffix);
  std::byte prefix[kSnapshotPrefixBytes];
  std::memcpy(prefix, kSnapshotMagic, 8);
  store<uint32_t>(prefix + 8, kFormatVersion);
  store<uint32_t>(prefix + 12, 0);
  store<uint64_t>(prefix + 16, covers);
  store<uint64_t>(prefix + 24, state.size());
  store<uint32_t>(prefix + kSnapshotHeaderBytes,
                  crc32c({prefix, kSnapshotHeaderBytes}, crc32c(state)));

  auto fail = [&](int err) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    return err;
  };
  {
    File f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!f.is_open()) return errno;
    if (int err = write_all(f.fd(), prefix); err != 0) return fail(err);
    if (int err = write_all(f.fd(), state); err != 0) return fail(err);
    if (fsync) {
      if (int err = sync_data(f.fd()); err != 0) return fail(err);
    }
  }
  if (::rename(tmp.c_str(), final_path.c_str()) != 0) return fail(errno);
  if (fsync) return sync_dir(dir);
  return 0;
}

}  // namespace omni::journal::internal
