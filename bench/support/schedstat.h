// How long the calling thread has waited on a run queue — runnable, but another process had the
// CPU — from /proc/thread-self/schedstat (0 when the kernel does not provide it). Subtracting a
// run's wait from its wall time removes the machine's other load from a measurement; the
// benchmarks report both figures. Plain open/read: no allocation.
#pragma once

namespace omni::bench {

[[nodiscard]] double runqueue_wait_seconds() noexcept;

}  // namespace omni::bench
