// Snapshots: recovery reads the newest intact snapshot and the tail after it; a snapshot is
// atomic (a leftover temp file is ignored); segments and older snapshots go only once the new
// snapshot is durable, and a failed snapshot deletes nothing.
#include <gtest/gtest.h>

#include <fstream>

#include "format.h"
#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> state_for(Lsn covers) {
  std::vector<std::byte> s(64 + covers % 50);
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<std::byte>(covers + i);
  return s;
}

void expect_tail(const Reader& r, Lsn first, Lsn last) {
  ASSERT_EQ(r.records().size(), last - first + 1);
  for (size_t i = 0; i < r.records().size(); ++i) {
    ASSERT_EQ(r.records()[i].lsn, first + i);
    ASSERT_TRUE(record_matches(r.records()[i]));
  }
}

TEST(JournalSnapshot, RecoveryReadsTheSnapshotAndTheTailAfterIt) {
  ScratchDir dir;
  size_t segments_before = 0;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    append_records(**w, 1000);
    ASSERT_EQ((*w)->flush(), JournalStatus::ok);
    segments_before = segment_files(dir.path()).size();
    ASSERT_EQ((*w)->write_snapshot(300, state_for(300)), JournalStatus::ok);
    ASSERT_EQ((*w)->write_snapshot(600, state_for(600)), JournalStatus::ok);
    append_records(**w, 200);
  }
  auto snaps = snapshot_files(dir.path());
  ASSERT_EQ(snaps.size(), 1u) << "the older snapshot goes once the newer one is durable";
  EXPECT_EQ(snaps[0].filename(), internal::snapshot_name(600));
  // Segments wholly ≤ 600 are gone; the one holding 601 stays.
  auto segs = segment_files(dir.path());
  EXPECT_LT(segs.size(), segments_before);
  ASSERT_GE(segs.size(), 2u);
  EXPECT_LE(*internal::parse_segment_name(segs[0].filename().string()), 601u);
  EXPECT_GT(*internal::parse_segment_name(segs[1].filename().string()), 601u);

  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->warnings().empty());
  ASSERT_EQ(r->snapshot_lsn(), 600u);
  auto want = state_for(600);
  ASSERT_TRUE(std::ranges::equal(r->snapshot_state(), want));
  expect_tail(*r, 601, 1200);
  EXPECT_EQ(r->last_lsn(), 1200u);
}

TEST(JournalSnapshot, ASnapshotOfEverythingThenReopenContinuesAfterIt) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    append_records(**w, 500);
    ASSERT_EQ((*w)->write_snapshot(500, state_for(500)), JournalStatus::ok);
  }
  {
    auto r = Reader::open(dir.path(), true);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->snapshot_lsn(), 500u);
    EXPECT_TRUE(r->records().empty());
    EXPECT_EQ(r->last_lsn(), 500u);
  }
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ((*w)->last_appended(), 500u);
    append_records(**w, 20);
  }
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  expect_tail(*r, 501, 520);
}

TEST(JournalSnapshot, ALeftoverTemporarySnapshotIsIgnoredThenRemoved) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    append_records(**w, 300);
    ASSERT_EQ((*w)->write_snapshot(100, state_for(100)), JournalStatus::ok);
  }
  // A crash in the middle of writing snapshot 250: its temp file is there, half written.
  fs::path tmp = dir.path() / (internal::snapshot_name(250) + ".tmp");
  std::ofstream(tmp, std::ios::binary) << "OMNIJSNP half";
  {
    auto r = Reader::open(dir.path(), true);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->snapshot_lsn(), 100u);
    ASSERT_EQ(r->warnings().size(), 1u);
    EXPECT_EQ(r->warnings()[0].file, tmp);
    expect_tail(*r, 101, 300);
  }
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
  }
  EXPECT_FALSE(fs::exists(tmp)) << "a writer removes leftover temp snapshots";
}

TEST(JournalSnapshot, AFailedSnapshotDeletesNothing) {
  ScratchDir dir;
  auto w = Writer::open(test_options(dir.path()));
  ASSERT_TRUE(w);
  append_records(**w, 600);
  ASSERT_EQ((*w)->write_snapshot(200, state_for(200)), JournalStatus::ok);
  ASSERT_EQ((*w)->flush(), JournalStatus::ok);  // no commit in flight may add a segment below
  auto segs_before = segment_files(dir.path());
  // The temp path is taken by a directory: the snapshot cannot be written.
  fs::create_directories(dir.path() / (internal::snapshot_name(500) + ".tmp"));
  EXPECT_EQ((*w)->write_snapshot(500, state_for(500)), JournalStatus::io_error);
  EXPECT_EQ(segment_files(dir.path()), segs_before);
  EXPECT_EQ(snapshot_files(dir.path()).size(), 1u);
  fs::remove(dir.path() / (internal::snapshot_name(500) + ".tmp"));
  // The writer is unaffected: a failed snapshot is not a failed log.
  EXPECT_EQ(append_records(**w, 10), 610u);
  ASSERT_EQ((*w)->close(), JournalStatus::ok);
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->snapshot_lsn(), 200u);
  expect_tail(*r, 201, 610);
}

TEST(JournalSnapshot, ACorruptNewestSnapshotWithItsSegmentsGoneIsAnErrorNotAPartialState) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    append_records(**w, 800);
    ASSERT_EQ((*w)->write_snapshot(700, state_for(700)), JournalStatus::ok);
  }
  auto snap = snapshot_files(dir.path()).at(0);
  flip_byte(snap, 40);
  auto r = Reader::open(dir.path(), true);
  ASSERT_FALSE(r) << "records 1..700 exist only in the snapshot";
  EXPECT_NE(r.error().reason.find("gap"), std::string::npos) << r.error().reason;
}

TEST(JournalSnapshot, ACorruptNewerSnapshotFallsBackToAnOlderOneWhenTheLogAllowsIt) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    append_records(**w, 400);
    ASSERT_EQ((*w)->write_snapshot(100, state_for(100)), JournalStatus::ok);
  }
  // A newer snapshot written by hand (as if copied in), then damaged; its segments are all there.
  auto old_snap = snapshot_files(dir.path()).at(0);
  fs::path newer = dir.path() / internal::snapshot_name(300);
  fs::copy_file(old_snap, newer);
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->snapshot_lsn(), 100u) << "its header says 100, its name 300: not usable";
  ASSERT_EQ(r->warnings().size(), 1u);
  EXPECT_EQ(r->warnings()[0].file, newer);
  expect_tail(*r, 101, 400);
}

TEST(JournalSnapshot, InvalidSnapshotArgumentsAreTypedErrors) {
  ScratchDir dir;
  auto w = Writer::open(test_options(dir.path()));
  ASSERT_TRUE(w);
  append_records(**w, 10);
  EXPECT_EQ((*w)->write_snapshot(0, state_for(0)), JournalStatus::invalid_argument);
  EXPECT_EQ((*w)->write_snapshot(11, state_for(11)), JournalStatus::invalid_argument);
  EXPECT_EQ((*w)->write_snapshot(8, state_for(8)), JournalStatus::ok);
  EXPECT_EQ((*w)->write_snapshot(5, state_for(5)), JournalStatus::invalid_argument);
  EXPECT_EQ((*w)->write_snapshot(8, state_for(8)), JournalStatus::ok) << "rewriting the same one is fine";
  EXPECT_EQ(snapshot_files(dir.path()).size(), 1u);
}

}  // namespace
}  // namespace omni::journal::test
