// Heap allocation counting for the bench binary. alloc_counter.cc replaces the global operator
// new/delete family (the replacement is process-wide: the kernel, the baselines and libstdc++ all
// go through it) and counts, per thread, every allocation made through operator new; the SQL
// routers also route SQLite's own allocator through count_raw_allocation().
//
// The counters are thread-local so that counting never adds a shared cache line to a
// multi-thread run: a thread reads its own delta around the work it does.
//
// Which malloc sits underneath is chosen outside: glibc by default, mimalloc when the binary runs
// under LD_PRELOAD=libmimalloc.so.2 (bench/run does both). allocator_name() says which.
#pragma once
#include <cstdint>
#include <string_view>

namespace omni::bench {

[[nodiscard]] uint64_t thread_allocations() noexcept;
void count_raw_allocation() noexcept;
[[nodiscard]] std::string_view allocator_name() noexcept;

}  // namespace omni::bench
