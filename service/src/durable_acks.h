// DurableAcks — answers webhooks once what they caused is durable, from a thread of its own.
//
// With a journal a webhook is acknowledged only when durable (durability.h). Waiting for that on
// the HTTP server's I/O thread held the thread for a group commit (an fdatasync, milliseconds):
// with two I/O threads the service answered two webhooks per sync, about 600 a second, and
// offers and agents' commands queued behind the waits. The webhook's work is done on the I/O
// thread as before; only the wait and the answer move here.
//
// One thread waits for the receipts in arrival order: journal records become durable in order,
// so when the first is durable the ones behind it usually are too and are answered at once.
#pragma once
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "omnikernel/service/durability.h"

namespace omni::service {

class DurableAcks {
 public:
  using Done = std::function<void(bool durable)>;

  explicit DurableAcks(Durability& durability);
  ~DurableAcks();
  DurableAcks(const DurableAcks&) = delete;
  DurableAcks& operator=(const DurableAcks&) = delete;

  // `done(durable)` is called once, on the waiter's thread: true when the receipt became durable
  // within `timeout` (from now). After stop(), on the caller's thread after a plain wait.
  void defer(Receipt receipt, std::chrono::milliseconds timeout, Done done);

  // Answers everything deferred so far (each waits at most its own time-out), then returns.
  void stop();

 private:
  struct Entry {
    Receipt receipt;
    std::chrono::steady_clock::time_point deadline;
    Done done;
  };
  void run();

  Durability& durability_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace omni::service
