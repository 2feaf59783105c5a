#include "segment_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <system_error>

#include "format.h"

namespace omni::journal::internal {

int SegmentLog::open(const ScanResult& scan, Lsn next_lsn, uint64_t& created_bytes) {
  segments_ = scan.segments;
  // A previous writer may have died between write() and fdatasync(): its last records are in the
  // page cache, and durable() is about to include them. Sync them before saying so.
  if (fsync_ && !segments_.empty()) {
    File last(::open(segments_.back().path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!last.is_open()) return errno;
    if (int err = sync_data(last.fd()); err != 0) return err;
  }
  if (scan.last_segment_appendable && scan.last_record_lsn + 1 == next_lsn) {
    const SegmentFile& last = segments_.back();
    current_ = File(::open(last.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
    if (!current_.is_open()) return errno;
    current_bytes_ = last.bytes;
    current_has_records_ = last.first < next_lsn;
    return 0;
  }
  return start_segment(next_lsn, created_bytes);
}

int SegmentLog::start_segment(Lsn first, uint64_t& created_bytes) {
  std::filesystem::path path = dir_ / segment_name(first);
  File f(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644));
  if (!f.is_open()) return errno;
  std::byte header[kSegmentHeaderBytes];
  encode_segment_header(header, first);
  if (int err = write_all(f.fd(), header); err != 0) return err;
  if (fsync_) {
    if (int err = sync_data(f.fd()); err != 0) return err;
    if (int err = sync_dir(dir_); err != 0) return err;
  }
  current_ = std::move(f);
  current_bytes_ = kSegmentHeaderBytes;
  current_has_records_ = false;
  created_bytes += kSegmentHeaderBytes;
  std::lock_guard lock(mutex_);
  segments_.push_back({path, first, kSegmentHeaderBytes});
  return 0;
}

int SegmentLog::write_batch(std::span<const std::byte> records, Lsn first, uint64_t& created_bytes) {
  size_t pos = 0;
  Lsn lsn = first;
  while (pos < records.size()) {
    if (current_has_records_ && current_bytes_ >= segment_bytes_) {
      // The full segment is synced before its successor exists: only the last can be torn.
      if (fsync_) {
        if (int err = sync_data(current_.fd()); err != 0) return err;
      }
      if (int err = start_segment(lsn, created_bytes); err != 0) return err;
    }
    // As many whole records as fit below segment_bytes, and at least one.
    size_t end = pos;
    uint64_t size = current_bytes_;
    do {
      RecordHeader h = decode_record_header(records.data() + end);
      end += kRecordHeaderBytes + h.length;
      size += kRecordHeaderBytes + h.length;
      ++lsn;
    } while (end < records.size() && size < segment_bytes_);
    if (int err = write_all(current_.fd(), records.subspan(pos, end - pos)); err != 0) return err;
    current_bytes_ = size;
    current_has_records_ = true;
    {
      std::lock_guard lock(mutex_);
      segments_.back().bytes = size;
    }
    pos = end;
  }
  if (fsync_) return sync_data(current_.fd());
  return 0;
}

uint64_t SegmentLog::delete_covered(Lsn covers, int& err) {
  err = 0;
  uint64_t freed = 0;
  std::lock_guard lock(mutex_);
  // Segment i holds LSNs [first_i, first_{i+1} − 1]; never delete the current (last) one.
  size_t n = 0;
  while (n + 1 < segments_.size() && segments_[n + 1].first <= covers + 1) {
    std::error_code ec;
    std::filesystem::remove(segments_[n].path, ec);
    if (ec) {
      err = ec.value();
      break;
    }
    freed += segments_[n].bytes;
    ++n;
  }
  segments_.erase(segments_.begin(), segments_.begin() + static_cast<std::ptrdiff_t>(n));
  if (n > 0 && fsync_ && err == 0) err = sync_dir(dir_);
  return freed;
}

}  // namespace omni::journal::internal
