// The crash harness (issue 10, item 4): a child process routes a multi-threaded load through a
// DurableKernel with fsync on and reports, through a pipe, every submit it saw acknowledged
// durable; the parent SIGKILLs it at seeded random moments (some during its start-up: recovery,
// restore, the restart snapshot), recovers the directory and checks:
//   - recovery succeeds (a SIGKILL never leaves a corrupt middle) and Kernel::restore installs
//     the image; internal::audit() holds (capacity, queues, agents);
//   - every submit acknowledged durable is in the image in a legal state, or its done is in the
//     journal;
//   - the configuration recovered is one the child made live (it changes capacities all along);
//   - nothing is duplicated and no item is offered twice: across every run, each (item, version,
//     event type) appears in the journal once (one offer per queued version), each item is
//     submitted once.
// OMNI_CRASH_SEED replays a run; OMNI_CRASH_KILLS sets the number of kills (default 50).
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "audit.h"
#include "durable_test_support.h"
#include "kernel_fixture.h"
#include "omnikernel/durable/durable_kernel.h"
#include "omnikernel/durable/records.h"
#include "omnikernel/durable/recovery.h"
#include "omnikernel/journal/reader.h"

namespace omni::testing {
namespace {

using namespace std::chrono_literals;
using durable::DurableKernel;

Config crash_config() {
  Config c = contact_centre(6, 2.0);
  c.presence_configs[0].wrap_up = 20ms;
  c.routing_configs[0].push_timeout = 40ms;  // offers time out too, under load
  c.limits.max_items = 4096;
  c.limits.max_customers = 4096;
  c.limits.event_capacity = 8192;
  c.limits.timer_resolution = 5ms;
  for (auto& q : c.queues) q.max_waiting = 1024;
  return c;
}

durable::DurableOptions crash_options(bool periodic_snapshots) {
  durable::DurableOptions o;
  o.journal.fsync = true;
  o.journal.group_commit_window = std::chrono::microseconds(1000);
  o.journal.segment_bytes = 256 << 10;  // several segments per run: rolls are crash points too
  o.max_batch = 512;
  // The parent reads every record after each kill; a snapshot during a run deletes segments it
  // has not read yet, so only every third run snapshots on its own (a kill may land in the
  // background write). Each start-up writes its restart snapshot.
  o.snapshot_every_records = periodic_snapshots ? 40 : 0;
  o.snapshot_every_bytes = 0;
  // The child changes capacities live: after a restart the journal's configuration is in force.
  o.journal_config_wins = true;
  return o;
}

// ---- the child: load until killed ------------------------------------------------------------

[[noreturn]] void child_main(const std::filesystem::path& dir, int ack_fd, uint64_t seed,
                             std::vector<ItemId> recovered, bool periodic_snapshots) {
  SteadyClock clock;
  auto opened = DurableKernel::open(dir, crash_config(), clock, {}, crash_options(periodic_snapshots));
  if (!opened) {
    std::fprintf(stderr, "child: open: %s\n", opened.error().message.c_str());
    _exit(3);
  }
  DurableKernel& dk = **opened;
  Kernel& k = dk.kernel();
  std::mutex submitted_mu;
  std::deque<ItemId> submitted;
  std::atomic<bool> stop{false};

  auto load = [&](uint64_t thread_seed, std::vector<ItemId> mine) {
    std::mt19937_64 rng(thread_seed);
    const QueueId queues[] = {*k.find_queue("sales"), *k.find_queue("support")};
    const PausedValueId paused = *k.find_paused_value(ChannelId{0}, "Paused");
    while (!stop.load(std::memory_order_relaxed)) {
      if (mine.size() < 300 && rng() % 3 == 0) {
        auto id = k.submit({queues[rng() % 2], CustomerId{1 + rng() % 100000}});
        if (id) {
          mine.push_back(*id);
          std::lock_guard lock(submitted_mu);
          submitted.push_back(*id);
        }
        continue;
      }
      if (mine.empty()) continue;
      const size_t pick = rng() % mine.size();
      const ItemId id = mine[pick];
      const auto s = k.item(id);
      if (!s || s->state == ItemState::free) {
        mine[pick] = mine.back();
        mine.pop_back();
        continue;
      }
      const unsigned dice = rng() % 10;
      switch (s->state) {
        case ItemState::offered:
          if (dice < 6) (void)k.accept(id, s->agent);
          else if (dice < 8) (void)k.decline(id, s->agent);
          else (void)k.abandon(id);
          break;
        case ItemState::active:
          if (dice < 3) (void)k.pause(id, paused);
          else if (dice < 5) (void)k.transfer_to_queue(id, queues[rng() % 2]);
          else (void)k.close(id);
          break;
        case ItemState::paused:
          if (dice < 6) (void)k.resume(id);
          else (void)k.close(id);
          break;
        case ItemState::wrap_up:
          if (dice < 3) (void)k.end_wrap_up(id);
          break;
        case ItemState::queued:
          if (dice == 0) (void)k.abandon(id);
          break;
        default:
          break;
      }
    }
  };
  std::vector<ItemId> half[2];
  for (size_t i = 0; i < recovered.size(); ++i) half[i % 2].push_back(recovered[i]);
  std::jthread drainer([&] {
    Event buf[512];
    while (!stop.load(std::memory_order_relaxed)) {
      const auto r = dk.drain(buf);
      (void)k.tick(clock.now());
      if (r.events == 0) std::this_thread::sleep_for(100us);
    }
  });
  std::jthread acker([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      ItemId id{};
      {
        std::lock_guard lock(submitted_mu);
        if (!submitted.empty()) {
          id = submitted.front();
          submitted.pop_front();
        }
      }
      if (index(id) == 0) {
        std::this_thread::sleep_for(200us);
        continue;
      }
      if (dk.wait_durable(id, 5s)) {
        const uint64_t raw = index(id);
        if (write(ack_fd, &raw, sizeof raw) != sizeof raw) _exit(4);
      }
    }
  });
  std::jthread changer([&] {  // live changes: kills land before, inside and after their records
    const Config base = *k.config();
    for (uint32_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
      Config next = base;
      next.presence_configs[0].capacity = i % 2 ? 3.0 : 2.0;
      if (auto done = dk.reconfigure(next); !done) {
        std::fprintf(stderr, "child: reconfigure: %s\n", done.error().message().c_str());
        _exit(5);
      }
      std::this_thread::sleep_for(3ms);
    }
  });
  std::jthread a(load, seed * 2 + 1, half[0]);
  std::jthread b(load, seed * 2 + 2, half[1]);
  for (;;) pause();  // until SIGKILL
}

// ---- the parent: kill, recover, check --------------------------------------------------------

// Reads acknowledged ids until `most` were read, EOF, or none came for timeout_ms.
uint64_t read_ids(int fd, std::vector<uint64_t>& out, int timeout_ms, uint64_t most = UINT64_MAX) {
  uint64_t n = 0;
  while (n < most) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return n;
    uint64_t raw;
    const ssize_t got = read(fd, &raw, sizeof raw);
    if (got != sizeof raw) return n;  // EOF (a partial id cannot happen: pipe writes ≤ PIPE_BUF are atomic)
    out.push_back(raw);
    ++n;
  }
  return n;
}

