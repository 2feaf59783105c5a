#include "append_buffer.h"

#include <cstring>

#include "format.h"

namespace omni::journal::internal {

AppendBuffer::AppendBuffer(Limits limits, Lsn next_lsn, uint64_t bytes_on_disk)
    : limits_(limits),
      fill_(std::make_unique_for_overwrite<std::byte[]>(limits.capacity)),
      drain_(std::make_unique_for_overwrite<std::byte[]>(limits.capacity)),
      next_lsn_(next_lsn),
      // Room for the segment headers the pending bytes may need when the writer rolls: one per
      // segment_bytes of pending records, plus the current roll. Constant, so that an append
      // refused for the cap stays refused until files are deleted (no flapping with the buffer).
      header_reserve_(kSegmentHeaderBytes *
                      (2 + limits.capacity / std::max<uint64_t>(limits.segment_bytes, 1))),
      disk_bytes_(bytes_on_disk) {}

bool AppendBuffer::over_cap(uint64_t extra) const noexcept {
  if (limits_.max_bytes == 0) return false;
  return disk_bytes_ + fill_size_ + drain_size_ + extra + header_reserve_ > limits_.max_bytes;
}

std::expected<Lsn, JournalStatus> AppendBuffer::append(uint16_t type,
                                                       std::span<const std::byte> payload,
                                                       uint32_t payload_crc) noexcept {
  const size_t bytes = kRecordHeaderBytes + payload.size();
  bool wake = false;
  Lsn lsn = 0;
  {
    std::lock_guard lock(mutex_);
    if (closed_) return std::unexpected(JournalStatus::closed);
    if (failed_ != JournalStatus::ok) return std::unexpected(failed_);
    if (bytes > limits_.capacity - drain_size_ - fill_size_) {
      return std::unexpected(JournalStatus::busy);
    }
    if (over_cap(bytes)) return std::unexpected(JournalStatus::disk_full);
    lsn = next_lsn_++;
    std::byte* out = fill_.get() + fill_size_;
    encode_record_header(out, static_cast<uint32_t>(payload.size()), type, lsn, payload_crc);
    if (!payload.empty()) std::memcpy(out + kRecordHeaderBytes, payload.data(), payload.size());
    if (fill_size_ == 0) {
      fill_first_ = lsn;
      fill_started_ = Clock::now();
      wake = true;  // the writer may be idle with no deadline: start its window
    }
    fill_last_offset_ = fill_size_;
    fill_size_ += bytes;
    // Half full: commit now rather than at the end of the window.
    wake = wake || (fill_size_ >= limits_.capacity / 2 && fill_size_ - bytes < limits_.capacity / 2);
  }
  if (wake) writer_cv_.notify_one();
  return lsn;
}

Lsn AppendBuffer::last_appended() const {
  std::lock_guard lock(mutex_);
  return next_lsn_ - 1;
}

bool AppendBuffer::take(Batch& out, std::chrono::microseconds window) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (fill_size_ > 0) {
      const bool now = flush_requested_ || closed_ || fill_size_ >= limits_.capacity / 2;
      if (now || writer_cv_.wait_until(lock, fill_started_ + window) == std::cv_status::timeout) {
        if (now || Clock::now() >= fill_started_ + window) break;
      }
      continue;
    }
    flush_requested_ = false;
    if (closed_) return false;
    writer_cv_.wait(lock);
  }
  std::swap(fill_, drain_);
  drain_size_ = fill_size_;
  fill_size_ = 0;
  out.bytes = {drain_.get(), drain_size_};
  out.last_record_offset = fill_last_offset_;
  out.first = fill_first_;
  out.last = next_lsn_ - 1;
  flush_requested_ = false;
  return true;
}

void AppendBuffer::release() {
  std::lock_guard lock(mutex_);
  disk_bytes_ += drain_size_;
  drain_size_ = 0;
}

void AppendBuffer::fail(JournalStatus status) {
  std::lock_guard lock(mutex_);
  if (failed_ == JournalStatus::ok) failed_ = status;
}

void AppendBuffer::request_flush() {
  {
    std::lock_guard lock(mutex_);
    flush_requested_ = true;
  }
  writer_cv_.notify_one();
}

void AppendBuffer::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  writer_cv_.notify_one();
}

void AppendBuffer::add_disk_bytes(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  disk_bytes_ += bytes;
}

void AppendBuffer::remove_disk_bytes(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  disk_bytes_ -= std::min(bytes, disk_bytes_);
}

bool AppendBuffer::reserve_disk_bytes(uint64_t bytes) {
  std::lock_guard lock(mutex_);
  if (over_cap(bytes)) return false;
  disk_bytes_ += bytes;
  return true;
}

}  // namespace omni::journal::internal
