// SqlRouter — routing as SQL on SQLite :memory:, in the style of FreeSWITCH mod_callcenter.
//
// Its tables (members, agents, tiers) keyed by text (member uuid, agent name, queue name), with
// the capacity columns our semantics need (agents.used_milli/capacity_milli/open_items,
// members.size_milli/priority). One global lock around every call, and mod_callcenter's
// statement sequence per assignment:
//   1. select the best waiting member (by priority, then joined time — its "score");
//   2. select an agent by strategy: agents joined with tiers for the member's queue, status
//      Available, tier Ready, enough free capacity, ordered per the queue's routing model;
//   3. mark the member Trying with its serving agent;
//   4. check the claim: count members with that uuid served by that agent;
//   5. update the agent (capacity taken, open items, last offered time).
// Dispatch is event-driven here (after each submit and each close) rather than by mod_callcenter's
// polling thread (every 100 ms – 5 s in the peers), so the decision cost is measured alone; the
// polling delay is a structural latency reported apart in RESULTS.md.
//
// Two flavours: `freeswitch` — no index, the SQL text built with the values inlined and compiled
// for every statement (what sqlite3_exec on a formatted string does); `indexed` — the same
// statements prepared once with bound parameters, and indexes on every lookup column.
#pragma once
#include <array>
#include <mutex>
#include <string>
#include <vector>

#include "routers/router.h"
#include "routers/slot_ids.h"
#include "workload/scenario.h"

struct sqlite3;
struct sqlite3_stmt;

namespace omni::bench {

// Routes SQLite's own allocations through the bench allocation counter. Call once, before any
// SQLite use (SQLite reads its allocator configuration only at initialisation).
void count_sqlite_allocations();

class SqlRouter final : public Router {
 public:
  enum class Flavor : uint8_t { freeswitch, indexed };
  SqlRouter(const Scenario& scenario, Flavor flavor);
  ~SqlRouter() override;
  SqlRouter(const SqlRouter&) = delete;
  SqlRouter& operator=(const SqlRouter&) = delete;

  [[nodiscard]] std::string_view name() const noexcept override {
    return flavor_ == Flavor::freeswitch ? "sqlite-fs" : "sqlite-indexed";
  }
  [[nodiscard]] Result<ItemId> submit(QueueId queue, CustomerId customer) noexcept override;
  [[nodiscard]] Status accept(ItemId item, AgentId agent) noexcept override;
  [[nodiscard]] Status close(ItemId item) noexcept override;
  [[nodiscard]] size_t drain_offers(std::span<Offer> out) noexcept override;
  [[nodiscard]] int64_t used_milli(AgentId agent) const noexcept override;
  [[nodiscard]] uint64_t waiting() const noexcept override;

  // SQL statements run so far (for statements per assignment).
  [[nodiscard]] uint64_t statements() const noexcept { return statements_; }

  enum Sql : uint8_t {
    insert_member,
    best_member_of_queue,
    best_member_for_agent,
    agent_most_available,
    agent_least_active,
    mark_member,
    check_claim,
    take_capacity,
    answer_member,
    member_of,
    delete_member,
    release_capacity,
    agent_used,
    all_waiting,
    kSqlCount
  };
  struct Arg {
    int64_t number = 0;
    const char* text = nullptr;  // when set, a text value
  };

 private:
  // Runs one statement; `row` sees each result row. Returns false on an SQLite error.
  template <class OnRow>
  bool run(Sql sql, std::initializer_list<Arg> args, OnRow&& row) const;
  bool run(Sql sql, std::initializer_list<Arg> args) const;
  void exec_script(const char* script);
  // Offers the best waiting members while agents fit them; for a queue, or for an agent's queues.
  void dispatch_queue(uint32_t queue);
  void dispatch_agent(const char* agent_name);
  bool assign(const char* uuid, uint32_t queue, int64_t size);

  const Scenario& scenario_;
  const Flavor flavor_;
  sqlite3* db_ = nullptr;
  std::array<sqlite3_stmt*, kSqlCount> prepared_{};
  mutable std::mutex mutex_;
  mutable uint64_t statements_ = 0;
  SlotIds ids_;
  int64_t clock_ = 0;  // joined / offered "epochs": a counter, so runs are deterministic
  // Per queue: members Waiting or Trying (queued or offered), bounded by max_waiting like the
  // kernel's queues; kept in C++, so the bound costs the SQL routers no statement.
  std::vector<uint32_t> pending_;
  const uint32_t max_pending_;
  std::vector<Offer> offers_;
};

}  // namespace omni::bench
