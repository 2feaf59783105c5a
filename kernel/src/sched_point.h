// OMNI_SCHED_POINT — a scheduling point before an atomic step of the kernel.
//
// In release and sanitizer builds it compiles to nothing. The interleaving harness
// (tests/kernel/interleave/) builds the kernel a second time with OMNI_SCHED_POINTS defined; each
// point then hands control to the test's scheduler, which decides which thread takes the next step
// (PCT with random priorities, or bounded-exhaustive exploration). A point marks the moment just
// BEFORE the atomic access it names, so every interleaving of those accesses can be produced.
#pragma once

#ifdef OMNI_SCHED_POINTS
namespace omni::internal::sched {
// Provided by the harness. Returns at once on threads that no scheduler controls.
void point(const char* where) noexcept;
}  // namespace omni::internal::sched
#define OMNI_SCHED_POINT(where) ::omni::internal::sched::point(where)
#else
#define OMNI_SCHED_POINT(where) ((void)0)
#endif
