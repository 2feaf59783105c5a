#include "agent_index.h"

#include <gtest/gtest.h>

#include <random>

namespace omni::internal {
namespace {

TEST(AgentIndex, EmptyHasNoBest) {
  AgentIndex index(100);
  EXPECT_FALSE(index.best().has_value());
}

TEST(AgentIndex, LowestLevelWinsThenLowestMember) {
  AgentIndex index(200);
  (void)index.place(150, 3);
  (void)index.place(70, 1);
  (void)index.place(90, 1);
  EXPECT_EQ(index.best(), 70u);
  (void)index.place(70, AgentIndex::kAbsent);
  EXPECT_EQ(index.best(), 90u);
  (void)index.place(90, 5);
  EXPECT_EQ(index.best(), 150u);
}

TEST(AgentIndex, SkipsTheExcludedMember) {
  AgentIndex index(10);
  (void)index.place(2, 0);
  (void)index.place(5, 4);
  EXPECT_EQ(index.best(2), 5u);
  (void)index.place(5, AgentIndex::kAbsent);
  EXPECT_FALSE(index.best(2).has_value());
}

TEST(AgentIndex, WorksAcrossManySummaryWords) {
  AgentIndex index(10'000);
  (void)index.place(9'999, 7);
  (void)index.place(4'100, 7);
  EXPECT_EQ(index.best(), 4'100u);
  (void)index.place(4'100, AgentIndex::kAbsent);
  EXPECT_EQ(index.best(), 9'999u);
}

// Against a model: after any sequence of placements, best() is the model's minimum.
TEST(AgentIndex, MatchesAModelUnderRandomPlacements) {
  constexpr uint32_t kMembers = 300;
  AgentIndex index(kMembers);
  std::vector<uint8_t> model(kMembers, AgentIndex::kAbsent);
  std::mt19937 rng(42);
  for (int step = 0; step < 20'000; ++step) {
    const uint32_t m = rng() % kMembers;
    const uint8_t level = rng() % 4 == 0 ? AgentIndex::kAbsent : static_cast<uint8_t>(rng() % AgentIndex::kLevels);
    (void)index.place(m, level);
    model[m] = level;
    std::optional<uint32_t> expected;
    for (uint32_t i = 0; i < kMembers; ++i)
      if (model[i] != AgentIndex::kAbsent && (!expected || model[i] < model[*expected])) expected = i;
    ASSERT_EQ(index.best(), expected) << "step " << step;
  }
}

}  // namespace
}  // namespace omni::internal

namespace omni::internal {
namespace {

// The optimistic index: a member found busier than its level is re-placed by the validator and
// the search goes on to the truly best member, including ones behind it on worse levels.
TEST(AgentIndex, SearchRePlacesMembersThatAreWorseThanTheirLevel) {
  AgentIndex index(8);
  std::vector<uint8_t> truth = {3, 1, AgentIndex::kAbsent, 2, AgentIndex::kAbsent, AgentIndex::kAbsent,
                                AgentIndex::kAbsent, AgentIndex::kAbsent};
  (void)index.place(0, 0);  // claims level 0, truly 3
  (void)index.place(1, 0);  // claims level 0, truly 1
  (void)index.place(3, 2);  // exact
  auto valid = [&](uint32_t m, int level) {
    if (truth[m] == level) return true;
    (void)index.place(m, truth[m]);
    return false;
  };
  bool restored = false;
  EXPECT_EQ(index.best(UINT32_MAX, valid, restored), 1u);
  EXPECT_EQ(index.level_of(0), 3) << "re-placed on the way";
  truth[1] = AgentIndex::kAbsent;
  EXPECT_EQ(index.best(UINT32_MAX, valid, restored), 3u);
  truth[3] = AgentIndex::kAbsent;
  EXPECT_EQ(index.best(UINT32_MAX, valid, restored), 0u) << "found again at its true, worse level";
  EXPECT_FALSE(restored) << "no racing clear: nothing to restore";
}

// place() reports whether it made a member visible or better: the kernel's rule "whoever sets a
// bit reads `waiting` afterwards" depends on it (a demotion or a no-op reports false).
TEST(AgentIndex, PlaceReportsPromotions) {
  AgentIndex index(4);
  EXPECT_TRUE(index.place(1, 5)) << "absent -> visible";
  EXPECT_TRUE(index.place(1, 2)) << "better level";
  EXPECT_FALSE(index.place(1, 2)) << "same level";
  EXPECT_FALSE(index.place(1, 7)) << "worse level";
  EXPECT_FALSE(index.place(1, AgentIndex::kAbsent)) << "removed";
}

}  // namespace
}  // namespace omni::internal

namespace omni::internal {
namespace {

// Round-robin ties: a search starting at `start` takes the first tied member at or after it,
// wrapping around, across leaf and summary words.
TEST(AgentIndex, ASearchStartsAtItsStartAndWraps) {
  AgentIndex index(5'000);
  for (uint32_t m : {3u, 70u, 4'100u, 4'999u}) (void)index.place(m, 2);
  (void)index.place(1'000, 5);
  bool restored = false;
  auto any = [](uint32_t, int) { return true; };
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 0), 3u);
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 4), 70u);
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 71), 4'100u);
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 4'101), 4'999u);
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 4'999), 4'999u);
  EXPECT_EQ(index.best(4'999, any, restored, 4'999), 3u) << "wraps past the end";
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 12'345), 4'100u) << "start taken modulo the members";
  (void)index.place(3, AgentIndex::kAbsent);
  (void)index.place(70, AgentIndex::kAbsent);
  (void)index.place(4'100, AgentIndex::kAbsent);
  (void)index.place(4'999, AgentIndex::kAbsent);
  EXPECT_EQ(index.best(UINT32_MAX, any, restored, 2'000), 1'000u) << "the better level first, then the worse";
  EXPECT_FALSE(restored);
}

}  // namespace
}  // namespace omni::internal
