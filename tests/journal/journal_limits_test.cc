// Limits and start-up errors: a size-capped directory gives disk_full and nothing corrupt (and a
// snapshot frees room); an unwritable or locked directory is a clear OpenError; a blocked writer
// makes append return busy, and everything accepted is there once it drains.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

namespace fs = std::filesystem;

uint64_t dir_bytes(const fs::path& dir) {
  uint64_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file() ? e.file_size() : 0;
  return n;
}

// Appends until disk_full (retrying busy); returns the last LSN accepted.
Lsn fill_until_full(Writer& w) {
  Lsn last = w.last_appended();
  for (int i = 0; i < 1'000'000; ++i) {
    Lsn next = last + 1;
    auto r = w.append(type_for(next), payload_for(next));
    if (r) {
      last = *r;
    } else if (r.error() == JournalStatus::disk_full) {
      return last;
    } else if (r.error() != JournalStatus::busy) {
      ADD_FAILURE() << to_string(r.error());
      return last;
    }
  }
  ADD_FAILURE() << "never reached the cap";
  return last;
}

TEST(JournalLimits, ASizeCapGivesDiskFullAndCorruptsNothing) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.max_bytes = 64 << 10;
  Lsn last = 0;
  {
    auto w = Writer::open(o);
    ASSERT_TRUE(w);
    last = fill_until_full(**w);
    ASSERT_GT(last, 100u);
    EXPECT_EQ((*w)->flush(), JournalStatus::ok);
    EXPECT_EQ((*w)->durable(), last);
    auto again = (*w)->append(type_for(last + 1), payload_for(last + 1));
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error(), JournalStatus::disk_full) << "still full: not sticky, not dropped";
    EXPECT_EQ((*w)->last_appended(), last) << "a refused append takes no LSN";
  }
  EXPECT_LE(dir_bytes(dir.path()), o.max_bytes);
  {
    auto r = Reader::open(dir.path(), false);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r->warnings().empty());
    ASSERT_EQ(r->records().size(), last);
    for (const auto& rec : r->records()) ASSERT_TRUE(record_matches(rec));
  }
  {
    auto w = Writer::open(o);  // reopening with the same cap: still full, still intact
    ASSERT_TRUE(w) << w.error().message();
    auto r = (*w)->append(type_for(last + 1), payload_for(last + 1));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), JournalStatus::disk_full);
  }
  o.max_bytes = 0;
  auto w = Writer::open(o);
  ASSERT_TRUE(w);
  EXPECT_EQ(append_records(**w, 10), last + 10);
}

TEST(JournalLimits, ASnapshotFreesRoomUnderTheCap) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.max_bytes = 96 << 10;
  auto w = Writer::open(o);
  ASSERT_TRUE(w);
  append_records(**w, 300);
  std::vector<std::byte> state(100);
  ASSERT_EQ((*w)->write_snapshot(300, state), JournalStatus::ok);
  const Lsn last = fill_until_full(**w);
  uint64_t record_bytes = 0;
  for (Lsn l = 1; l <= last; ++l) record_bytes += 20 + payload_for(l).size();
  EXPECT_GT(record_bytes, o.max_bytes) << "more was appended than the cap: the covered segments went";
  EXPECT_EQ((*w)->flush(), JournalStatus::ok);
  EXPECT_LE(dir_bytes(dir.path()), o.max_bytes);
  // Full, a snapshot may itself not fit: that is a typed status too, and nothing changes.
  auto segs = segment_files(dir.path());
  std::vector<std::byte> big(8 << 10);
  EXPECT_EQ((*w)->write_snapshot(last, big), JournalStatus::disk_full);
  EXPECT_EQ(segment_files(dir.path()), segs);
}

TEST(JournalLimits, ADirectoryUnderARegularFileIsAClearOpenError) {
  ScratchDir dir;
  fs::path file = dir.path() / "not-a-directory";
  std::ofstream(file) << "x";
  Options o = test_options(file / "journal");
  auto w = Writer::open(o);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().path, o.dir);
  EXPECT_NE(w.error().message().find("cannot create the journal directory"), std::string::npos)
      << w.error().message();
}

