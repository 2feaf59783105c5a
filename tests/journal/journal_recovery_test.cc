// Recovery: a torn tail is cut with a warning naming the byte, at every byte offset of the last
// records and for every flipped byte of the last one; a corrupt middle, a missing segment and an
// LSN gap are errors naming the file and offset; a writer reopened after a repair continues.
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "format.h"
#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

namespace fs = std::filesystem;

std::vector<char> read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
// Rewrites `p` with `bytes` in place. Not with O_TRUNC: ext4 (auto_da_alloc) flushes a file
// truncated and rewritten at close, which would make these loops cost a disk flush per round.
void write_file(const fs::path& p, const std::vector<char>& bytes) {
  {
    std::fstream f(p, std::ios::binary | std::ios::in | std::ios::out);
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  fs::resize_file(p, bytes.size());
}

// A journal of `n` records in one or more segments, closed.
void make_journal(const fs::path& dir, size_t n, uint64_t segment_bytes = 16 << 10) {
  Options o = test_options(dir);
  o.segment_bytes = segment_bytes;
  auto w = Writer::open(o);
  ASSERT_TRUE(w) << w.error().message();
  append_records(**w, n);
  ASSERT_EQ((*w)->close(), JournalStatus::ok);
}

void expect_prefix(const Reader& r, Lsn last) {
  ASSERT_EQ(r.records().size(), last);
  for (size_t i = 0; i < r.records().size(); ++i) {
    ASSERT_EQ(r.records()[i].lsn, i + 1);
    ASSERT_TRUE(record_matches(r.records()[i]));
  }
}

TEST(JournalRecovery, TornTailAtEveryByteOfTheLastFiveRecordsIsCutWithItsOffset) {
  ScratchDir dir;
  make_journal(dir.path(), 40, 1 << 20);  // one segment
  auto segs = segment_files(dir.path());
  ASSERT_EQ(segs.size(), 1u);
  const auto pristine = read_file(segs[0]);
  const auto offs = record_offsets(segs[0]);
  ASSERT_EQ(offs.size(), 40u);
  // Every cut from the start of the 5th-last record to one byte short of the end.
  for (uint64_t cut = offs[offs.size() - 5]; cut < pristine.size(); ++cut) {
    write_file(segs[0], pristine);
    truncate_file(segs[0], cut);
    // The records wholly before the cut survive; the one the cut went through is gone.
    size_t whole = 0;
    while (whole < offs.size() && (whole + 1 < offs.size() ? offs[whole + 1] : pristine.size()) <= cut) {
      ++whole;
    }
    // Repairing costs an fdatasync: every 8th cut repairs, the others only report.
    const bool repair = cut % 8 == 0;
    auto r = Reader::open(dir.path(), repair);
    ASSERT_TRUE(r) << "cut " << cut << ": " << r.error().message();
    expect_prefix(*r, whole);
    const uint64_t boundary = whole < offs.size() ? offs[whole] : pristine.size();
    if (cut == boundary) {
      EXPECT_TRUE(r->warnings().empty()) << "a cut on a record boundary leaves nothing torn";
    } else {
      ASSERT_EQ(r->warnings().size(), 1u) << "cut " << cut;
      EXPECT_EQ(r->warnings()[0].file, segs[0]);
      EXPECT_EQ(r->warnings()[0].offset, boundary);
      EXPECT_NE(r->warnings()[0].what.find(std::to_string(boundary)), std::string::npos);
    }
    EXPECT_EQ(fs::file_size(segs[0]), repair ? boundary : cut) << "repair truncates to the last intact record";
  }
}

TEST(JournalRecovery, EveryFlippedByteOfTheLastRecordIsATornTail) {
  ScratchDir dir;
  make_journal(dir.path(), 30, 1 << 20);
  auto seg = segment_files(dir.path()).at(0);
  const auto pristine = read_file(seg);
  const auto offs = record_offsets(seg);
  const uint64_t last = offs.back();
  for (uint64_t at = last; at < pristine.size(); ++at) {
    write_file(seg, pristine);
    flip_byte(seg, at);
    auto r = Reader::open(dir.path(), /*repair_tail=*/false);
    ASSERT_TRUE(r) << "flip at " << at << ": " << r.error().message();
    expect_prefix(*r, 29);
    ASSERT_EQ(r->warnings().size(), 1u);
    EXPECT_EQ(r->warnings()[0].offset, last);
    EXPECT_EQ(fs::file_size(seg), pristine.size()) << "without repair_tail nothing is changed";
  }
}

TEST(JournalRecovery, CorruptMiddleOfTheLastSegmentIsAnErrorNamingFileAndOffset) {
  ScratchDir dir;
  make_journal(dir.path(), 30, 1 << 20);
  auto seg = segment_files(dir.path()).at(0);
  const auto offs = record_offsets(seg);
  for (size_t victim : {size_t{0}, size_t{10}, size_t{28}}) {
    const auto pristine = read_file(seg);
    for (uint64_t delta : {uint64_t{0}, uint64_t{9}, uint64_t{21}}) {  // length, LSN, payload
      write_file(seg, pristine);
      flip_byte(seg, offs[victim] + delta);
      auto r = Reader::open(dir.path(), true);
      ASSERT_FALSE(r) << "record " << victim << " byte +" << delta;
      EXPECT_EQ(r.error().path, seg);
      EXPECT_EQ(r.error().offset, offs[victim]);
      EXPECT_NE(r.error().message().find(seg.filename().string()), std::string::npos);
      EXPECT_NE(r.error().reason.find("middle"), std::string::npos) << r.error().reason;
      // A writer refuses it too, and neither touched the file.
      auto w = Writer::open(test_options(dir.path()));
      ASSERT_FALSE(w);
      EXPECT_EQ(w.error().offset, offs[victim]);
      EXPECT_EQ(read_file(seg).size(), pristine.size());
    }
    write_file(seg, pristine);
  }
}

// Power loss can write a commit's pages out of order: a hole inside the last, unsynced commit
// with intact records after it is still a torn tail — but not once a later commit end is intact.
TEST(JournalRecovery, DamageInsideAnUnfinishedCommitIsATailDamageBeforeACommitEndIsNot) {
  ScratchDir dir;
  {
    Options o = test_options(dir.path());
    o.segment_bytes = 1 << 20;  // one segment
    auto w = Writer::open(o);
    ASSERT_TRUE(w);
    append_records(**w, 50);
    ASSERT_EQ((*w)->flush(), JournalStatus::ok);  // commit 1: records 1..50, 50 ends it
    append_records(**w, 50);
    ASSERT_EQ((*w)->flush(), JournalStatus::ok);  // commit 2: records 51..100
  }
  auto seg = segment_files(dir.path()).at(0);
  auto offs = record_offsets(seg);
  ASSERT_EQ(offs.size(), 100u);
  // Commit 2 never finished: its end (records 91..100) is missing, record 60 is damaged.
  truncate_file(seg, offs[90]);
  const auto unfinished = read_file(seg);
  flip_byte(seg, offs[59] + 21);
  {
    auto r = Reader::open(dir.path(), false);
    ASSERT_TRUE(r) << r.error().message();
    expect_prefix(*r, 59);
    ASSERT_EQ(r->warnings().size(), 1u);
    EXPECT_EQ(r->warnings()[0].offset, offs[59]);
    EXPECT_NE(r->warnings()[0].what.find("30 intact records"), std::string::npos) << r->warnings()[0].what;
  }
  // Damage in commit 1, whose end (record 50) is intact after it: once durable, so an error.
  write_file(seg, unfinished);
  flip_byte(seg, offs[29] + 21);
  auto r = Reader::open(dir.path(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, offs[29]);
  EXPECT_NE(r.error().reason.find("byte " + std::to_string(offs[49])), std::string::npos) << r.error().reason;
}

TEST(JournalRecovery, CorruptRecordInAnEarlierSegmentIsAnError) {
  ScratchDir dir;
  make_journal(dir.path(), 500);
  auto segs = segment_files(dir.path());
  ASSERT_GE(segs.size(), 3u);
  // Even the LAST record of a segment that is not the last: later segments prove it was whole.
  auto offs = record_offsets(segs[1]);
  flip_byte(segs[1], offs.back() + 21);
  auto r = Reader::open(dir.path(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, segs[1]);
  EXPECT_EQ(r.error().offset, offs.back());
  EXPECT_NE(r.error().reason.find("not the last"), std::string::npos) << r.error().reason;
}

TEST(JournalRecovery, AMissingSegmentIsAnLsnGapError) {
  ScratchDir dir;
  make_journal(dir.path(), 500);
  auto segs = segment_files(dir.path());
  ASSERT_GE(segs.size(), 4u);
  fs::remove(segs[2]);
  auto r = Reader::open(dir.path(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, segs[3]) << "the segment after the hole names the gap";
  EXPECT_NE(r.error().reason.find("gap"), std::string::npos) << r.error().reason;
  fs::remove(segs[0]);
  auto r2 = Reader::open(dir.path(), true);
  ASSERT_FALSE(r2);
  EXPECT_EQ(r2.error().path, segs[1]) << "without a snapshot the log must start at LSN 1";
  EXPECT_NE(r2.error().reason.find("records 1.."), std::string::npos) << r2.error().reason;
}

TEST(JournalRecovery, ASegmentWhoseHeaderDisagreesWithItsNameIsAnError) {
  ScratchDir dir;
  make_journal(dir.path(), 500);
  auto segs = segment_files(dir.path());
  // Renamed as if it started one LSN later: its header (and first record) say otherwise.
  fs::path wrong = dir.path() / internal::segment_name(*internal::parse_segment_name(
                                    segs[1].filename().string()) + 1);
  fs::rename(segs[1], wrong);
  auto r = Reader::open(dir.path(), true);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().path, wrong);
}

TEST(JournalRecovery, ATornSegmentHeaderAtTheEndIsRemovedAndTheWriterContinues) {
  ScratchDir dir;
  make_journal(dir.path(), 500);
  auto segs = segment_files(dir.path());
  auto offs = record_offsets(segs.back());
  const Lsn before_last = *internal::parse_segment_name(segs.back().filename().string()) - 1;
  truncate_file(segs.back(), 10);  // its header never reached the disk whole
  {
    auto r = Reader::open(dir.path(), true);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_EQ(r->warnings().size(), 1u);
    EXPECT_EQ(r->warnings()[0].file, segs.back());
    expect_prefix(*r, before_last);
    EXPECT_FALSE(fs::exists(segs.back()));
  }
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w) << w.error().message();
    EXPECT_EQ((*w)->last_appended(), before_last);
    append_records(**w, 100);
  }
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->warnings().empty());
  expect_prefix(*r, before_last + 100);
}

