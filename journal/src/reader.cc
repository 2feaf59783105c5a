#include "omnikernel/journal/reader.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

#include "directory_scan.h"
#include "format.h"
#include "posix_file.h"

namespace omni::journal {

struct Reader::State {
  internal::ScanResult scan;
};

Reader::Reader(std::unique_ptr<State> s) : state_(std::move(s)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

std::expected<Reader, OpenError> Reader::open(const std::filesystem::path& dir, bool repair_tail) {
  // Repairing cuts files: never under a live Writer (it would cut what it is appending). The
  // Writer's lock is held for the scan only; inspection (no repair) needs no lock.
  internal::File lock;
  if (repair_tail && std::filesystem::is_directory(dir)) {
    const auto lock_path = dir / std::string(internal::kLockName);
    lock = internal::File(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!lock.is_open()) {
      return std::unexpected(OpenError{lock_path, 0, "cannot open the lock to repair: " +
                                                         internal::errno_text(errno)});
    }
    if (::flock(lock.fd(), LOCK_EX | LOCK_NB) != 0) {
      return std::unexpected(OpenError{lock_path, 0, "a Writer has this directory open: open it "
                                                     "with repair_tail = false to inspect it"});
    }
  }
  auto scan = internal::scan_directory(dir, repair_tail, /*collect=*/true);
  if (!scan) return std::unexpected(std::move(scan.error()));
  auto state = std::make_unique<State>();
  state->scan = std::move(*scan);
  return Reader(std::move(state));
}

std::optional<Lsn> Reader::snapshot_lsn() const noexcept {
  if (!state_->scan.snapshot) return std::nullopt;
  return state_->scan.snapshot->covers;
}

std::span<const std::byte> Reader::snapshot_state() const noexcept {
  return state_->scan.snapshot_state;
}

std::span<const Record> Reader::records() const noexcept { return state_->scan.records; }

Lsn Reader::last_lsn() const noexcept { return state_->scan.last_lsn; }

std::span<const Warning> Reader::warnings() const noexcept { return state_->scan.warnings; }

}  // namespace omni::journal