struct History {
  std::set<uint64_t> submitted;
  std::set<uint64_t> done;
  std::set<std::tuple<uint64_t, uint64_t, uint8_t>> transitions;  // (item, seq, type)
  journal::Lsn scanned = 0;
};

// Reads the records no earlier scan saw; every event must be new.
void scan(const std::filesystem::path& dir, History& h) {
  auto reader = journal::Reader::open(dir, false);
  ASSERT_TRUE(reader.has_value()) << reader.error().message();
  for (const journal::Record& r : reader->records()) {
    if (r.lsn <= h.scanned) continue;
    h.scanned = r.lsn;
    if (r.type != static_cast<uint16_t>(durable::RecordType::events)) continue;
    auto events = durable::decode_events(r.payload);
    ASSERT_TRUE(events.has_value()) << events.error();
    for (const Event& e : *events) {
      if (index(e.item) == 0) continue;
      if (e.type == EventType::submitted) {
        EXPECT_TRUE(h.submitted.insert(index(e.item)).second) << "submitted twice: " << index(e.item);
      }
      if (e.type == EventType::done) h.done.insert(index(e.item));
      EXPECT_TRUE(h.transitions.insert({index(e.item), e.seq, static_cast<uint8_t>(e.type)}).second)
          << "duplicated " << to_string(e.type) << " of item " << index(e.item) << " at version " << e.seq
          << (e.type == EventType::offered ? " (offered twice)" : "");
    }
  }
}