TEST(JournalRecovery, AWriterCutsATornTailAndContinuesTheSequence) {
  ScratchDir dir;
  make_journal(dir.path(), 100);
  auto seg = segment_files(dir.path()).back();
  auto offs = record_offsets(seg);
  truncate_file(seg, offs.back() + 7);  // the last record is torn
  {
    auto w = Writer::open(test_options(dir.path()));
    ASSERT_TRUE(w) << w.error().message();
    ASSERT_EQ((*w)->warnings().size(), 1u);
    EXPECT_EQ((*w)->warnings()[0].offset, offs.back());
    EXPECT_EQ((*w)->last_appended(), 99u);
    EXPECT_EQ(append_records(**w, 50), 149u);
  }
  auto r = Reader::open(dir.path(), false);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_TRUE(r->warnings().empty());
  expect_prefix(*r, 149);
}

// Random damage anywhere — flipped bytes in any file, a segment cut short — never crashes the
// reader and never yields a silently partial state: either an error, or a dense prefix whose
// every record is intact, complete unless a Warning says where it was cut.
TEST(JournalRecovery, RandomDamageIsAnErrorOrAWarnedPrefixNeverASilentLoss) {
  ScratchDir pristine;
  make_journal(pristine.path(), 400);
  ScratchDir work;
  std::mt19937 rng(1128);
  int errors = 0, cut = 0, intact = 0;
  for (int round = 0; round < 200; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    fs::remove_all(work.path());
    fs::copy(pristine.path(), work.path());
    auto segs = segment_files(work.path());
    const auto& victim = segs[std::uniform_int_distribution<size_t>(0, segs.size() - 1)(rng)];
    const uint64_t size = fs::file_size(victim);
    if (round % 4 == 0) {
      truncate_file(victim, std::uniform_int_distribution<uint64_t>(0, size - 1)(rng));
    } else {
      for (int k = 0, n = 1 + round % 3; k < n; ++k) {
        flip_byte(victim, std::uniform_int_distribution<uint64_t>(0, size - 1)(rng));
      }
    }
    auto r = Reader::open(work.path(), false);
    if (!r) {
      ++errors;
      EXPECT_FALSE(r.error().reason.empty());
      continue;
    }
    const auto recs = r->records();
    for (size_t i = 0; i < recs.size(); ++i) {
      ASSERT_EQ(recs[i].lsn, i + 1);
      ASSERT_TRUE(record_matches(recs[i])) << "LSN " << recs[i].lsn;
    }
    if (r->warnings().empty()) {
      // Only a cut exactly on a record boundary of the last segment leaves a clean, shorter log:
      // indistinguishable from a log that ended there, and still a prefix.
      const bool clean_cut = round % 4 == 0 && victim == segs.back();
      ASSERT_TRUE(recs.size() == 400u || clean_cut) << "records lost without a warning";
      ++intact;
    } else {
      ++cut;
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_GT(cut, 0);
  RecordProperty("errors", errors);
  RecordProperty("cut", cut);
  RecordProperty("intact", intact);
}

TEST(JournalRecovery, AMissingDirectoryIsAnOpenErrorForTheReader) {
  ScratchDir dir;
  auto r = Reader::open(dir.path() / "nope", true);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("nope"), std::string::npos);
}

}  // namespace
}  // namespace omni::journal::test
