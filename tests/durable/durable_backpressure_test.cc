// The journal's `busy` seen from a DurableKernel (issue 10, item 2; docs/OPERATIONS.md "What is
// durable when", Back-pressure). The kernel changes first and the drainer journals its events
// after, so the contract is not "busy changed nothing" but: the polled batch is held (nothing
// appended, nothing reported durable, no LSN taken), it is appended first once the disk catches
// up, the kernel's ring fills behind it and the kernel's calls then answer events_full before
// changing anything. Nothing is dropped, nothing is journaled twice.
#include <gtest/gtest.h>
#include <time.h>

#include <condition_variable>
#include <future>
#include <map>
#include <mutex>

#include "durable_fixture.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/journal/reader.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;
using durable::DrainStatus;
using durable::DurableKernel;
using journal::JournalStatus;

// Holds the journal's writer thread inside its post-commit callback: the disk "falls behind"
// exactly when the test says so, with no sleep. The writer takes no batch while it is held, so
// appends fill max_pending_bytes and then answer busy.
class WriterStall {
 public:
  // Registered after open(), whose flush may return before the writer thread runs the callbacks
  // of that commit: only a commit reaching `from` may hold, never one of open's.
  void attach(journal::Writer& w) {
    w.on_durable([this](journal::Lsn durable) {
      std::unique_lock lock(m_);
      if (!armed_ || durable < from_) return;
      held_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return !armed_; });
      held_ = false;
    });
  }
  // Holds the writer after the first commit that makes `from` durable.
  void arm(journal::Lsn from) {
    std::lock_guard lock(m_);
    armed_ = true;
    from_ = from;
  }
  [[nodiscard]] bool wait_held() {
    std::unique_lock lock(m_);
    return cv_.wait_for(lock, 10s, [&] { return held_; });
  }
  void release() {
    {
      std::lock_guard lock(m_);
      armed_ = false;
    }
    cv_.notify_all();
  }
  ~WriterStall() { release(); }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool armed_ = false;
  bool held_ = false;
  journal::Lsn from_ = 0;
};

Config roomy_queues() {
  Config c = contact_centre(1, 2.0);
  c.limits.event_capacity = 64;  // small, so that the ring fills soon after the journal does
  for (auto& q : c.queues) q.max_waiting = 1024;  // the journal must push back, not a queue
  return c;
}

durable::DurableOptions tight_options() {
  auto o = fast_durable_options();
  o.journal.max_pending_bytes = 4096;  // the smallest the journal takes: a few dozen records
  o.max_batch = 4;
  o.snapshot_every_records = 0;  // every record stays in the segments for the count below
  o.snapshot_every_bytes = 0;
  return o;
}

class DurableBackpressure : public DurableTest {
 protected:
  DurableBackpressure() : DurableTest(roomy_queues()) {}
  // Round-robin over the queues so that no queue's limit is what stops a submit.
  Result<ItemId> submit_next(Kernel& k) {
    const QueueId q{static_cast<uint32_t>(submits_++ % k.queue_count())};
    return k.submit({q, CustomerId{submits_}});
  }
  uint32_t waiting(Kernel& k) {
    uint32_t n = 0;
    for (uint32_t q = 0; q < k.queue_count(); ++q) n += k.queue(QueueId{q})->waiting;
    return n;
  }
  uint64_t submits_ = 0;
};

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// Counts `submitted` events per item id in every events record of the journal.
std::map<uint64_t, int> submitted_per_item(const std::filesystem::path& dir) {
  std::map<uint64_t, int> seen;
  auto r = journal::Reader::open(dir, /*repair_tail=*/false);
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message());
  if (!r) return seen;
  EXPECT_FALSE(r->snapshot_lsn().has_value()) << "snapshots are off: every record is here";
  for (const journal::Record& rec : r->records()) {
    if (rec.type != static_cast<uint16_t>(durable::RecordType::events)) continue;
    auto events = durable::decode_events(rec.payload);
    EXPECT_TRUE(events.has_value()) << rec.lsn;
    if (!events) continue;
    for (const Event& e : *events)
      if (e.type == EventType::submitted) ++seen[index(e.item)];
  }
  return seen;
}

