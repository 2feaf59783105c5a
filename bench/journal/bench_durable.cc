// bench_durable: the kernel's submit path with the journal attached (DurableKernel) beside the
// in-memory path (Kernel + a drainer that discards), issue 10 item 6:
//   - durable submits/s and acknowledgement latency p50/p99/p99.9 (submit call → the host can see
//     the item is durable; in memory: → its `submitted` event was drained), with 1 ms and 10 ms
//     group-commit windows, fsync on, on 1 and 2 submitting threads;
//   - the hot-path cost: the submit + close calls as the submitting threads see them, with and
//     without the journal (the goal: ≤ 1.2× — the drainer appends, submit threads do not).
// Each item is submitted into a queue with no agent online and closed at once (3 events:
// submitted, closed, done), so the pool never runs out and every call is the same work.
//
//   bench_durable [--dir DIR] [--seconds S] [--paced N]
// DIR on the disk under test (default ./bench_durable.tmp, removed after each run). Saturated
// runs retry events_full (back-pressure); paced runs submit N items/s in total (default 40,000).
// Prints markdown for bench/RESULTS.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/kernel.h"

namespace omni::bench::durable_path {
namespace {

using WallClock = std::chrono::steady_clock;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

Config bench_config() {
  Config c;
  c.channels = {{"chat", {}, false}};
  c.routing_configs = {{"rc", 1, RoutingModel::most_available, {}, SizeUnit::units, 1.0}};
  c.queues = {{"q", "chat", "rc", "", 60000}};
  c.statuses = {{"Offline", PresenceKind::offline, {}, ""}, {"Online", PresenceKind::online, {"chat"}, ""}};
  PresenceConfigConfig pc;
  pc.name = "p";
  c.presence_configs = {pc};
  c.profiles = {{"agent", "p"}};
  c.agents = {{"a0", "agent", "", {"q"}, "Offline"}};  // nobody online: submits queue, close ends them
  c.limits.max_items = 1 << 16;
  c.limits.max_customers = 1 << 16;
  c.limits.event_capacity = 1 << 16;
  return c;
}

// What the load sees: the kernel, a drain, and "is this item acknowledged".
class Host {
 public:
  virtual ~Host() = default;
  virtual Kernel& kernel() = 0;
  virtual size_t drain(std::span<Event> out) = 0;
  virtual bool acked(ItemId id) = 0;
};

class MemoryHost final : public Host {
 public:
  explicit MemoryHost(const Clock& clock) : kernel_(std::move(*Kernel::create(bench_config(), clock))), births_(1 << 16) {}
  Kernel& kernel() override { return *kernel_; }
  size_t drain(std::span<Event> out) override {
    const size_t n = kernel_->poll_events(out);
    std::lock_guard lock(mu_);  // the same bookkeeping DurableKernel does per batch
    for (size_t i = 0; i < n; ++i)
      if (out[i].type == EventType::submitted) births_[slot_of(out[i].item)] = birth_of(out[i].item);
    return n;
  }
  bool acked(ItemId id) override {
    std::lock_guard lock(mu_);
    return births_[slot_of(id)] >= birth_of(id);
  }

 private:
  std::unique_ptr<Kernel> kernel_;
  std::mutex mu_;
  std::vector<uint64_t> births_;
};

class JournalHost final : public Host {
 public:
  JournalHost(const fs::path& dir, const Clock& clock, std::chrono::microseconds window) {
    durable::DurableOptions o;
    o.journal.group_commit_window = window;
    o.journal.fsync = true;
    o.max_batch = 4096;
    auto dk = durable::DurableKernel::open(dir, bench_config(), clock, {}, o);
    if (!dk) {
      std::fprintf(stderr, "bench_durable: %s\n", dk.error().message.c_str());
      std::exit(1);
    }
    dk_ = std::move(*dk);
  }
  Kernel& kernel() override { return dk_->kernel(); }
  size_t drain(std::span<Event> out) override { return dk_->drain(out).events; }
  bool acked(ItemId id) override { return dk_->is_durable(id); }

 private:
  std::unique_ptr<durable::DurableKernel> dk_;
};

struct Result {
  double acked_per_s = 0;
  std::vector<int64_t> ack_ns;
  std::vector<int64_t> call_ns;  // submit + close, as the submitting thread sees them
  uint64_t events_full = 0;
};

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]);
}

struct Pending {
  ItemId id;
  WallClock::time_point at;
};

