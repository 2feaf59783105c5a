// Appending and reading back: records cross segment rolls intact, names say first LSNs, a
// reopened writer continues the LSN sequence, durable() only grows and covers every waited LSN.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>

#include "format.h"
#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

namespace fs = std::filesystem;

void expect_dense_and_intact(const Reader& r, Lsn first, Lsn last) {
  auto recs = r.records();
  ASSERT_EQ(recs.size(), last - first + 1);
  for (size_t i = 0; i < recs.size(); ++i) {
    ASSERT_EQ(recs[i].lsn, first + i);
    ASSERT_TRUE(record_matches(recs[i])) << "LSN " << recs[i].lsn;
  }
}

TEST(JournalRoundTrip, RecordsSurviveSegmentRollsAndAReopenContinuesTheSequence) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ(append_records(**w, 2000), 2000u);
    EXPECT_EQ((*w)->flush(), JournalStatus::ok);
    EXPECT_EQ((*w)->durable(), 2000u);
  }
  auto segs = segment_files(dir.path());
  ASSERT_GT(segs.size(), 10u) << "16 KiB segments: ~300 KiB of records must roll many times";
  // Each name says the segment's first LSN; its header and its first record say the same.
  for (const auto& s : segs) {
    auto first = internal::parse_segment_name(s.filename().string());
    ASSERT_TRUE(first);
    std::ifstream f(s, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto span = std::as_bytes(std::span(bytes.data(), bytes.size()));
    EXPECT_EQ(internal::decode_segment_header(span), first);
    auto offs = record_offsets(s);
    ASSERT_FALSE(offs.empty());
    EXPECT_EQ(internal::decode_record_header(span.data() + offs[0]).lsn, *first);
    EXPECT_LE(bytes.size(), 16u * 1024 + 20 + 300) << "a segment holds one record past the size at most";
  }
  {
    auto r = Reader::open(dir.path(), true);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->warnings().empty());
    EXPECT_FALSE(r->snapshot_lsn());
    EXPECT_EQ(r->last_lsn(), 2000u);
    expect_dense_and_intact(*r, 1, 2000);
  }
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ((*w)->last_appended(), 2000u);
    EXPECT_EQ((*w)->durable(), 2000u);
    EXPECT_EQ(append_records(**w, 10), 2010u);
  }
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  expect_dense_and_intact(*r, 1, 2010);
}

TEST(JournalRoundTrip, EmptyPayloadsAndAllTypesRoundTrip) {
  ScratchDir dir;
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w);
    for (uint16_t t : {uint16_t{0}, uint16_t{1}, uint16_t{65535}}) {
      auto lsn = (*w)->append(t, {});
      ASSERT_TRUE(lsn);
    }
  }
  auto r = Reader::open(dir.path(), false);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->records().size(), 3u);
  EXPECT_EQ(r->records()[0].type, 0);
  EXPECT_EQ(r->records()[2].type, 65535);
  EXPECT_TRUE(r->records()[1].payload.empty());
}

TEST(JournalRoundTrip, DurableIsMonotoneAndCoversEveryWaitedLsn) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.fsync = true;  // the real fdatasync path, briefly
  o.group_commit_window = std::chrono::microseconds(2000);
  auto w = Writer::open(o);
  ASSERT_TRUE(w);
  std::mutex m;
  std::vector<Lsn> seen;
  (*w)->on_durable([&](Lsn l) {
    std::lock_guard lock(m);
    seen.push_back(l);
  });
  Lsn previous = 0;
  for (int round = 0; round < 20; ++round) {
    Lsn last = append_records(**w, 5);
    ASSERT_TRUE((*w)->wait_durable(last, std::chrono::seconds(10)));
    Lsn d = (*w)->durable();
    EXPECT_GE(d, last);
    EXPECT_GE(d, previous);
    EXPECT_LE(d, (*w)->last_appended());
    previous = d;
  }
  EXPECT_EQ((*w)->close(), JournalStatus::ok);
  std::lock_guard lock(m);
  ASSERT_FALSE(seen.empty());
  for (size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i], seen[i - 1]);
  EXPECT_EQ(seen.back(), 100u);
}

TEST(JournalRoundTrip, WaitDurableTimesOutWhileTheWindowHoldsTheRecord) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.group_commit_window = std::chrono::seconds(5);
  auto w = Writer::open(o);
  ASSERT_TRUE(w);
  auto lsn = (*w)->append(1, payload_for(1));
  ASSERT_TRUE(lsn);
  EXPECT_FALSE((*w)->wait_durable(*lsn, std::chrono::milliseconds(20)));
  EXPECT_EQ((*w)->flush(), JournalStatus::ok);  // flush does not wait for the window
  EXPECT_TRUE((*w)->wait_durable(*lsn, std::chrono::milliseconds(0)));
}

TEST(JournalRoundTrip, AfterCloseAppendAndSnapshotAreClosedAndTooLargeIsRefused) {
  ScratchDir dir;
  auto w = Writer::open(test_options(dir.path()));
  ASSERT_TRUE(w);
  std::vector<std::byte> huge(300 << 10);
  auto r = (*w)->append(1, huge);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), JournalStatus::too_large);
  EXPECT_EQ((*w)->close(), JournalStatus::ok);
  auto after = (*w)->append(1, {});
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error(), JournalStatus::closed);
  EXPECT_EQ((*w)->last_appended(), 0u) << "a refused append takes no LSN";
  std::vector<std::byte> state(8);
  EXPECT_EQ((*w)->write_snapshot(1, state), JournalStatus::closed);
  EXPECT_TRUE(Writer::open(test_options(dir.path()))) << "close() released the directory";
}

}  // namespace
}  // namespace omni::journal::test
