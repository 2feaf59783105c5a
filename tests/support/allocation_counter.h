// Counts heap allocations made through operator new while a window is open. allocation_counter.cc
// replaces the global operator new/delete of the test binary that links it (and, when that binary
// exports its symbols, of the plugins it loads), so "this hot path allocates nothing" is a test.
#pragma once
#include <cstdint>

namespace omni::testing {

class AllocationWindow {
 public:
  AllocationWindow();   // starts counting (windows do not nest)
  ~AllocationWindow();  // stops counting
  AllocationWindow(const AllocationWindow&) = delete;
  AllocationWindow& operator=(const AllocationWindow&) = delete;
  // Allocations since the window opened, on any thread.
  [[nodiscard]] uint64_t allocations() const noexcept;
};

}  // namespace omni::testing
