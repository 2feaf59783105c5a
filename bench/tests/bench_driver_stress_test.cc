// Two threads through the thread-safe routers: the referee finds nothing wrong.
#include <gtest/gtest.h>

#include "driver/driver.h"
#include "routers/kernel_router.h"
#include "routers/mutex_router.h"

namespace omni::bench {
namespace {

TEST(DriverStress, KernelAndMutexRoutersStayCorrectOnTwoThreads) {
  const Scenario s = make_scenario({.agents = 50, .queues = 10});
  const Trace t = make_trace(s, {.seed = 3, .arrivals = 30'000});
  auto kernel = KernelRouter::create(s);
  ASSERT_NE(kernel, nullptr);
  MutexRouter mutex(s);
  for (Router* r : {static_cast<Router*>(kernel.get()), static_cast<Router*>(&mutex)}) {
    const RunResult result = run_trace(*r, s, t, 2);
    EXPECT_FALSE(result.broken) << r->name() << ": " << result.why;
    EXPECT_EQ(result.submitted + result.rejected, t.arrivals.size()) << r->name();
  }
}

}  // namespace
}  // namespace omni::bench
