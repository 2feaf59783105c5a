#include "omnikernel/journal/reader.h"

#include "directory_scan.h"

namespace omni::journal {

struct Reader::State {
  internal::ScanResult scan;
};

Reader::Reader(std::unique_ptr<State> s) : state_(std::move(s)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

std::expected<Reader, OpenError> Reader::open(const std::filesystem::path& dir, bool repair_tail) {
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
