// bench_journal: durable appends/s and acknowledgement latency (append → durable, p50/p99/p99.9)
// of the three storage candidates of issue 10 — omni::journal's segment log, LMDB, SQLite WAL —
// with group commit over 1 ms and 10 ms windows, synced, on 1 and 2 appending threads, ~100-byte
// records. Also the cost of the append call itself (the producer-side lock).
//
//   bench_journal [--dir DIR] [--seconds S] [--quick] [--append-only]
// DIR (default ./bench_journal.tmp) must be on the disk under test; every run's files are deleted
// after it. S: seconds per run (default 1; three interleaved rounds per storage, one with --quick). Two modes: "saturated" (appenders as fast as back-pressure lets them: throughput, and
// latency including the queue) and "paced" (a fixed 40,000 records/s in total: latency of the
// commit path without a queue). Prints markdown for bench/RESULTS.md.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "durable_sink.h"
#include "omnikernel/journal/writer.h"

namespace omni::bench::journal {
namespace {

using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

enum class Backend { segment_log, lmdb, sqlite };
const char* name(Backend b) {
  switch (b) {
    case Backend::segment_log: return "segment log (omni::journal)";
    case Backend::lmdb: return "LMDB";
    case Backend::sqlite: return "SQLite WAL";
  }
  return "?";
}

struct Run {
  Backend backend;
  uint64_t window_us;
  int threads;
  double paced_total_per_s;  // 0 = saturated
};

// One run of one storage: its rate, and (a stride of) its per-record latencies.
struct Sample {
  double durable_per_s = 0;
  uint64_t commits = 0;
  uint64_t busy = 0;
  std::vector<int64_t> ack_ns;     // append → durable
  std::vector<int64_t> append_ns;  // the append call
};

double pct(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return static_cast<double>(v[k]);
}

std::unique_ptr<DurableSink> make(Backend b, const SinkConfig& c) {
  switch (b) {
    case Backend::segment_log: return make_segment_log_sink(c);
    case Backend::lmdb: return make_lmdb_sink(c);
    case Backend::sqlite: return make_sqlite_sink(c);
  }
  return nullptr;
}

Sample measure(const Run& run, const fs::path& base, double seconds) {
  constexpr size_t kMaxRecords = 3'000'000;  // bounds the files (~400 MB at worst) and the arrays
  const fs::path dir = base / "run";
  fs::remove_all(dir);
  SinkConfig cfg{dir.string(), run.window_us, size_t{16} << 20};
  auto sink = make(run.backend, cfg);

  std::vector<int64_t> appended_at(kMaxRecords + 1, 0);  // ns since start, per LSN
  std::vector<int32_t> append_ns(kMaxRecords + 1, 0);
  std::vector<std::pair<Lsn, int64_t>> commits;
  commits.reserve(1 << 20);
  const auto start = Clock::now();
  auto since = [&](Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t - start).count();
  };
  sink->on_durable([&](Lsn l) { commits.emplace_back(l, since(Clock::now())); });

  const auto deadline = start + std::chrono::duration<double>(seconds);
  std::atomic<uint64_t> busy{0};
  std::atomic<bool> full{false};
  std::vector<std::thread> producers;
  for (int t = 0; t < run.threads; ++t) {
    producers.emplace_back([&, t] {
      std::byte payload[100];
      std::memset(payload, 0x40 + t, sizeof payload);
      const double per_thread = run.paced_total_per_s / run.threads;
      uint64_t i = 0;
      while (!full.load(std::memory_order_relaxed)) {
        auto now = Clock::now();
        if (now >= deadline) break;
        if (per_thread > 0) {  // paced: record i is due at i / rate (bursts of 8)
          auto due = start + std::chrono::duration_cast<Clock::duration>(
                                 std::chrono::duration<double>(static_cast<double>(i) / per_thread));
          if (now < due && i % 8 == 0) std::this_thread::sleep_until(due);
        }
        std::memcpy(payload, &i, sizeof i);
        auto before = Clock::now();
        Lsn lsn = sink->append(1, payload);
        auto after = Clock::now();
        if (lsn == 0) {
          busy.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::yield();
          continue;
        }
        if (lsn > kMaxRecords) {
          full.store(true, std::memory_order_relaxed);
          break;
        }
        appended_at[lsn] = since(before);
        append_ns[lsn] = static_cast<int32_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(after - before).count());
        ++i;
      }
    });
  }
  for (auto& p : producers) p.join();
  sink->close();
  sink.reset();

  Sample r;
  r.busy = busy.load();
  r.commits = commits.size();
  const Lsn records = std::min<Lsn>(commits.empty() ? 0 : commits.back().first, kMaxRecords);
  fs::remove_all(dir);
  if (records == 0) return r;
  r.durable_per_s = static_cast<double>(records) / (static_cast<double>(commits.back().second) / 1e9);
  // At most ~300 k latencies per run (a stride), enough for p99.9, bounded memory when pooled.
  const Lsn stride = std::max<Lsn>(1, records / 300'000);
  Lsn prev = 0;
  for (auto [lsn, at] : commits) {
    for (Lsn l = prev + 1; l <= std::min<Lsn>(lsn, kMaxRecords); ++l) {
      if (l % stride == 0) {
        r.ack_ns.push_back(at - appended_at[l]);
        r.append_ns.push_back(append_ns[l]);
      }
    }
    prev = lsn;
  }
  return r;
}

// The producer side alone: how many appends/s the append lock admits on 1 and 2 threads, with no
// commit during the run (a window longer than the run, a buffer larger than what is appended).
// This is the capacity the lock-free MPSC question is about; the disk is measured above.
double append_only_rate(const fs::path& base, int threads, size_t per_thread) {
  const fs::path dir = base / "append-only";
  fs::remove_all(dir);
  omni::journal::Options o;
  o.dir = dir;
  o.fsync = false;
  o.group_commit_window = std::chrono::seconds(60);
  o.max_pending_bytes = per_thread * threads * 130 + (1 << 20);
  auto w = omni::journal::Writer::open(o);
  if (!w) std::abort();
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> ts;
  std::vector<double> secs(threads);
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::byte payload[100] = {};
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {}
      auto t0 = Clock::now();
      for (size_t i = 0; i < per_thread; ++i) {
        if (!(*w)->append(1, payload)) std::abort();
      }
      secs[t] = std::chrono::duration<double>(Clock::now() - t0).count();
    });
  }
  while (ready.load() < threads) {}
  go.store(true, std::memory_order_release);
  for (auto& t : ts) t.join();
  (void)(*w)->close();
  w->reset();
  fs::remove_all(dir);
  return static_cast<double>(per_thread * threads) / *std::max_element(secs.begin(), secs.end());
}

