// RecentIds — the webhook de-duplication window. Meta retries a delivery it thinks failed, so the
// same message id may arrive twice; a message is processed once if its retry comes within the
// last `capacity` distinct ids. Memory is bounded: `capacity` ids (the oldest is forgotten
// first), about 100 bytes each with a typical 60-byte WhatsApp id; the default keeps 100,000.
//
// claim() marks an id as being processed, so that a retry racing the first delivery is a
// duplicate too; release() forgets a claim whose processing failed, so Meta's retry is processed.
//
// Thread-safety: every call takes one mutex for the duration of a hash-set operation. The webhook
// path is not the kernel's hot path; a sharded set is the next step if profiles say so.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace omni::service {

class RecentIds {
 public:
  explicit RecentIds(size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // True when `id` was not seen in the window: it is now. The ids the window forgot to make
  // room are appended to `forgotten` when given (a journal erases its copy of them).
  [[nodiscard]] bool claim(std::string_view id, std::vector<std::string>* forgotten = nullptr);
  void release(std::string_view id);
  [[nodiscard]] size_t size() const;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };
  size_t capacity_;
  mutable std::mutex mutex_;
  uint64_t next_claim_ = 0;
  // id → the claim that holds it. order_ lists claims oldest first; an entry whose claim was
  // released (or re-made later) no longer matches ids_ and is skipped, so a re-claimed id is
  // never forgotten early by its older entry.
  std::unordered_map<std::string, uint64_t, Hash, std::equal_to<>> ids_;
  std::deque<std::pair<std::string, uint64_t>> order_;
};

}  // namespace omni::service