TEST_F(DurableBackpressure, BusyHoldsTheBatchTheKernelPushesBackAndNothingIsLostOrDuplicated) {
  std::vector<ItemId> acked;  // ids submit returned: each must be journaled exactly once
  {
    auto dk = open(tight_options());
    ASSERT_TRUE(dk);
    Kernel& k = dk->kernel();
    WriterStall stall;
    stall.attach(dk->journal());
    stall.arm(dk->journal().last_appended() + 1);
    Event buf[4];

    // One commit goes through and parks the writer thread in its callback: the disk stops here.
    auto first = submit_next(k);
    ASSERT_TRUE(first);
    acked.push_back(*first);
    ASSERT_EQ(dk->drain(buf).status, DrainStatus::ok);
    ASSERT_TRUE(stall.wait_held());
    EXPECT_TRUE(dk->wait_durable(*first, 1s)) << "committed before the stall";
    const journal::Lsn durable_at_stall = dk->durable_lsn();

    // Submit and drain until the journal's pending buffer is full.
    DrainStatus status = DrainStatus::ok;
    for (int i = 0; i < 10'000 && status == DrainStatus::ok; ++i) {
      auto id = submit_next(k);
      ASSERT_TRUE(id) << "the ring drains while the journal accepts";
      acked.push_back(*id);
      const auto r = dk->drain(buf);
      status = r.status;
      if (status == DrainStatus::busy) {
        EXPECT_EQ(r.events, 0u) << "a held batch is not handed out";
      }
    }
    ASSERT_EQ(status, DrainStatus::busy) << "a stalled disk must surface as busy";
    const ItemId held = acked.back();  // its `submitted` is in the held batch
    const journal::Lsn appended = dk->journal().last_appended();

    // Busy is back-pressure: retrying while the disk is stalled appends nothing, takes no LSN,
    // makes nothing durable, and hands out no event.
    for (int i = 0; i < 50; ++i) {
      const auto r = dk->drain(buf);
      ASSERT_EQ(r.status, DrainStatus::busy);
      ASSERT_EQ(r.events, 0u);
    }
    EXPECT_EQ(dk->journal().last_appended(), appended);
    EXPECT_EQ(dk->durable_lsn(), durable_at_stall);
    EXPECT_FALSE(dk->is_durable(held));
    EXPECT_FALSE(dk->wait_durable(held, 20ms)) << "a held item must not be acknowledged";
    EXPECT_EQ(dk->snapshot(), JournalStatus::busy) << "a snapshot cannot cover a batch the journal lacks";

    // The kernel keeps going until its ring is full, then refuses before changing anything.
    Status refused = Status::ok;
    for (int i = 0; i < 10'000; ++i) {
      const uint32_t before = waiting(k);
      const uint64_t submits_before = submits_;
      auto id = submit_next(k);
      if (!id) {
        refused = id.error();
        EXPECT_EQ(waiting(k), before) << "a refused submit queued nothing";
        submits_ = submits_before;  // retry the very same request below
        break;
      }
      acked.push_back(*id);
      ASSERT_EQ(dk->drain(buf).status, DrainStatus::busy);
    }
    ASSERT_EQ(refused, Status::events_full) << "the journal's busy reaches the host as the kernel's back-pressure";
    EXPECT_EQ(dk->journal().last_appended(), appended) << "nothing appended while stalled";

    // The disk catches up: the held batch comes out first, then the ring, then the retry works.
    stall.release();
    ASSERT_TRUE(dk->journal().wait_durable(appended, 10s)) << "the disk catches up by itself";
    const auto r = dk->drain(buf);
    ASSERT_EQ(r.status, DrainStatus::ok);
    ASSERT_GT(r.events, 0u);
    bool held_first = false;
    for (size_t i = 0; i < r.events; ++i)
      held_first = held_first || (buf[i].type == EventType::submitted && buf[i].item == held);
    EXPECT_TRUE(held_first) << "the held batch is appended before anything polled after it";
    EXPECT_EQ(dk->journal().last_appended(), appended + 1) << "appended once";
    drain_all(*dk);
    auto retried = submit_next(k);
    ASSERT_TRUE(retried) << "retrying after the disk caught up succeeds";
    acked.push_back(*retried);
    drain_all(*dk);
    for (ItemId id : acked) EXPECT_TRUE(dk->wait_durable(id, 5s)) << index(id);
    ASSERT_EQ(dk->close(), JournalStatus::ok);
  }

  // Every acknowledged item is journaled exactly once and comes back after a reopen.
  const auto journal_dir = dir.path() / "journal";
  const auto seen = submitted_per_item(journal_dir);
  EXPECT_EQ(seen.size(), acked.size());
  for (ItemId id : acked) {
    const auto it = seen.find(index(id));
    EXPECT_EQ(it == seen.end() ? 0 : it->second, 1) << index(id);
  }
  auto dk = open(tight_options());
  ASSERT_TRUE(dk);
  EXPECT_EQ(dk->recovered_items(), acked.size());
  for (ItemId id : acked) {
    auto s = dk->kernel().item(id);
    ASSERT_TRUE(s.has_value()) << index(id);
    EXPECT_NE(s->state, ItemState::free) << index(id);
  }
}

