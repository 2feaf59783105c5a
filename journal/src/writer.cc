#include "omnikernel/journal/writer.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

#include "append_buffer.h"
#include "crc32c.h"
#include "directory_scan.h"
#include "format.h"
#include "posix_file.h"
#include "segment_log.h"
#include "snapshot_file.h"

namespace omni::journal {

namespace fs = std::filesystem;
using internal::AppendBuffer;

namespace {

JournalStatus status_of(int err) {
  return err == ENOSPC || err == EDQUOT ? JournalStatus::disk_full : JournalStatus::io_error;
}

constexpr size_t kMinPendingBytes = 4096;

}  // namespace

struct Writer::Impl {
  Impl(const Options& o, internal::File lock, std::unique_ptr<internal::SegmentLog> segment_log,
       internal::ScanResult&& scan, uint64_t created)
      : options(o),
        lock_file(std::move(lock)),
        buffer({o.max_pending_bytes, o.max_bytes, o.segment_bytes}, scan.last_lsn + 1,
               scan.bytes_on_disk + created),
        log(std::move(segment_log)),
        snapshots(std::move(scan.all_snapshots)),
        warnings(std::move(scan.warnings)),
        durable(scan.last_lsn) {}

  void run();
  void finish(JournalStatus why);
  // Waits until durable ≥ lsn, the writer failed, or the thread ended; the resulting status.
  JournalStatus wait_for(Lsn lsn, std::chrono::steady_clock::time_point deadline);

  Options options;
  internal::File lock_file;  // holds the flock for the Writer's life
  AppendBuffer buffer;
  std::unique_ptr<internal::SegmentLog> log;
  std::vector<internal::SnapshotFile> snapshots;  // on disk, oldest first
  std::vector<Warning> warnings;

