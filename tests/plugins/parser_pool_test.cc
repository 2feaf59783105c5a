#include "omnikernel/adapters/parser_pool.h"

#include <gtest/gtest.h>

#include <vector>

namespace omni::adapters {
namespace {

// A parser stand-in that counts live instances, to catch leaks and double destruction.
struct Tracked {
  static inline int alive = 0;
  static inline int constructed = 0;
  explicit Tracked(size_t max_bytes) : max_bytes(max_bytes) {
    ++alive;
    ++constructed;
  }
  ~Tracked() { --alive; }
  size_t max_bytes;
};

TEST(ParserPool, ReleasedSlotIsReusedWithItsParser) {
  Tracked::alive = Tracked::constructed = 0;
  {
    ParserPool<Tracked, 4> pool(123);
    const Tracked* first = nullptr;
    {
      auto lease = pool.acquire();
      first = &*lease;
      EXPECT_EQ(lease->max_bytes, 123u);
    }
    auto again = pool.acquire();
    EXPECT_EQ(&*again, first);  // same thread, same slot, warm parser
    EXPECT_EQ(Tracked::constructed, 1);
  }
  EXPECT_EQ(Tracked::alive, 0);
}

TEST(ParserPool, MoreCallersThanSlotsGetPrivateParsers) {
  Tracked::alive = Tracked::constructed = 0;
  {
    ParserPool<Tracked, 2> pool(1);
    {
      auto a = pool.acquire();
      auto b = pool.acquire();
      auto c = pool.acquire();
      auto d = pool.acquire();
      auto e = pool.acquire();
      const std::vector<const Tracked*> seen = {&*a, &*b, &*c, &*d, &*e};
      for (size_t i = 0; i < seen.size(); ++i)
        for (size_t j = i + 1; j < seen.size(); ++j) EXPECT_NE(seen[i], seen[j]);
      EXPECT_EQ(Tracked::alive, 5);
    }
    EXPECT_EQ(Tracked::alive, 2);  // the private ones died with their lease; slots keep theirs
  }
  EXPECT_EQ(Tracked::alive, 0);
}

}  // namespace
}  // namespace omni::adapters
