// DurableKernel (issue 10): a kernel journaled through its event stream comes back after a
// restart with every item in its state; the journal's configuration must match; start-up,
// disk-full and corruption failures are typed and leave the journal recoverable.
#include "omnikernel/durable/durable_kernel.h"

#include <fstream>

#include "audit.h"
#include "durable_fixture.h"
#include "journal_test_support.h"
#include "kernel_fixture.h"
#include "omnikernel/config/writer.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/durable/snapshot_codec.h"
#include "omnikernel/journal/writer.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;
using durable::DrainStatus;
using durable::DurableKernel;
using durable::DurableOptions;
using durable::OpenFailure;


class Durable : public ::testing::Test {
 protected:
  std::unique_ptr<DurableKernel> open(const Config& c, DurableOptions o = fast_durable_options()) {
    auto dk = DurableKernel::open(dir.path() / "journal", c, clock, {}, o);
    EXPECT_TRUE(dk.has_value()) << (dk ? "" : dk.error().message);
    return dk ? std::move(*dk) : nullptr;
  }
  // Drains everything; returns the last status.
  DrainStatus drain_all(DurableKernel& dk) {
    Event buf[256];
    for (;;) {
      const auto r = dk.drain(buf);
      if (r.status != DrainStatus::ok || r.events == 0) return r.status;
    }
  }
  ItemId submit(DurableKernel& dk, const char* q, uint64_t customer) {
    auto id = dk.kernel().submit({*dk.kernel().find_queue(q), CustomerId{customer}});
    EXPECT_TRUE(id.has_value());
    return id.value_or(ItemId{});
  }

  ScratchDir dir;
  ManualClock clock;
  Config config = contact_centre(3, 2.0);
};

TEST_F(Durable, ARestartBringsBackEveryItemInItsState) {
  std::vector<ItemId> ids;
  std::vector<ItemSnapshot> before;
  {
    auto dk = open(config);
    ASSERT_TRUE(dk);
    EXPECT_FALSE(dk->recovered());
    Kernel& k = dk->kernel();
    const PausedValueId paused = *k.find_paused_value(ChannelId{0}, "Paused");
    for (int i = 0; i < 9; ++i) ids.push_back(submit(*dk, "sales", 100 + i));
    EXPECT_FALSE(dk->is_durable(ids[0])) << "not drained yet";
    ASSERT_EQ(k.accept(ids[0], k.item(ids[0])->agent), Status::ok);
    ASSERT_EQ(k.accept(ids[1], k.item(ids[1])->agent), Status::ok);
    ASSERT_EQ(k.pause(ids[1], paused), Status::ok);
    ASSERT_EQ(k.accept(ids[2], k.item(ids[2])->agent), Status::ok);
    ASSERT_EQ(k.close(ids[2]), Status::ok);  // wrap-up 10 s
    ASSERT_EQ(k.abandon(ids[8]), Status::ok);
    clock.advance(2s);
    ASSERT_EQ(drain_all(*dk), DrainStatus::ok);
    for (ItemId id : ids) EXPECT_TRUE(dk->wait_durable(id, 5s)) << index(id);
    for (ItemId id : ids) before.push_back(k.item(id).value_or(ItemSnapshot{}));
    ASSERT_EQ(dk->close(), journal::JournalStatus::ok);
  }
  clock.advance(1h);  // down for an hour: timers keep their remaining time
  auto dk = open(config);
  ASSERT_TRUE(dk);
  EXPECT_TRUE(dk->recovered());
  EXPECT_TRUE(dk->warnings().empty());
  EXPECT_EQ(dk->recovered_items(), 8u);
  Kernel& k = dk->kernel();
  for (size_t i = 0; i < ids.size(); ++i) {
    auto s = k.item(ids[i]);
    if (before[i].state == ItemState::free) {
      EXPECT_FALSE(s.has_value() && s->state != ItemState::free) << "done stays done";
      continue;
    }
    ASSERT_TRUE(s.has_value()) << i;
    EXPECT_EQ(s->arrival, before[i].arrival + 1h + 2s) << "arrival shifted onto the new clock";
    EXPECT_EQ(s->customer, before[i].customer);
    if (before[i].state == ItemState::offered || before[i].state == ItemState::queued) {
      EXPECT_TRUE(s->state == ItemState::offered || s->state == ItemState::queued) << i;
    } else {
      EXPECT_EQ(s->state, before[i].state) << i;
      EXPECT_EQ(s->agent, before[i].agent) << i;
    }
    EXPECT_TRUE(dk->is_durable(ids[i])) << "recovered items were durable";
  }
  const auto report = internal::audit(k);
  EXPECT_TRUE(report.ok()) << report.text();
  // The journal's last event is the close: the 2 s after it left no trace, so the shift maps the
  // close onto (now − 10 s of wrap-up): the whole wrap-up is still ahead.
  clock.advance(9s);
  ASSERT_EQ(k.tick(clock.now()), Status::ok);
  EXPECT_EQ(k.item(ids[2])->state, ItemState::wrap_up);
  clock.advance(2s);
  ASSERT_EQ(k.tick(clock.now()), Status::ok);
  EXPECT_NE(k.item(ids[2]).value_or(ItemSnapshot{}).state, ItemState::wrap_up);
  // The restored kernel's own events journal on top of the restart snapshot, and a second
  // restart rebuilds the same again.
  ASSERT_EQ(k.resume(ids[1]), Status::ok);
  ASSERT_EQ(drain_all(*dk), DrainStatus::ok);
  ASSERT_EQ(dk->close(), journal::JournalStatus::ok);
  auto again = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(again.has_value()) << again.error().message();
  EXPECT_EQ(again->restarts, 0u) << "the restart's snapshot covers it";
  EXPECT_EQ(again->model.data().items.at(index(ids[1])).state, durable::ModelState::active);
}

