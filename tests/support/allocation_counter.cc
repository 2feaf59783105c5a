#include "allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {
std::atomic<bool> g_counting{false};
std::atomic<uint64_t> g_allocations{0};
}  // namespace

void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace omni::testing {

AllocationWindow::AllocationWindow() {
  g_allocations.store(0);
  g_counting.store(true);
}
AllocationWindow::~AllocationWindow() { g_counting.store(false); }
uint64_t AllocationWindow::allocations() const noexcept { return g_allocations.load(); }

}  // namespace omni::testing