// write_host cannot hand back a typed busy: its act already changed the kernel, so its record
// must follow (OPERATIONS.md "Host records"). It waits the stall out and lands exactly once.
TEST_F(DurableBackpressure, WriteHostWaitsOutBusyAndItsRecordLandsOnce) {
  {
    auto dk = open(tight_options());
    ASSERT_TRUE(dk);
    Kernel& k = dk->kernel();
    WriterStall stall;
    stall.attach(dk->journal());
    stall.arm(dk->journal().last_appended() + 1);
    Event buf[4];
    ASSERT_TRUE(submit_next(k));
    ASSERT_EQ(dk->drain(buf).status, DrainStatus::ok);
    ASSERT_TRUE(stall.wait_held());
    DrainStatus status = DrainStatus::ok;
    for (int i = 0; i < 10'000 && status == DrainStatus::ok; ++i) {
      ASSERT_TRUE(submit_next(k));
      status = dk->drain(buf).status;
    }
    ASSERT_EQ(status, DrainStatus::busy);
    const journal::Lsn appended = dk->journal().last_appended();

    double waiting_cpu_ms = 0;
    auto host = std::async(std::launch::async, [&] {
      const double cpu0 = thread_cpu_ms();
      auto written = dk->write_host({durable::HostOp::put("session/1", "agent a0")});
      waiting_cpu_ms = thread_cpu_ms() - cpu0;
      return written;
    });
    // Not a synchronisation: a bounded look that it is still waiting, not failed or dropped.
    EXPECT_EQ(host.wait_for(300ms), std::future_status::timeout) << "busy is waited out, not returned";
    EXPECT_EQ(dk->journal().last_appended(), appended);
    stall.release();
    const auto lsn = host.get();
    // It waited on the disk's progress, not in a loop: a spinning retry burns most of the 300 ms
    // stall even on a shared machine; a wait costs a few wake-ups.
    EXPECT_LT(waiting_cpu_ms, 60.0) << "write_host spun while the journal was busy";
    ASSERT_TRUE(lsn.has_value()) << journal::to_string(lsn.error());
    EXPECT_GT(*lsn, appended);
    drain_all(*dk);
    ASSERT_EQ(dk->close(), JournalStatus::ok);
  }
  int host_records = 0;
  auto r = journal::Reader::open(dir.path() / "journal", false);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  for (const journal::Record& rec : r->records())
    host_records += rec.type == static_cast<uint16_t>(durable::RecordType::host);
  EXPECT_EQ(host_records, 1);
  auto dk = open(tight_options());
  ASSERT_TRUE(dk);
  const auto table = dk->host_table();
  ASSERT_EQ(table.size(), 1u);
  EXPECT_EQ(table.at("session/1"), "agent a0");
}

}  // namespace
}  // namespace omni::testing
