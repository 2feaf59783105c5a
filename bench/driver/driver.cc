#include "driver/driver.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <time.h>

#include "driver/checker.h"
#include "support/alloc_counter.h"
#include "support/cycles.h"
#include "support/pin.h"
#include "support/schedstat.h"

namespace omni::bench {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

double thread_cpu_seconds() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

uint64_t involuntary_switches() noexcept {
  rusage usage{};
  getrusage(RUSAGE_THREAD, &usage);
  return static_cast<uint64_t>(usage.ru_nivcsw);
}

// An item the driver holds (offered to it and accepted), linked by item slot into the bucket of
// its due arrival. Slots are unique among live items, so one array serves every thread.
struct Held {
  Offer offer;
  uint64_t due;
  uint32_t next;
};

struct Shared {
  const Scenario& scenario;
  const Trace& trace;
  Router& router;
  InvariantChecker checker;
  std::unique_ptr<Held[]> held;
  uint32_t threads;
  uint64_t wheel_mask;
  std::atomic<uint32_t> ready{0};
  std::atomic<bool> go{false};
};

class Worker {
 public:
  Worker(Shared& shared, uint32_t id)
      : s_(shared), id_(id), wheel_(shared.wheel_mask + 1, kNone) {}

  void run() {
    pin_this_thread(static_cast<int>(id_));
    s_.ready.fetch_add(1, std::memory_order_acq_rel);
    while (!s_.go.load(std::memory_order_acquire)) {
    }
    const uint64_t n = s_.trace.arrivals.size();
    const uint64_t half = n / 2;
    const uint64_t allocs_start = thread_allocations();
    const double cpu_start = thread_cpu_seconds();
    const uint64_t switches_start = involuntary_switches();
    const double wait_start = runqueue_wait_seconds();
    uint64_t position = id_;  // global arrival index
    uint64_t closed_through = 0;
    bool in_steady = false;
    for (; position < n; position += s_.threads) {
      if (!in_steady && position >= half) {
        in_steady = true;
        steady_allocs_start_ = thread_allocations();
        steady_offers_start_ = result_.offers;
      }
      submit(s_.trace.arrivals[position]);
      close_due(closed_through, position);
      closed_through = position;
    }
    result_.allocations = thread_allocations() - allocs_start;
    result_.cpu_seconds = thread_cpu_seconds() - cpu_start;
    result_.involuntary_switches = involuntary_switches() - switches_start;
    result_.runqueue_wait_seconds = runqueue_wait_seconds() - wait_start;
    if (in_steady) {
      result_.steady_allocations = thread_allocations() - steady_allocs_start_;
      result_.steady_offers = result_.offers - steady_offers_start_;
    }
  }

  // Untimed, single-threaded, after the run: closes what this worker holds. Returns how many.
  uint64_t close_all() {
    uint64_t closed = 0;
    for (auto& head : wheel_) {
      while (head != kNone) {
        const Held h = s_.held[head];
        head = h.next;
        s_.checker.on_closing(h.offer);
        if (const Status st = s_.router.close(h.offer.item); st != Status::ok) {
          s_.checker.on_refused(st);
        }
        // Each close may offer a waiting item: take those offers as we go, so the router's
        // event buffer (the kernel's is bounded) never overflows while a whole run is closed.
        if (++closed % 64 == 0) closed += settle_offers();
      }
    }
    return closed;
  }

  // Untimed: accepts and at once closes every pending offer. Returns how many.
  uint64_t settle_offers() {
    uint64_t settled = 0;
    for (;;) {
      const size_t got = s_.router.drain_offers(offers_);
      for (size_t i = 0; i < got; ++i) {
        s_.checker.on_offer(offers_[i]);
        if (const Status st = s_.router.accept(offers_[i].item, offers_[i].agent); st != Status::ok) {
          s_.checker.on_refused(st);
        }
        s_.checker.on_closing(offers_[i]);
        if (const Status st = s_.router.close(offers_[i].item); st != Status::ok) {
          s_.checker.on_refused(st);
        }
      }
      settled += got;
      if (got == 0) return settled;
    }
  }