std::string fmt_rate(double v) {
  char b[32];
  if (v >= 1e6) std::snprintf(b, sizeof b, "%.2f M", v / 1e6);
  else if (v >= 1e3) std::snprintf(b, sizeof b, "%.1f k", v / 1e3);
  else std::snprintf(b, sizeof b, "%.0f", v);
  return b;
}
std::string fmt_us(double us) {
  char b[32];
  if (us >= 1000) std::snprintf(b, sizeof b, "%.2f ms", us / 1000);
  else std::snprintf(b, sizeof b, "%.0f µs", us);
  return b;
}

}  // namespace
}  // namespace omni::bench::journal

int main(int argc, char** argv) {
  using namespace omni::bench::journal;
  fs::path base = "bench_journal.tmp";
  double seconds = 1.0;
  bool quick = false;
  bool append_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--dir" && i + 1 < argc) base = argv[++i];
    else if (a == "--seconds" && i + 1 < argc) seconds = std::stod(argv[++i]);
    else if (a == "--quick") quick = true;
    else if (a == "--append-only") append_only = true;
    else {
      std::fprintf(stderr, "usage: bench_journal [--dir DIR] [--seconds S] [--quick] [--append-only]\n");
      return 2;
    }
  }
  if (quick) seconds = std::min(seconds, 0.5);
  fs::create_directories(base);

  // The disk's sync latency drifts with the other users of the machine: the three storages run
  // interleaved (round-robin, `rounds` times each) so that each sees the same periods. Rates are
  // the median round; percentiles pool every round's latencies.
  const int rounds = quick ? 1 : 3;
  if (!append_only) {
  const Backend backends[] = {Backend::segment_log, Backend::lmdb, Backend::sqlite};
  std::printf("| mode | window | threads | storage | durable appends/s (median of %d) | vs segment log | ack p50 | ack p99 | ack p99.9 | append p50 | append p99.9 | commits/s | busy retries/s |\n", rounds);
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (double paced : {0.0, 40'000.0}) {
    for (uint64_t window : {1000u, 10000u}) {
      for (int threads : {1, 2}) {
        if (paced > 0 && threads == 1) continue;  // paced rows: 2 threads only
        std::vector<Sample> pooled(3);
        std::vector<std::vector<double>> rates(3);
        for (int round = 0; round < rounds; ++round) {
          for (int b = 0; b < 3; ++b) {
            Sample s = measure({backends[b], window, threads, paced}, base, seconds);
            rates[b].push_back(s.durable_per_s);
            pooled[b].commits += s.commits;
            pooled[b].busy += s.busy;
            pooled[b].ack_ns.insert(pooled[b].ack_ns.end(), s.ack_ns.begin(), s.ack_ns.end());
            pooled[b].append_ns.insert(pooled[b].append_ns.end(), s.append_ns.begin(), s.append_ns.end());
          }
        }
        double reference = 0;
        for (int b = 0; b < 3; ++b) {
          auto& rs = rates[b];
          std::sort(rs.begin(), rs.end());
          const double rate = rs[rs.size() / 2];
          if (b == 0) reference = rate;
          Sample& p = pooled[b];
          const double secs = seconds * rounds;
          std::printf("| %s | %llu ms | %d | %s | %s | %.2f× | %s | %s | %s | %.0f ns | %.0f ns | %.0f | %.0f |\n",
                      paced > 0 ? "paced 40 k/s" : "saturated",
                      static_cast<unsigned long long>(window / 1000), threads, name(backends[b]),
                      fmt_rate(rate).c_str(), reference > 0 ? rate / reference : 0.0,
                      fmt_us(pct(p.ack_ns, 0.5) / 1e3).c_str(), fmt_us(pct(p.ack_ns, 0.99) / 1e3).c_str(),
                      fmt_us(pct(p.ack_ns, 0.999) / 1e3).c_str(), pct(p.append_ns, 0.5),
                      pct(p.append_ns, 0.999), static_cast<double>(p.commits) / secs,
                      static_cast<double>(p.busy) / secs);
          std::fflush(stdout);
        }
      }
    }
  }
  }  // !append_only
  std::printf("\n| append call alone (no commit during the run) | 1 thread | 2 threads |\n|---|---|---|\n");
  const size_t per_thread = quick ? 200'000 : 500'000;
  std::printf("| segment log appends/s (100-byte payload) | %s | %s |\n",
              fmt_rate(append_only_rate(base, 1, per_thread)).c_str(),
              fmt_rate(append_only_rate(base, 2, per_thread)).c_str());
  fs::remove_all(base);
  return 0;
}