  std::atomic<Lsn> durable;
  std::atomic<JournalStatus> failure{JournalStatus::ok};  // sticky: io_error / disk_full / closed
  std::mutex durable_mutex;
  std::condition_variable durable_cv;
  std::mutex callbacks_mutex;
  std::vector<std::function<void(Lsn)>> callbacks;
  std::mutex snapshot_mutex;  // one write_snapshot at a time
  std::mutex close_mutex;
  bool closed = false;
  std::thread thread;
};

void Writer::Impl::run() {
  AppendBuffer::Batch batch;
  while (buffer.take(batch, options.group_commit_window)) {
    // The producers encoded the records; the commit boundary is known only now.
    internal::mark_commit_end(batch.bytes.data() + batch.last_record_offset);
    uint64_t created = 0;
    int err = log->write_batch(batch.bytes, batch.first, created);
    if (created > 0) buffer.add_disk_bytes(created);
    if (err != 0) {
      // Stop here: after a failed fdatasync the kernel may have dropped the dirty pages, so a
      // retry could report durable what is not. Reopening re-reads what really is on disk.
      finish(status_of(err));
      return;
    }
    buffer.release();
    durable.store(batch.last, std::memory_order_release);  // pairs with durable()'s acquire
    {
      std::lock_guard lock(durable_mutex);  // a waiter between its check and its wait sees it
    }
    durable_cv.notify_all();
    std::lock_guard lock(callbacks_mutex);
    for (auto& cb : callbacks) cb(batch.last);
  }
  finish(JournalStatus::closed);
}

void Writer::Impl::finish(JournalStatus why) {
  JournalStatus expected = JournalStatus::ok;
  failure.compare_exchange_strong(expected, why, std::memory_order_acq_rel);
  buffer.fail(why);
  {
    std::lock_guard lock(durable_mutex);
  }
  durable_cv.notify_all();
}

JournalStatus Writer::Impl::wait_for(Lsn lsn, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(durable_mutex);
  bool done = durable_cv.wait_until(lock, deadline, [&] {
    return durable.load(std::memory_order_acquire) >= lsn ||
           failure.load(std::memory_order_acquire) != JournalStatus::ok;
  });
  if (durable.load(std::memory_order_acquire) >= lsn) return JournalStatus::ok;
  if (!done) return JournalStatus::busy;  // timed out
  return failure.load(std::memory_order_acquire);
}

std::expected<std::unique_ptr<Writer>, OpenError> Writer::open(const Options& options) {
  const fs::path& dir = options.dir;
  if (dir.empty()) return std::unexpected(OpenError{dir, 0, "Options::dir is empty"});
  if (options.max_pending_bytes < kMinPendingBytes) {
    return std::unexpected(OpenError{dir, 0, "Options::max_pending_bytes is below 4096"});
  }
  if (options.segment_bytes <= internal::kSegmentHeaderBytes) {
    return std::unexpected(OpenError{dir, 0, "Options::segment_bytes is too small"});
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    return std::unexpected(OpenError{dir, 0, "cannot create the journal directory: " +
                                                 (ec ? ec.message() : "not a directory")});
  }
  const fs::path lock_path = dir / std::string(internal::kLockName);
  internal::File lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (!lock.is_open()) {
    return std::unexpected(OpenError{lock_path, 0, "the journal directory is not writable: " +
                                                       internal::errno_text(errno)});
  }
  if (::flock(lock.fd(), LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    return std::unexpected(OpenError{lock_path, 0, err == EWOULDBLOCK
                                                       ? "another Writer has this directory open"
                                                       : "cannot lock: " + internal::errno_text(err)});
  }
  auto scan = internal::scan_directory(dir, /*repair_tail=*/true, /*collect=*/false);
  if (!scan) return std::unexpected(std::move(scan.error()));
  // Leftover temporary snapshots (an interrupted write_snapshot) are never valid: remove them.
  for (const Warning& w : scan->warnings) {
    if (w.file.filename().string().ends_with(internal::kTempSuffix)) fs::remove(w.file, ec);
  }
  // The log first (it reads the scan's segment list), then the buffer, which needs the bytes the
  // log created.
  auto log = std::make_unique<internal::SegmentLog>(dir, options.segment_bytes, options.fsync);
  uint64_t created = 0;
  if (int err = log->open(*scan, scan->last_lsn + 1, created); err != 0) {
    return std::unexpected(OpenError{dir, 0, "cannot open a segment for appending: " +
                                                 internal::errno_text(err)});
  }
  auto impl = std::unique_ptr<Impl>(new Impl(options, std::move(lock), std::move(log),
                                             std::move(*scan), created));
  impl->thread = std::thread([p = impl.get()] { p->run(); });
  return std::unique_ptr<Writer>(new Writer(std::move(impl)));
}

Writer::Writer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Writer::~Writer() { (void)close(); }

std::expected<Lsn, JournalStatus> Writer::append(uint16_t type,
                                                 std::span<const std::byte> payload) noexcept {
  if (payload.size() > internal::kMaxPayloadBytes ||
      payload.size() + internal::kRecordHeaderBytes > impl_->options.max_pending_bytes) {
    return std::unexpected(JournalStatus::too_large);
  }
  // The payload's checksum is taken before the append lock; only the header's is taken inside.
  return impl_->buffer.append(type, payload, internal::crc32c(payload));
}

Lsn Writer::durable() const noexcept { return impl_->durable.load(std::memory_order_acquire); }

bool Writer::wait_durable(Lsn lsn, std::chrono::milliseconds timeout) {
  // No flush here: the window is the operator's trade between ack latency and syncs per second.
  if (durable() >= lsn) return true;
  return impl_->wait_for(lsn, std::chrono::steady_clock::now() + timeout) == JournalStatus::ok;
}

void Writer::on_durable(std::function<void(Lsn)> callback) {
  std::lock_guard lock(impl_->callbacks_mutex);
  impl_->callbacks.push_back(std::move(callback));
}

Lsn Writer::last_appended() const { return impl_->buffer.last_appended(); }

std::span<const Warning> Writer::warnings() const noexcept { return impl_->warnings; }

JournalStatus Writer::flush() {
  Lsn target = impl_->buffer.last_appended();
  if (durable() >= target) return JournalStatus::ok;
  impl_->buffer.request_flush();
  return impl_->wait_for(target, std::chrono::steady_clock::time_point::max());
}

JournalStatus Writer::close() {
  std::lock_guard lock(impl_->close_mutex);
  if (impl_->closed) return JournalStatus::ok;
  impl_->closed = true;
  impl_->buffer.close();  // take() drains what is left, then returns false
  if (impl_->thread.joinable()) impl_->thread.join();
  {
    // No snapshot is in progress or can start (failure is set): the directory may be repaired
    // by a Reader or taken by another Writer from now on.
    std::lock_guard snap(impl_->snapshot_mutex);
    impl_->lock_file.close();
  }
  JournalStatus f = impl_->failure.load(std::memory_order_acquire);
  return f == JournalStatus::closed ? JournalStatus::ok : f;
}

JournalStatus Writer::write_snapshot(Lsn covers, std::span<const std::byte> state) {
  Impl& m = *impl_;
  std::lock_guard lock(m.snapshot_mutex);
  // A stopped writer (closed, or after a failed write) no longer owns the directory's files.
  if (auto f = m.failure.load(std::memory_order_acquire); f != JournalStatus::ok) return f;
  if (covers == 0 || covers > m.buffer.last_appended()) return JournalStatus::invalid_argument;
  if (!m.snapshots.empty() && covers < m.snapshots.back().covers) {
    return JournalStatus::invalid_argument;  // older than the newest snapshot: it would never be read
  }
  if (durable() < covers) {
    m.buffer.request_flush();
    if (auto s = m.wait_for(covers, std::chrono::steady_clock::time_point::max());
        s != JournalStatus::ok) {
      return s;
    }
  }
  const uint64_t bytes = internal::snapshot_file_bytes(state.size());
  if (!m.buffer.reserve_disk_bytes(bytes)) return JournalStatus::disk_full;
  if (int err = internal::write_snapshot_file(m.options.dir, covers, state, m.options.fsync);
      err != 0) {
    m.buffer.remove_disk_bytes(bytes);
    return status_of(err);
  }
  // The new snapshot is durable: the older ones and the segments it covers may go.
  uint64_t freed = 0;
  std::error_code ec;
  auto keep = std::remove_if(m.snapshots.begin(), m.snapshots.end(), [&](const auto& s) {
    if (s.covers > covers) return false;
    if (s.covers < covers) fs::remove(s.path, ec);  // same covers: the rename replaced it
    freed += s.bytes;
    return true;
  });
  m.snapshots.erase(keep, m.snapshots.end());
  m.snapshots.push_back({m.options.dir / internal::snapshot_name(covers), covers, bytes});
  int err = 0;
  freed += m.log->delete_covered(covers, err);
  m.buffer.remove_disk_bytes(freed);
  if (err == 0 && m.options.fsync) err = internal::sync_dir(m.options.dir);
  return err == 0 ? JournalStatus::ok : status_of(err);
}

}  // namespace omni::journal