  RunResult& result() noexcept { return result_; }

 private:
  void submit(const Arrival& arrival) {
    const uint64_t t0 = ticks();
    const auto item =
        arrival.set == kNoSet
            ? s_.router.submit(QueueId{arrival.queue}, CustomerId{arrival.customer})
            : s_.router.submit_with(QueueId{arrival.queue}, CustomerId{arrival.customer},
                                    arrival.set);
    const uint64_t dt = ticks() - t0;
    result_.router_ticks += dt;
    result_.submits.record(dt);
    result_.all_ops.record(dt);
    if (item) {
      s_.checker.on_submitted(*item, arrival.set);
      ++result_.submitted;
    } else if (item.error() == Status::queue_full || item.error() == Status::items_exhausted ||
               item.error() == Status::customers_exhausted) {
      // Typed refusals of a bounded resource: the caller keeps the item (the kernel also bounds
      // a customer's live sessions; a rare customer of the trace can exceed it in a deep backlog).
      ++result_.rejected;
    } else {
      s_.checker.on_refused(item.error());
    }
    drain(item ? *item : ItemId{UINT64_MAX});
  }

  void drain(ItemId just_submitted) {
    for (;;) {
      const uint64_t t0 = ticks();
      const size_t got = s_.router.drain_offers(offers_);
      const uint64_t dt = ticks() - t0;
      result_.router_ticks += dt;
      result_.drains.record(dt);
      for (size_t i = 0; i < got; ++i) take(offers_[i], just_submitted);
      if (got < offers_.size()) return;
    }
  }

  void take(const Offer& offer, ItemId just_submitted) {
    s_.checker.on_offer(offer);
    ++result_.offers;
    if (offer.item == just_submitted) ++result_.offers_on_submit;
    else ++result_.offers_on_close;
    const uint64_t t0 = ticks();
    const Status st = s_.router.accept(offer.item, offer.agent);
    const uint64_t dt = ticks() - t0;
    result_.router_ticks += dt;
    result_.accepts.record(dt);
    result_.all_ops.record(dt);
    if (st != Status::ok) {
      s_.checker.on_refused(st);
      return;
    }
    // Holds come from the trace in order, one per offer this worker takes.
    const auto& arrivals = s_.trace.arrivals;
    const uint32_t hold = arrivals[(hold_cursor_ += s_.threads) % arrivals.size()].hold;
    const uint32_t slot = slot_of(offer.item);
    const uint64_t due = current_ + hold;
    Held& h = s_.held[slot];
    h.offer = offer;
    h.due = due;
    uint32_t& head = wheel_[due & s_.wheel_mask];
    h.next = head;
    head = slot;
  }

  // Closes the items due at arrivals (from, to].
  void close_due(uint64_t from, uint64_t to) {
    for (uint64_t g = from + 1; g <= to; ++g) {
      current_ = g;
      uint32_t* link = &wheel_[g & s_.wheel_mask];
      while (*link != kNone) {
        Held& h = s_.held[*link];
        if (h.due != g) {
          link = &h.next;
          continue;
        }
        const Offer offer = h.offer;
        *link = h.next;  // unlink before close: the slot may be reused at once
        s_.checker.on_closing(offer);
        const uint64_t t0 = ticks();
        const Status st = s_.router.close(offer.item);
        const uint64_t dt = ticks() - t0;
        result_.router_ticks += dt;
        result_.closes.record(dt);
        result_.all_ops.record(dt);
        if (st != Status::ok) s_.checker.on_refused(st);
      }
    }
    current_ = to;
    drain(ItemId{UINT64_MAX});
  }

