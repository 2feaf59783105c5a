#include "support/schedstat.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace omni::bench {

double runqueue_wait_seconds() noexcept {
  const int fd = ::open("/proc/thread-self/schedstat", O_RDONLY);
  if (fd < 0) return 0;
  char buf[128] = {};
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return 0;
  unsigned long long on_cpu = 0, waiting = 0;
  if (std::sscanf(buf, "%llu %llu", &on_cpu, &waiting) != 2) return 0;
  return static_cast<double>(waiting) * 1e-9;
}

}  // namespace omni::bench
