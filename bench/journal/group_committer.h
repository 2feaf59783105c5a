// The group-commit policy of omni::journal, reused for the LMDB and SQLite candidates so that the
// comparison is storage against storage: producers copy records into a bounded buffer under a
// mutex (busy beyond max_pending_bytes); one thread waits for the window after the first record,
// swaps buffers and hands the batch to the store in ONE synced transaction.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include "durable_sink.h"

namespace omni::bench::journal {

// One record in a batch: [u16 type][u32 length][payload].
struct BatchView {
  Lsn first = 0;
  size_t count = 0;
  std::span<const std::byte> bytes;
};

template <class Store>  // Store: bool commit(const BatchView&)
class GroupCommitter final : public DurableSink {
 public:
  GroupCommitter(std::unique_ptr<Store> store, const SinkConfig& c)
      : store_(std::move(store)), window_(c.window_us), capacity_(c.max_pending_bytes) {
    fill_.reserve(capacity_);
    drain_.reserve(capacity_);
    thread_ = std::thread([this] { run(); });
  }
  ~GroupCommitter() override { close(); }

  Lsn append(uint16_t type, std::span<const std::byte> payload) override {
    const size_t bytes = 6 + payload.size();
    bool wake = false;
    Lsn lsn;
    {
      std::lock_guard lock(mutex_);
      if (fill_.size() + drain_bytes_ + bytes > capacity_) return 0;
      lsn = next_++;
      size_t at = fill_.size();
      fill_.resize(at + bytes);
      uint32_t len = static_cast<uint32_t>(payload.size());
      std::memcpy(fill_.data() + at, &type, 2);
      std::memcpy(fill_.data() + at + 2, &len, 4);
      std::memcpy(fill_.data() + at + 6, payload.data(), payload.size());
      if (fill_count_++ == 0) {
        fill_first_ = lsn;
        started_ = std::chrono::steady_clock::now();
        wake = true;
      }
    }
    if (wake) cv_.notify_one();
    return lsn;
  }

  void on_durable(std::function<void(Lsn)> cb) override { callback_ = std::move(cb); }

  void close() override {
    {
      std::lock_guard lock(mutex_);
      if (closed_) return;
      closed_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }

 private:
  void run() {
    for (;;) {
      BatchView batch;
      {
        std::unique_lock lock(mutex_);
        for (;;) {
          if (fill_count_ > 0) {
            if (closed_ || fill_.size() >= capacity_ / 2) break;
            if (cv_.wait_until(lock, started_ + window_) == std::cv_status::timeout) break;
            continue;
          }
          if (closed_) return;
          cv_.wait(lock);
        }
        std::swap(fill_, drain_);
        fill_.clear();
        drain_bytes_ = drain_.size();
        batch = {fill_first_, fill_count_, drain_};
        fill_count_ = 0;
      }
      if (!store_->commit(batch)) std::abort();  // a benchmark: a failed store is fatal
      {
        std::lock_guard lock(mutex_);
        drain_bytes_ = 0;
      }
      if (callback_) callback_(batch.first + batch.count - 1);
    }
  }

  std::unique_ptr<Store> store_;
  std::chrono::microseconds window_;
  size_t capacity_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::byte> fill_, drain_;
  size_t fill_count_ = 0;
  size_t drain_bytes_ = 0;
  Lsn fill_first_ = 0;
  Lsn next_ = 1;
  std::chrono::steady_clock::time_point started_;
  bool closed_ = false;
  std::function<void(Lsn)> callback_;
  std::thread thread_;
};

// Walks a batch: fn(lsn, type, payload).
template <class Fn>
void for_each_record(const BatchView& b, Fn&& fn) {
  size_t at = 0;
  for (size_t i = 0; i < b.count; ++i) {
    uint16_t type;
    uint32_t len;
    std::memcpy(&type, b.bytes.data() + at, 2);
    std::memcpy(&len, b.bytes.data() + at + 2, 4);
    fn(b.first + i, type, b.bytes.subspan(at + 6, len));
    at += 6 + len;
  }
}

}  // namespace omni::bench::journal
