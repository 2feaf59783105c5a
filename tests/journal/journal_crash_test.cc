// The storage alone under SIGKILL: a child appends in a loop (snapshots now and then), reporting
// each durable LSN through a pipe; the parent kills it at a seeded random moment, ≥ 20 times on
// the same directory, and after each kill recovers: every LSN reported durable is present, what is
// there is a dense prefix with the right contents, and a snapshot's state matches its LSN.
// Seed: OMNI_JOURNAL_CRASH_SEED (default 20261128); a failure prints the seed and the kill number.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <random>
#include <thread>

#include "journal_test_support.h"

namespace omni::journal::test {
namespace {

std::vector<std::byte> state_for(Lsn covers) {
  std::vector<std::byte> s(sizeof covers * 4);
  for (size_t i = 0; i < 4; ++i) std::memcpy(s.data() + i * sizeof covers, &covers, sizeof covers);
  return s;
}

// The child: never returns into the test framework.
[[noreturn]] void child(const std::filesystem::path& dir, int report_fd, bool fsync) {
  Options o = test_options(dir);
  o.fsync = fsync;
  o.segment_bytes = 32 << 10;
  auto w = Writer::open(o);
  if (!w) _exit(3);
  (*w)->on_durable([report_fd](Lsn l) {
    // 8-byte writes to a pipe are atomic; a full pipe only slows the writer thread.
    if (::write(report_fd, &l, sizeof l) != sizeof l) _exit(4);
  });
  for (uint64_t i = 1;; ++i) {
    Lsn next = (*w)->last_appended() + 1;
    auto r = (*w)->append(type_for(next), payload_for(next));
    if (!r) {
      if (r.error() != JournalStatus::busy) _exit(5);
      std::this_thread::yield();
      continue;
    }
    if (i % 3000 == 0) {
      Lsn covers = (*w)->durable();
      if (covers > 0 && (*w)->write_snapshot(covers, state_for(covers)) != JournalStatus::ok) _exit(6);
    }
  }
}

TEST(JournalCrash, SigkillAtRandomMomentsKeepsEveryDurableLsnAndAPrefix) {
  ScratchDir dir;
  const char* env = std::getenv("OMNI_JOURNAL_CRASH_SEED");
  const uint32_t seed = env != nullptr ? static_cast<uint32_t>(std::strtoul(env, nullptr, 10)) : 20261128u;
  std::mt19937 rng(seed);
  constexpr int kKills = 24;
  Lsn reported = 0;  // the highest LSN any child reported durable
  const auto started = std::chrono::steady_clock::now();
  for (int kill_no = 0; kill_no < kKills; ++kill_no) {
    SCOPED_TRACE("seed " + std::to_string(seed) + ", kill " + std::to_string(kill_no));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const bool fsync = kill_no % 3 == 0;
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      child(dir.path(), fds[1], fsync);
    }
    ::close(fds[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(5, 250)(rng)));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the child stopped by itself, exit code " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    Lsn l = 0;
    while (::read(fds[0], &l, sizeof l) == static_cast<ssize_t>(sizeof l)) reported = std::max(reported, l);
    ::close(fds[0]);

    auto r = Reader::open(dir.path(), true);
    ASSERT_TRUE(r) << r.error().message();
    ASSERT_GE(r->last_lsn(), reported) << "an LSN reported durable is missing";
    Lsn first = 1;
    if (auto snap = r->snapshot_lsn()) {
      auto want = state_for(*snap);
      ASSERT_TRUE(std::ranges::equal(r->snapshot_state(), want)) << "snapshot " << *snap;
      first = *snap + 1;
    }
    for (size_t i = 0; i < r->records().size(); ++i) {
      ASSERT_EQ(r->records()[i].lsn, first + i);
      ASSERT_TRUE(record_matches(r->records()[i])) << "LSN " << r->records()[i].lsn;
    }
  }
  EXPECT_GT(reported, 1000u) << "the children did append";
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
}

}  // namespace
}  // namespace omni::journal::test
