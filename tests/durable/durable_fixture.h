// A durable kernel on a test's scratch directory: the fixture the durable tests share.
#pragma once
#include <chrono>
#include <memory>

#include "durable_test_support.h"
#include "kernel_fixture.h"
#include "omnikernel/durable/durable_kernel.h"

namespace omni::testing {

// Options for tests of the logic, not the disk: a short group-commit window and no fsync
// (a SIGKILL keeps the page cache; the crash test syncs).
inline durable::DurableOptions fast_durable_options() {
  durable::DurableOptions o;
  o.journal.group_commit_window = std::chrono::microseconds(200);
  o.journal.fsync = false;
  return o;
}

// A durable kernel of `config` on this test's scratch directory, with a manual clock.
class DurableTest : public ::testing::Test {
 protected:
  explicit DurableTest(Config c) : config(std::move(c)) {}
  std::unique_ptr<durable::DurableKernel> open(durable::DurableOptions o = fast_durable_options()) {
    auto dk = durable::DurableKernel::open(dir.path() / "journal", config, clock, {}, o);
    EXPECT_TRUE(dk.has_value()) << (dk ? "" : dk.error().message);
    return dk ? std::move(*dk) : nullptr;
  }
  // Drains until nothing is left; every drain must succeed.
  static void drain_all(durable::DurableKernel& dk) {
    Event buf[256];
    for (;;) {
      const auto r = dk.drain(buf);
      ASSERT_EQ(r.status, durable::DrainStatus::ok);
      if (r.events == 0) return;
    }
  }
  ScratchDir dir;
  ManualClock clock;
  Config config;
};

}  // namespace omni::testing
