// Pins the calling thread to one CPU so that 1- and 2-thread runs do not migrate mid-run.
#pragma once

namespace omni::bench {

// CPU = index modulo the CPUs this process may use. Returns false when the kernel refused.
bool pin_this_thread(int index) noexcept;
[[nodiscard]] int usable_cpus() noexcept;

}  // namespace omni::bench