TEST_F(Durable, PreparedRequirementsAreJournaled) {
  config.skills = {"english", "french"};
  config.agents[0].skills = {{"english", 5}};
  RequirementsId rid;
  ItemId id;
  {
    auto dk = open(config);
    ASSERT_TRUE(dk);
    const SkillRequirement english{SkillId{0}, 3, {}};
    auto r = dk->prepare_requirements(*dk->kernel().find_queue("sales"), std::span(&english, 1));
    ASSERT_TRUE(r.has_value());
    rid = *r;
    auto s = dk->kernel().submit({*dk->kernel().find_queue("sales"), CustomerId{5}, false, rid});
    ASSERT_TRUE(s.has_value());
    id = *s;
    ASSERT_EQ(drain_all(*dk), DrainStatus::ok);
  }
  auto dk = open(config);
  ASSERT_TRUE(dk);
  EXPECT_EQ(dk->kernel().item(id)->requirements, rid);
}

TEST_F(Durable, AnotherConfigurationIsRefusedNamingTheDifference) {
  { ASSERT_TRUE(open(config)); }
  Config other = config;
  other.presence_configs[0].capacity = 3.0;
  auto dk = DurableKernel::open(dir.path() / "journal", other, clock, {}, fast_durable_options());
  ASSERT_FALSE(dk.has_value());
  EXPECT_EQ(dk.error().kind, OpenFailure::Kind::config_mismatch);
  EXPECT_NE(dk.error().message.find("/presence_configs/0/capacity"), std::string::npos) << dk.error().message;
  DurableOptions wins = fast_durable_options();
  wins.journal_config_wins = true;
  auto dk2 = DurableKernel::open(dir.path() / "journal", other, clock, {}, wins);
  ASSERT_TRUE(dk2.has_value()) << dk2.error().message;
  EXPECT_EQ((*dk2)->kernel().config()->presence_configs[0].capacity, 2.0) << "the journal's";
}

