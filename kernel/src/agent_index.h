// AgentIndex — one per queue: which of the queue's members can take its next item, ordered by
// the routing model's key, without scanning the members.
//
// A member sits at one of kLevels levels (lower = better; the kernel maps Least Active's open-item
// count or Most Available's free capacity to a level) or is absent (no room, not routable). Each
// level is a two-level bitmap (summary word → leaf word → member bit) plus a 32-bit mask of
// non-empty levels, so best() costs O(1 + members/4096) word reads, and place() a handful of
// atomic RMWs.
//
// The index is *optimistic*: a member's level is never worse than its agent's true level.
// Whoever makes an agent better (frees capacity, comes online) places it at once; whoever makes
// it worse (takes capacity) does not — the searcher that meets it checks its true level through
// the `valid` callback and re-places it then. That keeps the cost of an offer independent of how
// many queues the agent serves, and best() still returns the best member: every member above it
// in the scan was either truly better (and returned) or moved down behind it.
//
// The AgentWord is the truth and a candidate is only ever taken by a CAS on it. What the index
// guarantees: a member that could take work is never absent, nor at a level worse than its true
// one, once the writer that made it better has placed it. The races this needs closing are
// handled by "clear, then re-check, then re-set":
//   - place(m, new) clears m's old level; a concurrent place(m, old) may have just set it. After
//     clearing, re-read level_[m]; if it equals what we cleared, set the bit again.
//   - clearing a summary or level bit because a word looked empty races with a setter; after
//     clearing, re-read the words below and re-set if anything is there.
//   - a placement computed from a stale AgentWord is repaired by its own caller, which re-reads
//     the word after placing and places again if it changed (Kernel::place_member).
//
// Memory ordering: all bitmap and level_ operations are sequentially consistent. The kernel's
// lost-wake-up argument ("either the arriving item sees the agent in the index, or the freed
// agent sees the item in the queue") is a Dekker pattern, which needs a single total order over
// the index writes and the queue reads; acq_rel alone does not give that.
#pragma once
#include <atomic>
#include <bit>
#include <cstdint>
#include <memory>
#include <optional>

#include "sched_point.h"

namespace omni::internal {

class AgentIndex {
 public:
  static constexpr int kLevels = 32;
  static constexpr uint8_t kAbsent = 0xFF;

  explicit AgentIndex(uint32_t members)
      : members_(members),
        leaf_words_((members + 63) / 64),
        summary_words_((leaf_words_ + 63) / 64),
        level_words_(leaf_words_ + summary_words_),
        words_(std::make_unique<std::atomic<uint64_t>[]>(kLevels * level_words_)),
        level_(std::make_unique<std::atomic<uint8_t>[]>(members)) {
    for (uint32_t i = 0; i < kLevels * level_words_; ++i) words_[i].store(0, std::memory_order_relaxed);
    for (uint32_t m = 0; m < members; ++m) level_[m].store(kAbsent, std::memory_order_relaxed);
  }

  [[nodiscard]] uint32_t members() const noexcept { return members_; }
  [[nodiscard]] uint8_t level_of(uint32_t m) const noexcept { return level_[m].load(); }

  // Moves member m to `level` (kAbsent removes it). Returns true when it made m visible at a
  // level better than before (or restored a bit a racing clear took): the caller must then read
  // the queue's `waiting` and route, because an arrival may have searched while m was hidden
  // (the "whoever sets a bit looks for work" rule, docs/ARCHITECTURE.md).
  [[nodiscard]] bool place(uint32_t m, uint8_t level) noexcept {
    OMNI_SCHED_POINT("index.place.read");
    if (level_[m].load() == level) {
      // Already there; make sure the bit is (its placer may not have set it yet).
      if (level != kAbsent) set(level, m);
      return false;
    }
    OMNI_SCHED_POINT("index.place.exchange");
    const uint8_t old = level_[m].exchange(level);
    if (level != kAbsent) set(level, m);
    bool restored = false;
    if (old != kAbsent && old != level) restored = clear_and_recheck(old, m);
    return restored || (level != kAbsent && (old == kAbsent || level < old));
  }

  // The best member other than `skip`: lowest level, then lowest member position. `valid(m, level)`
  // says whether member m truly is at `level`; when it is not, it must re-place m (at its true,
  // worse level) and return false, and the search goes on.
  // `restored` is set when the search re-set a bit that a racing clear had taken (see place()).
  // Within a level the scan starts at member position `start` and wraps around: the kernel
  // passes 0 (ties go to the member listed first) or a rotating cursor (round-robin ties).
  template <class Valid>
  [[nodiscard]] std::optional<uint32_t> best(uint32_t skip, Valid&& valid, bool& restored,
                                             uint32_t start = 0) noexcept {
    return best_of(skip, valid, restored, start, 1, [](uint32_t, uint32_t) { return false; });
  }

  // Tie-breaks by a key the index does not keep (longest idle, most skilled): among the first
  // `sample` tied members of the best level that `valid` accepts, scanning from `start`, the one
  // `better(x, y)` prefers (the first seen on equal keys). Bounded: O(sample) validity checks, so
  // the tie-break costs the same at 10 or 10,000 tied agents; a rotating `start` moves the sample
  // across all of them over successive offers.
  template <class Valid, class Better>
  [[nodiscard]] std::optional<uint32_t> best_of(uint32_t skip, Valid&& valid, bool& restored, uint32_t start,
                                                uint32_t sample, Better&& better) noexcept {
    if (members_ == 0) return std::nullopt;
    start %= members_;
    OMNI_SCHED_POINT("index.best.mask");
    uint32_t mask = level_mask_.load();
    while (mask) {
      const int level = std::countr_zero(mask);
      bool level_empty = true;
      std::optional<uint32_t> chosen;
      uint32_t seen = 0;
      auto visit = [&](uint32_t m) {
        if (!chosen || better(m, *chosen)) chosen = m;
        return ++seen >= sample;
      };
      for (int pass = 0; pass < 2 && seen < sample; ++pass) {
        const uint32_t lo = pass == 0 ? start : 0, hi = pass == 0 ? members_ : start;
        if (lo >= hi) continue;
        scan(level, lo, hi, skip, valid, restored, level_empty, visit);
      }
      if (chosen) return chosen;
      if (level_empty) restored |= clear_level_and_recheck(level);
      // Members re-placed by `valid` moved to worse levels: read those levels afresh.
      mask = level_mask_.load() & ~((2u << level) - 1);
    }
    return std::nullopt;
  }

