// What the live-change tests share: the configuration in force to edit into the next one, a
// change that must be taken, and one that must be refused leaving the version in force.
#pragma once
#include "kernel_fixture.h"

namespace omni::testing {

class LiveChangeTest : public KernelTest {
 protected:
  Config current() { return *kernel->config(); }
  void apply(const Config& next) {
    auto done = kernel->reconfigure(next);
    ASSERT_TRUE(done.has_value()) << done.error().message();
  }
  ConfigError refused(const Config& next) {
    const auto before = kernel->config();
    auto done = kernel->reconfigure(next);
    EXPECT_FALSE(done.has_value());
    EXPECT_EQ(kernel->config(), before) << "a refused change leaves the version in force";
    return done ? ConfigError{} : done.error();
  }
};

}  // namespace omni::testing