TEST_F(Durable, AnUnusableDirectoryIsAClearStartUpError) {
  std::ofstream(dir.path() / "a-file") << "x";
  auto dk = DurableKernel::open(dir.path() / "a-file" / "journal", config, clock, {}, fast_durable_options());
  ASSERT_FALSE(dk.has_value());
  EXPECT_EQ(dk.error().kind, OpenFailure::Kind::storage);
  EXPECT_NE(dk.error().message.find("a-file"), std::string::npos) << dk.error().message;
  // A directory another DurableKernel holds (the journal's lock).
  auto first = open(config);
  ASSERT_TRUE(first);
  auto second = DurableKernel::open(dir.path() / "journal", config, clock, {}, fast_durable_options());
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error().kind, OpenFailure::Kind::storage) << second.error().message;
  EXPECT_NE(second.error().message.find("LOCK"), std::string::npos) << second.error().message;
}

TEST_F(Durable, DiskFullIsTypedHoldsTheBatchAndReopens) {
  config.limits.event_capacity = 512;
  DurableOptions o = fast_durable_options();
  o.journal.max_bytes = 48 << 10;
  o.snapshot_every_records = 0;
  o.snapshot_every_bytes = 0;
  o.max_batch = 64;
  DrainStatus last = DrainStatus::ok;
  {
    auto dk = open(config, o);
    ASSERT_TRUE(dk);
    Kernel& k = dk->kernel();
    Event buf[64];
    bool kernel_full = false;
    for (int i = 0; i < 5000 && !kernel_full; ++i) {
      auto id = k.submit({*k.find_queue("calls"), CustomerId{0}});
      if (!id) {
        ASSERT_EQ(id.error(), Status::events_full);
        kernel_full = true;
      } else {
        (void)k.close(*id);  // done at once: the queue never fills, only the journal does
      }
      const auto r = dk->drain(buf);
      last = r.status;
      if (r.status == DrainStatus::disk_full) continue;
      ASSERT_EQ(r.status, DrainStatus::ok);
    }
    EXPECT_EQ(last, DrainStatus::disk_full) << "the cap stops the drain with a typed status";
    EXPECT_TRUE(kernel_full) << "then the kernel's ring fills: its calls answer events_full, nothing is dropped";
  }
  auto rec = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(rec.has_value()) << "no corruption: " << rec.error().message();
  EXPECT_TRUE(rec->warnings.empty());
  o.journal.max_bytes = 0;
  auto dk = open(config, o);
  ASSERT_TRUE(dk) << "reopens with room";
  EXPECT_TRUE(internal::audit(dk->kernel()).ok());
}

TEST_F(Durable, ATornTailIsCutWithItsOffsetAndACorruptMiddleStops) {
  {
    auto dk = open(config);
    ASSERT_TRUE(dk);
    for (int i = 0; i < 4; ++i) {
      submit(*dk, "sales", 1 + i);
      ASSERT_EQ(drain_all(*dk), DrainStatus::ok);
      ASSERT_EQ(dk->journal().flush(), journal::JournalStatus::ok);  // one commit per record
    }
  }
  const auto segments = journal::test::segment_files(dir.path() / "journal");
  ASSERT_EQ(segments.size(), 1u);
  const auto offsets = journal::test::record_offsets(segments[0]);
  ASSERT_GE(offsets.size(), 5u);
  std::filesystem::copy(dir.path() / "journal", dir.path() / "middle", std::filesystem::copy_options::recursive);

  std::ofstream(segments[0], std::ios::app | std::ios::binary) << "torn half record";
  auto torn = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(torn.has_value()) << torn.error().message();
  ASSERT_EQ(torn->warnings.size(), 1u);
  EXPECT_EQ(torn->warnings[0].offset, std::filesystem::file_size(segments[0])) << "cut where the tail began";
  EXPECT_EQ(torn->image.items.size(), 4u);

  const auto middle = dir.path() / "middle" / segments[0].filename();
  journal::test::flip_byte(middle, offsets[2] + 20);
  auto bad = durable::recover(dir.path() / "middle");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().offset, offsets[2]) << bad.error().message();
  auto dk = DurableKernel::open(dir.path() / "middle", config, clock, {}, fast_durable_options());
  ASSERT_FALSE(dk.has_value());
  EXPECT_EQ(dk.error().kind, OpenFailure::Kind::recovery);
}

