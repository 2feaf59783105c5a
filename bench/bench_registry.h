// The benchmark families of the bench_omni binary; main() registers them (quick = the reduced
// set behind `bench/run --quick`).
#pragma once

namespace omni::bench {

void register_e2e_benchmarks(bool quick);
void register_op_benchmarks(bool quick);
void register_floor_benchmarks(bool quick);
void register_queue_benchmarks(bool quick);
void register_live_change_benchmarks(bool quick);

}  // namespace omni::bench