  Shared& s_;
  const uint32_t id_;
  std::vector<uint32_t> wheel_;  // per due arrival (mod size): first held slot
  std::array<Offer, 256> offers_{};
  uint64_t current_ = 0;
  uint64_t hold_cursor_ = 0;
  uint64_t steady_allocs_start_ = 0;
  uint64_t steady_offers_start_ = 0;
  RunResult result_;
};

}  // namespace

namespace {

RunResult run_pass(Router& router, const Scenario& scenario, const Trace& trace,
                   uint32_t threads) {
  const uint64_t back_pressure_start = router.back_pressure();
  Shared shared{.scenario = scenario,
                .trace = trace,
                .router = router,
                .checker = InvariantChecker(scenario),
                .held = std::make_unique<Held[]>(scenario.max_items),
                .threads = threads,
                .wheel_mask = std::bit_ceil(uint64_t{trace.max_hold} + 2) - 1};
  std::vector<std::unique_ptr<Worker>> workers;
  for (uint32_t t = 0; t < threads; ++t) workers.push_back(std::make_unique<Worker>(shared, t));
  std::vector<std::thread> pool;
  for (auto& w : workers) pool.emplace_back([&w] { w->run(); });
  while (shared.ready.load(std::memory_order_acquire) != threads) {
  }
  const auto start = std::chrono::steady_clock::now();
  shared.go.store(true, std::memory_order_release);
  for (auto& t : pool) t.join();
  const auto stop = std::chrono::steady_clock::now();

  RunResult total;
  total.router = std::string(router.name());
  total.threads = threads;
  total.arrivals = trace.arrivals.size();
  total.seconds = std::chrono::duration<double>(stop - start).count();
  total.runqueue_wait_seconds = workers.empty() ? 0 : workers[0]->result().runqueue_wait_seconds;
  for (auto& w : workers) {
    RunResult& r = w->result();
    total.runqueue_wait_seconds = std::min(total.runqueue_wait_seconds, r.runqueue_wait_seconds);
    total.submitted += r.submitted;
    total.rejected += r.rejected;
    total.offers += r.offers;
    total.offers_on_submit += r.offers_on_submit;
    total.offers_on_close += r.offers_on_close;
    total.allocations += r.allocations;
    total.steady_allocations += r.steady_allocations;
    total.steady_offers += r.steady_offers;
    total.all_ops.merge(r.all_ops);
    total.submits.merge(r.submits);
    total.accepts.merge(r.accepts);
    total.closes.merge(r.closes);
    total.drains.merge(r.drains);
    total.router_ticks += r.router_ticks;
    total.cpu_seconds += r.cpu_seconds;
    total.involuntary_switches += r.involuntary_switches;
  }

  // Untimed drain to quiescence: close everything held; settle what that offers, until still.
  for (int round = 0; round < 1000; ++round) {
    uint64_t moved = 0;
    for (auto& w : workers) moved += w->settle_offers();
    for (auto& w : workers) moved += w->close_all();
    for (auto& w : workers) moved += w->settle_offers();
    if (moved == 0) break;
  }
  total.back_pressure = router.back_pressure() - back_pressure_start;
  total.skill_checks = shared.checker.qualification_checks();
  total.broken = !shared.checker.final_check(router, total.why);
  return total;
}

}  // namespace

RunResult run_trace(Router& router, const Scenario& scenario, const Trace& trace,
                    uint32_t threads, uint32_t warmup) {
  if (warmup > 0) {
    Trace prefix;
    prefix.phase_length = trace.phase_length;
    prefix.max_hold = trace.max_hold;
    const size_t n = std::min<size_t>(warmup, trace.arrivals.size());
    prefix.arrivals.assign(trace.arrivals.begin(), trace.arrivals.begin() + static_cast<std::ptrdiff_t>(n));
    RunResult warm = run_pass(router, scenario, prefix, threads);
    if (warm.broken) {
      warm.why = "during warm-up: " + warm.why;
      return warm;
    }
  }
  return run_pass(router, scenario, trace, threads);
}

}  // namespace omni::bench
