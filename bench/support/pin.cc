#include "support/pin.h"

#include <sched.h>

namespace omni::bench {

static cpu_set_t allowed_cpus() noexcept {
  static const cpu_set_t set = [] {
    cpu_set_t s;
    CPU_ZERO(&s);
    if (sched_getaffinity(0, sizeof s, &s) != 0) CPU_SET(0, &s);
    return s;
  }();
  return set;
}

int usable_cpus() noexcept {
  cpu_set_t set = allowed_cpus();
  return CPU_COUNT(&set);
}

bool pin_this_thread(int index) noexcept {
  cpu_set_t allowed = allowed_cpus();
  const int n = CPU_COUNT(&allowed);
  int wanted = index % (n > 0 ? n : 1);
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    if (wanted-- == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(cpu, &one);
      return sched_setaffinity(0, sizeof one, &one) == 0;
    }
  }
  return false;
}

}  // namespace omni::bench