Result run(Host& host, int threads, double seconds, double paced_total) {
  Kernel& k = host.kernel();
  const QueueId q = *k.find_queue("q");
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> submitted{0};
  Result result;
  std::mutex pending_mu;
  std::vector<Pending> pending;  // every 16th submit, acknowledged by the acker
  std::mutex merge_mu;

  std::jthread drainer([&] {
    std::vector<Event> buf(4096);
    while (!stop.load(std::memory_order_relaxed))
      if (host.drain(buf) == 0) std::this_thread::sleep_for(20us);
    while (host.drain(buf) != 0) {
    }
  });
  std::jthread acker([&] {
    std::vector<Pending> mine;
    while (!stop.load(std::memory_order_relaxed) || !mine.empty()) {
      {
        std::lock_guard lock(pending_mu);
        mine.insert(mine.end(), pending.begin(), pending.end());
        pending.clear();
      }
      const auto now = WallClock::now();
      std::erase_if(mine, [&](const Pending& p) {
        if (!host.acked(p.id)) return false;
        result.ack_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(now - p.at).count());
        return true;
      });
      if (stop.load() && now > WallClock::now() + 1s) break;
      std::this_thread::sleep_for(20us);
    }
  });
  const auto start = WallClock::now();
  const auto end = start + std::chrono::duration_cast<WallClock::duration>(std::chrono::duration<double>(seconds));
  std::vector<std::jthread> load;
  for (int t = 0; t < threads; ++t) {
    load.emplace_back([&, t] {
      std::vector<int64_t> calls;
      calls.reserve(1 << 20);
      uint64_t full = 0, n = 0;
      // Paced: the items due by each 1 ms tick, then sleep — a spinning pacer would take the
      // cores the drainer and the journal's writer need (2 cores here).
      const double per_thread_s = paced_total / threads;
      uint64_t due = 0;
      auto tick = start;
      while (WallClock::now() < end) {
        if (paced_total > 0) {
          if (n >= due) {
            tick += 1ms;
            std::this_thread::sleep_until(tick);
            due = static_cast<uint64_t>(per_thread_s * std::chrono::duration<double>(tick - start).count());
            continue;
          }
        }
        const auto t0 = WallClock::now();
        auto id = k.submit({q, CustomerId{0}});
        if (!id) {
          ++full;  // events_full: the drainer is behind (back-pressure); try again
          continue;
        }
        while (k.close(*id) == Status::events_full) ++full;
        const auto t1 = WallClock::now();
        calls.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
        if ((++n & 15) == 0) {
          std::lock_guard lock(pending_mu);
          pending.push_back({*id, t0});
        }
      }
      submitted.fetch_add(n);
      std::lock_guard lock(merge_mu);
      result.call_ns.insert(result.call_ns.end(), calls.begin(), calls.end());
      result.events_full += full;
    });
  }
  load.clear();  // joins
  // Throughput: submits until the last of them is acknowledged.
  const auto last_submit = WallClock::now();
  stop.store(true);
  drainer.join();
  acker.join();
  const double elapsed = std::chrono::duration<double>(std::max(WallClock::now(), last_submit) - start).count();
  result.acked_per_s = static_cast<double>(submitted.load()) / elapsed;
  return result;
}

std::string rate(double r) {
  char s[32];
  if (r >= 1e6) std::snprintf(s, sizeof s, "%.2f M", r / 1e6);
  else std::snprintf(s, sizeof s, "%.1f k", r / 1e3);
  return s;
}
std::string dur(double ns) {
  char s[32];
  if (ns >= 1e6) std::snprintf(s, sizeof s, "%.2f ms", ns / 1e6);
  else if (ns >= 1e3) std::snprintf(s, sizeof s, "%.1f µs", ns / 1e3);
  else std::snprintf(s, sizeof s, "%.0f ns", ns);
  return s;
}

}  // namespace
}  // namespace omni::bench::durable_path

int main(int argc, char** argv) {
  using namespace omni::bench::durable_path;
  fs::path base = "bench_durable.tmp";
  double seconds = 1.0, paced = 40000;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) base = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else if (a == "--paced" && i + 1 < argc) paced = std::stod(argv[++i]);
    else {
      std::fprintf(stderr, "usage: bench_durable [--dir DIR] [--seconds S] [--paced N]\n");
      return 2;
    }
  }
  std::printf("| mode | path | window | threads | acked submits/s | ack p50 | ack p99 | ack p99.9 | submit+close p50 | p99 | p99.9 | mean | events_full retries |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (double pace : {0.0, paced}) {
    for (int threads : {1, 2}) {
      for (int window_us : {0, 1000, 10000}) {  // 0 = in memory
        omni::SteadyClock clock;
        std::unique_ptr<Host> host;
        const fs::path dir = base / ("run-" + std::to_string(window_us));
        fs::remove_all(dir);
        if (window_us == 0) host = std::make_unique<MemoryHost>(clock);
        else host = std::make_unique<JournalHost>(dir, clock, std::chrono::microseconds(window_us));
        Result r = run(*host, threads, seconds, pace);
        host.reset();
        fs::remove_all(dir);
        double mean = 0;
        for (int64_t c : r.call_ns) mean += static_cast<double>(c);
        mean /= std::max<size_t>(r.call_ns.size(), 1);
        std::printf("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s | %llu |\n",
                    pace > 0 ? ("paced " + rate(pace) + "/s").c_str() : "saturated",
                    window_us == 0 ? "in memory" : "journal (fsync)",
                    window_us == 0 ? "—" : (std::to_string(window_us / 1000) + " ms").c_str(), threads,
                    rate(r.acked_per_s).c_str(), dur(pct(r.ack_ns, 0.5)).c_str(), dur(pct(r.ack_ns, 0.99)).c_str(),
                    dur(pct(r.ack_ns, 0.999)).c_str(), dur(pct(r.call_ns, 0.5)).c_str(), dur(pct(r.call_ns, 0.99)).c_str(),
                    dur(pct(r.call_ns, 0.999)).c_str(), dur(mean).c_str(), static_cast<unsigned long long>(r.events_full));
        std::fflush(stdout);
      }
    }
  }
  fs::remove_all(base);
  return 0;
}