  [[nodiscard]] std::optional<uint32_t> best(uint32_t skip = UINT32_MAX) noexcept {
    bool restored = false;
    return best(skip, [](uint32_t, int) { return true; }, restored);
  }

 private:
  // Visits the members with a bit at `level` in positions [lo, hi) that `valid` accepts, until
  // `visit(m)` returns true. Clears bits and summary bits found stale on the way (reporting
  // restores); `level_empty` is cleared when any leaf word of the level holds a bit.
  template <class Valid, class Visit>
  void scan(int level, uint32_t lo, uint32_t hi, uint32_t skip, Valid& valid, bool& restored,
            bool& level_empty, Visit& visit) noexcept {
    const uint32_t w_lo = lo / 64, w_hi = (hi - 1) / 64;
    for (uint32_t s = w_lo / 64; s <= w_hi / 64; ++s) {
      uint64_t summary = summary_word(level, s).load();
      if (s == w_lo / 64) summary &= ~uint64_t{0} << (w_lo % 64);
      if (s == w_hi / 64 && w_hi % 64 != 63) summary &= (uint64_t{1} << (w_hi % 64 + 1)) - 1;
      while (summary) {
        const uint32_t w = s * 64 + std::countr_zero(summary);
        summary &= summary - 1;
        uint64_t leaf = leaf_word(level, w).load();
        if (leaf == 0) {
          restored |= clear_summary_and_recheck(level, w);
          continue;
        }
        level_empty = false;
        if (w == w_lo) leaf &= ~uint64_t{0} << (lo % 64);
        if (w == w_hi && hi % 64 != 0) leaf &= (uint64_t{1} << (hi % 64)) - 1;
        while (leaf) {
          const uint32_t m = w * 64 + std::countr_zero(leaf);
          leaf &= leaf - 1;
          OMNI_SCHED_POINT("index.best.level");
          if (level_[m].load() != level) {  // stale bit left by a racing place()
            restored |= clear_and_recheck(static_cast<uint8_t>(level), m);
            continue;
          }
          if (m != skip && valid(m, level) && visit(m)) return;
        }
      }
    }
  }

 private:
  std::atomic<uint64_t>& leaf_word(int level, uint32_t w) noexcept {
    return words_[level * level_words_ + w];
  }
  std::atomic<uint64_t>& summary_word(int level, uint32_t s) noexcept {
    return words_[level * level_words_ + leaf_words_ + s];
  }

  void set(uint8_t level, uint32_t m) noexcept {
    const uint32_t w = m / 64;
    const uint64_t bit = uint64_t{1} << (m % 64), sbit = uint64_t{1} << (w % 64);
    OMNI_SCHED_POINT("index.set");
    if (!(leaf_word(level, w).load() & bit)) leaf_word(level, w).fetch_or(bit);
    auto& summary = summary_word(level, w / 64);
    if (!(summary.load() & sbit)) summary.fetch_or(sbit);
    const uint32_t lbit = 1u << level;
    if (!(level_mask_.load() & lbit)) level_mask_.fetch_or(lbit);
  }

  // Returns true when it had to re-set the bit (a racing place(m, level) was hidden meanwhile).
  bool clear_and_recheck(uint8_t level, uint32_t m) noexcept {
    const uint32_t w = m / 64;
    const uint64_t bit = uint64_t{1} << (m % 64);
    OMNI_SCHED_POINT("index.clear");
    const uint64_t before = leaf_word(level, w).fetch_and(~bit);
    OMNI_SCHED_POINT("index.clear.recheck");
    if (level_[m].load() == level) {  // a place(m, level) raced with us: keep it visible
      set(level, m);
      return true;
    }
    if ((before & ~bit) == 0) return clear_summary_and_recheck(level, w);
    return false;
  }

  bool clear_summary_and_recheck(int level, uint32_t w) noexcept {
    const uint64_t sbit = uint64_t{1} << (w % 64);
    auto& summary = summary_word(level, w / 64);
    OMNI_SCHED_POINT("index.clear_summary");
    summary.fetch_and(~sbit);
    OMNI_SCHED_POINT("index.clear_summary.recheck");
    if (leaf_word(level, w).load() != 0) {
      summary.fetch_or(sbit);
      return true;
    }
    return false;
  }

  bool clear_level_and_recheck(int level) noexcept {
    const uint32_t lbit = 1u << level;
    OMNI_SCHED_POINT("index.clear_level");
    level_mask_.fetch_and(~lbit);
    for (uint32_t s = 0; s < summary_words_; ++s) {
      if (summary_word(level, s).load() != 0) {
        level_mask_.fetch_or(lbit);
        return true;
      }
    }
    return false;
  }

  const uint32_t members_, leaf_words_, summary_words_, level_words_;
  std::unique_ptr<std::atomic<uint64_t>[]> words_;
  std::unique_ptr<std::atomic<uint8_t>[]> level_;
  std::atomic<uint32_t> level_mask_{0};
};

}  // namespace omni::internal
