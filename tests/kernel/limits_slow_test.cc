// Defect 5 of issue 8, at full length: the old 24-bit incarnation wrapped to 0 after 2^24 lives
// of one slot. Here one slot lives 2^24 + 2 times and every id stays valid and distinct from the
// previous one. Labelled `slow` (a few seconds in release; not run under the sanitizers).
#include "kernel_fixture.h"

namespace omni::testing {
namespace {

TEST_F(KernelTest, OneSlotLivesMoreThanTwoToTheTwentyFourTimes) {
  Config c = contact_centre(0);
  c.limits.max_items = 1;
  build(c);
  const QueueId sales = queue("sales");
  Event events[1024];
  uint64_t last = 0;
  for (uint64_t life = 0; life < (uint64_t{1} << 24) + 2; ++life) {
    const auto id = kernel->submit({sales, CustomerId{0}});
    ASSERT_TRUE(id.has_value()) << life << ": " << to_string(id.error());
    ASSERT_NE(index(*id), 0u) << life;
    ASSERT_NE(index(*id), last) << life;
    last = index(*id);
    ASSERT_EQ(kernel->close(*id), Status::ok) << life;
    if ((life & 255) == 255)
      while (kernel->poll_events(events) > 0) {
      }
  }
}

}  // namespace
}  // namespace omni::testing
