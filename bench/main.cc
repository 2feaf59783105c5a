// bench_omni: every design side by side in one binary (issue 4). OMNI_BENCH_QUICK=1 registers the
// reduced set of `bench/run --quick`; the usual --benchmark_* flags select and format.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>

#include "bench_registry.h"
#include "routers/sql_router.h"
#include "support/cycles.h"
#include "support/pin.h"

int main(int argc, char** argv) {
  // Before anything pins a thread (the CPU set is read once) or touches SQLite.
  (void)omni::bench::usable_cpus();
  omni::bench::count_sqlite_allocations();
  (void)omni::bench::ns_per_tick();
  const char* quick_env = std::getenv("OMNI_BENCH_QUICK");
  const bool quick = quick_env != nullptr && std::strcmp(quick_env, "0") != 0;
  omni::bench::register_floor_benchmarks(quick);
  omni::bench::register_queue_benchmarks(quick);
  omni::bench::register_op_benchmarks(quick);
  omni::bench::register_e2e_benchmarks(quick);
  omni::bench::register_live_change_benchmarks(quick);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