uint64_t env_or(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(DurableCrash, SigkillAtRandomMomentsLosesNoAcknowledgedSubmit) {
  const uint64_t seed = env_or("OMNI_CRASH_SEED", std::random_device{}());
  const uint64_t kills = env_or("OMNI_CRASH_KILLS", 50);
  std::printf("OMNI_CRASH_SEED=%llu (set it to replay), %llu kills\n", static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(kills));
  SCOPED_TRACE("OMNI_CRASH_SEED=" + std::to_string(seed));
  std::mt19937_64 rng(seed);
  ScratchDir scratch;
  const auto dir = scratch.path() / "journal";
  History history;
  std::vector<uint64_t> acked;      // read from the pipe this run
  std::set<uint64_t> unsettled;     // acknowledged, not yet seen done
  size_t acked_total = 0;
  std::vector<ItemId> live;
  const auto started = std::chrono::steady_clock::now();
  uint64_t in_startup = 0;
  for (uint64_t round = 0; round < kills; ++round) {
    SCOPED_TRACE("kill " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const uint64_t child_seed = rng();
    const bool early = rng() % 5 == 0;  // during start-up: recovery, restore, restart snapshot
    const bool snapshots = round % 3 == 2;
    const auto delay = early ? std::chrono::microseconds(rng() % 4000) : std::chrono::microseconds(5000 + rng() % 60000);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
      close(fds[0]);
      child_main(dir, fds[1], child_seed, live, snapshots);
    }
    close(fds[1]);
    if (!early) {
      // Wait for the first acknowledgement, so that the kill lands in the load.
      read_ids(fds[0], acked, 10000, 1);
      ASSERT_FALSE(acked.empty()) << "the child acknowledged nothing within 10 s";
    } else {
      ++in_startup;
    }
    std::this_thread::sleep_for(delay);
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child failed before the kill: " << status;
    read_ids(fds[0], acked, 1000);  // to EOF: the dead child's writes are all in the pipe
    close(fds[0]);

    if (!std::filesystem::exists(dir)) {  // killed before it made its directory
      ASSERT_TRUE(acked.empty() && acked_total == 0);
      continue;
    }
    auto rec = durable::recover(dir);
    if (!rec && rec.error().empty) {  // killed before its configuration record was written
      ASSERT_TRUE(acked.empty() && acked_total == 0);
      continue;
    }
    ASSERT_TRUE(rec.has_value()) << "a SIGKILL must never corrupt the journal: " << rec.error().message();
    // A periodic snapshot deleted records no scan read: their dones are only in the snapshot's
    // (checked) model, so an acknowledged item missing from the image is then not provable lost.
    const bool compacted = rec->snapshot_lsn && *rec->snapshot_lsn > history.scanned;
    ASSERT_NO_FATAL_FAILURE(scan(dir, history));
    const double capacity = rec->config.presence_configs[0].capacity;
    EXPECT_TRUE(capacity == 2.0 || capacity == 3.0) << "a configuration the child never made: " << capacity;
    ManualClock clock;
    auto k = Kernel::restore(rec->config, clock, rec->image);
    ASSERT_TRUE(k.has_value()) << k.error().message();
    const auto report = internal::audit(**k);
    ASSERT_TRUE(report.ok()) << report.text();
    std::set<uint64_t> in_image;
    for (const RestoredItem& r : rec->image.items) {
      EXPECT_TRUE(in_image.insert(index(r.id)).second) << "an item twice in the image";
      EXPECT_TRUE(compacted || history.submitted.contains(index(r.id))) << "an item never submitted: " << index(r.id);
      history.submitted.insert(index(r.id));  // known from now on, even if its record was compacted
      EXPECT_NE((*k)->item(r.id).value_or(ItemSnapshot{}).state, ItemState::free) << "restored in a legal state";
    }
    // An item whose ending event (abandoned, expired, closed without wrap-up, wrap-up ended…) is
    // durable but whose `done` the kill cut off is finished: the model holds it as `ending`, and
    // the image rightly leaves it out.
    std::set<uint64_t> ended;
    for (const auto& [id, m] : rec->model.data().items)
      if (m.state == durable::ModelState::ending) ended.insert(id);
    // Every acknowledged submit: still live (checked again after the next kill), or done.
    for (uint64_t id : acked) unsettled.insert(id);
    acked_total += acked.size();
    acked.clear();
    for (auto it = unsettled.begin(); it != unsettled.end();) {
      if (in_image.contains(*it)) {
        ++it;
        continue;
      }
      ASSERT_TRUE(history.done.contains(*it) || ended.contains(*it) || compacted)
          << "item " << *it << " was acknowledged durable and is lost";
      it = unsettled.erase(it);
    }
    live.clear();
    for (const RestoredItem& r : rec->image.items) live.push_back(r.id);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%llu kills (%llu during start-up), %zu acknowledged submits, %zu submitted, %zu done, %.1f s\n",
              static_cast<unsigned long long>(kills), static_cast<unsigned long long>(in_startup), acked_total,
              history.submitted.size(), history.done.size(), seconds);
  EXPECT_GT(acked_total, kills * 10) << "the load was too light to mean anything";
}

}  // namespace
}  // namespace omni::testing