TEST_F(Durable, SnapshotsKeepTheReplayShort) {
  DurableOptions o = fast_durable_options();
  o.snapshot_every_records = 8;
  {
    auto dk = open(config, o);
    ASSERT_TRUE(dk);
    Event buf[16];
    for (int i = 0; i < 60; ++i) {
      auto id = submit(*dk, "sales", 0);
      (void)dk->kernel().close(id);
      ASSERT_EQ(dk->drain(buf).status, DrainStatus::ok);
      dk->wait_snapshots();  // the disk keeps up: every snapshot that falls due is written
    }
    EXPECT_EQ(dk->last_snapshot_status(), journal::JournalStatus::ok);
  }
  auto rec = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(rec.has_value()) << rec.error().message();
  ASSERT_TRUE(rec->snapshot_lsn.has_value());
  EXPECT_LE(rec->records_replayed, 8u);
  EXPECT_EQ(rec->image.items.size(), 0u);
}

// The process died after a restore's `restart` record and before its snapshot: recovery replays
// the record as the restore did (every item one version on, offered ones queued again).
TEST_F(Durable, ARestartRecordWithoutItsSnapshotIsReplayed) {
  auto k = Kernel::create(config, clock);
  ASSERT_TRUE(k.has_value());
  auto queued = (*k)->submit({*(*k)->find_queue("sales"), CustomerId{1}});
  ASSERT_TRUE(queued.has_value());
  ASSERT_EQ((*k)->accept(*queued, (*k)->item(*queued)->agent), Status::ok);
  Event buf[16];
  const size_t n = (*k)->poll_events(buf);
  {
    journal::Options o = fast_durable_options().journal;
    o.dir = dir.path() / "journal";
    auto w = journal::Writer::open(o);
    ASSERT_TRUE(w.has_value()) << w.error().message();
    std::vector<std::byte> events;
    durable::encode_events(std::span(buf, n), events);
    ASSERT_TRUE((*w)->append(1, durable::encode_config_text(config::write_config(config))).has_value());
    ASSERT_TRUE((*w)->append(3, events).has_value());
    ASSERT_TRUE((*w)->append(4, durable::encode_restart({std::chrono::seconds(5), {}})).has_value());
    ASSERT_EQ((*w)->close(), journal::JournalStatus::ok);
  }
  auto rec = durable::recover(dir.path() / "journal");
  ASSERT_TRUE(rec.has_value()) << rec.error().message();
  EXPECT_EQ(rec->restarts, 1u);
  ASSERT_EQ(rec->image.items.size(), 1u);
  EXPECT_EQ(rec->image.items[0].version, (*k)->item(*queued)->seq + 1) << "the restore's transition";
  EXPECT_EQ(rec->image.items[0].arrival, (*k)->item(*queued)->arrival + std::chrono::seconds(5));
  auto dk = open(config);
  ASSERT_TRUE(dk);
  EXPECT_EQ(dk->kernel().item(*queued)->state, ItemState::active);
  EXPECT_TRUE(internal::audit(dk->kernel()).ok());
}

TEST(SnapshotCodec, AnotherVersionOrAnotherFileIsRefused) {
  durable::ModelData data;
  auto blob = durable::encode_snapshot("{}", data);
  ASSERT_TRUE(durable::decode_snapshot(blob).has_value());
  blob[4] = std::byte{9};  // the version, after the 4-byte magic
  auto other = durable::decode_snapshot(blob);
  ASSERT_FALSE(other.has_value());
  EXPECT_NE(other.error().find("version 9"), std::string::npos) << other.error();
  blob[0] = std::byte{'X'};
  EXPECT_FALSE(durable::decode_snapshot(blob).has_value());
}

}  // namespace
}  // namespace omni::testing