TEST(JournalLimits, AReadOnlyDirectoryIsAClearOpenError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root writes through chmod 0500; the path-under-a-file test covers this";
  ScratchDir dir;
  fs::path ro = dir.path() / "ro";
  fs::create_directories(ro);
  ::chmod(ro.c_str(), 0500);
  auto w = Writer::open(test_options(ro));
  ::chmod(ro.c_str(), 0700);
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().message().find("not writable"), std::string::npos) << w.error().message();
}

TEST(JournalLimits, ASecondWriterOnTheSameDirectoryIsRefused) {
  ScratchDir dir;
  auto a = Writer::open(test_options(dir.path()));
  ASSERT_TRUE(a);
  auto b = Writer::open(test_options(dir.path()));
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().reason.find("another Writer"), std::string::npos) << b.error().reason;
  a->reset();
  EXPECT_TRUE(Writer::open(test_options(dir.path())));
}

TEST(JournalLimits, RepairingUnderALiveWriterIsRefusedInspectingIsNot) {
  ScratchDir dir;
  auto w = Writer::open(test_options(dir.path()));
  ASSERT_TRUE(w);
  append_records(**w, 20);
  ASSERT_EQ((*w)->flush(), JournalStatus::ok);
  auto repair = Reader::open(dir.path(), true);
  ASSERT_FALSE(repair);
  EXPECT_NE(repair.error().reason.find("a Writer has this directory open"), std::string::npos);
  auto inspect = Reader::open(dir.path(), false);
  ASSERT_TRUE(inspect) << inspect.error().message();
  EXPECT_EQ(inspect->records().size(), 20u);
  w->reset();
  EXPECT_TRUE(Reader::open(dir.path(), true));
}

TEST(JournalLimits, InvalidOptionsAreOpenErrors) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.max_pending_bytes = 100;
  EXPECT_FALSE(Writer::open(o));
  o = test_options(dir.path());
  o.segment_bytes = 0;
  EXPECT_FALSE(Writer::open(o));
  o = test_options("");
  EXPECT_FALSE(Writer::open(o));
}

TEST(JournalLimits, ABlockedWriterMakesAppendBusyAndEverythingAcceptedSurvivesTheDrain) {
  ScratchDir dir;
  Options o = test_options(dir.path());
  o.max_pending_bytes = 16 << 10;
  auto w = Writer::open(o);
  ASSERT_TRUE(w);
  // The writer thread runs on_durable after each commit: holding it there stalls the disk side.
  std::mutex m;
  std::condition_variable cv;
  bool entered = false, release = false;
  (*w)->on_durable([&](Lsn) {
    std::unique_lock lock(m);
    entered = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
  });
  ASSERT_TRUE((*w)->append(type_for(1), payload_for(1)));
  {
    std::unique_lock lock(m);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return entered; }));
  }
  Lsn accepted = 1;
  int busy = 0;
  for (int i = 0; i < 100'000 && busy < 100; ++i) {
    Lsn next = accepted + 1;
    auto r = (*w)->append(type_for(next), payload_for(next));
    if (r) {
      ASSERT_EQ(*r, next);
      accepted = next;
    } else {
      ASSERT_EQ(r.error(), JournalStatus::busy);
      ++busy;
    }
  }
  EXPECT_EQ(busy, 100) << "the pending buffer filled: append said busy, it did not block";
  EXPECT_GT(accepted, 10u);
  EXPECT_LT(accepted, 16u << 10) << "bounded by max_pending_bytes";
  EXPECT_EQ((*w)->last_appended(), accepted) << "a busy append takes no LSN";
  EXPECT_EQ((*w)->durable(), 1u) << "nothing past the stalled commit is reported durable";
  {
    std::lock_guard lock(m);
    release = true;
  }
  cv.notify_all();
  ASSERT_EQ((*w)->flush(), JournalStatus::ok);
  EXPECT_EQ((*w)->durable(), accepted);
  EXPECT_EQ(append_records(**w, 10), accepted + 10) << "appends are accepted again";
  ASSERT_EQ((*w)->close(), JournalStatus::ok);
  auto r = Reader::open(dir.path(), true);
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->records().size(), accepted + 10);
  for (const auto& rec : r->records()) ASSERT_TRUE(record_matches(rec));
}

}  // namespace
}  // namespace omni::journal::test
