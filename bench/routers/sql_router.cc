#include "routers/sql_router.h"

#include <sqlite3.h>

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/alloc_counter.h"

namespace omni::bench {

namespace {

sqlite3_mem_methods g_sqlite_default{};

void* counted_malloc(int n) {
  count_raw_allocation();
  return g_sqlite_default.xMalloc(n);
}
void* counted_realloc(void* p, int n) {
  count_raw_allocation();
  return g_sqlite_default.xRealloc(p, n);
}

// Schema after mod_callcenter's (members, agents, tiers), trimmed to the columns it routes by,
// plus capacity and the integer ids our Offer reports.
constexpr const char* kSchema = R"sql(
CREATE TABLE members (
  queue TEXT, queue_id INTEGER, instance_id TEXT DEFAULT 'single_box', uuid TEXT NOT NULL,
  session_uuid TEXT, cid_number TEXT, cid_name TEXT, system_epoch INTEGER, joined_epoch INTEGER,
  rejoined_epoch INTEGER DEFAULT 0, bridge_epoch INTEGER DEFAULT 0, abandoned_epoch INTEGER DEFAULT 0,
  base_score INTEGER, skill_score INTEGER, serving_agent TEXT, serving_system TEXT, state TEXT,
  size_milli INTEGER, priority INTEGER);
CREATE TABLE agents (
  name TEXT, agent_id INTEGER, instance_id TEXT DEFAULT 'single_box', type TEXT DEFAULT 'callback',
  contact TEXT, status TEXT, state TEXT, max_no_answer INTEGER DEFAULT 0,
  wrap_up_time INTEGER DEFAULT 0, last_bridge_start INTEGER DEFAULT 0,
  last_bridge_end INTEGER DEFAULT 0, last_offered_call INTEGER DEFAULT 0,
  used_milli INTEGER DEFAULT 0, capacity_milli INTEGER, open_items INTEGER DEFAULT 0);
CREATE TABLE tiers (queue TEXT, agent TEXT, state TEXT, level INTEGER DEFAULT 1,
  position INTEGER DEFAULT 1);
)sql";

constexpr const char* kIndexes = R"sql(
CREATE INDEX members_uuid ON members(uuid);
CREATE INDEX members_waiting ON members(queue, state, priority, joined_epoch);
CREATE INDEX members_serving ON members(serving_agent, uuid);
CREATE INDEX agents_name ON agents(name);
CREATE INDEX agents_id ON agents(agent_id);
CREATE INDEX tiers_queue ON tiers(queue, agent);
CREATE INDEX tiers_agent ON tiers(agent, queue);
)sql";

constexpr const char* kSqlText[SqlRouter::kSqlCount] = {
    // insert_member
    "INSERT INTO members (queue, queue_id, uuid, session_uuid, cid_number, cid_name, system_epoch,"
    " joined_epoch, base_score, skill_score, serving_agent, serving_system, state, size_milli,"
    " priority) VALUES (?, ?, ?, ?, ?, '', ?, ?, 0, 0, '', '', 'Waiting', ?, ?)",
    // best_member_of_queue
    "SELECT uuid, queue_id, size_milli FROM members WHERE queue = ? AND state = 'Waiting'"
    " ORDER BY priority, joined_epoch LIMIT 1",
    // best_member_for_agent
    "SELECT m.uuid, m.queue_id, m.size_milli FROM members m JOIN tiers t ON t.queue = m.queue"
    " WHERE t.agent = ? AND m.state = 'Waiting' AND m.size_milli <="
    " (SELECT capacity_milli - used_milli FROM agents WHERE name = ?)"
    " ORDER BY m.priority, m.joined_epoch LIMIT 1",
    // agent_most_available
    "SELECT a.name, a.agent_id FROM agents a JOIN tiers t ON t.agent = a.name"
    " WHERE t.queue = ? AND t.state = 'Ready' AND a.status = 'Available'"
    " AND a.capacity_milli - a.used_milli >= ?"
    " ORDER BY a.capacity_milli - a.used_milli DESC, a.open_items, a.agent_id LIMIT 1",
    // agent_least_active
    "SELECT a.name, a.agent_id FROM agents a JOIN tiers t ON t.agent = a.name"
    " WHERE t.queue = ? AND t.state = 'Ready' AND a.status = 'Available'"
    " AND a.capacity_milli - a.used_milli >= ?"
    " ORDER BY a.open_items, a.capacity_milli - a.used_milli DESC, a.agent_id LIMIT 1",
    // mark_member
    "UPDATE members SET state = 'Trying', serving_agent = ?, serving_system = 'single_box'"
    " WHERE uuid = ? AND state = 'Waiting'",
    // check_claim
    "SELECT count(*) FROM members WHERE serving_agent = ? AND serving_system = 'single_box'"
    " AND uuid = ?",
    // take_capacity
    "UPDATE agents SET used_milli = used_milli + ?, open_items = open_items + 1,"
    " last_offered_call = ?, state = 'Receiving' WHERE name = ?",
    // answer_member
    "UPDATE members SET state = 'Answered', bridge_epoch = ? WHERE uuid = ? AND serving_agent = ?"
    " AND state = 'Trying'",
    // member_of
    "SELECT state, serving_agent, size_milli, queue_id FROM members WHERE uuid = ?",
    // delete_member
    "DELETE FROM members WHERE uuid = ?",
    // release_capacity
    "UPDATE agents SET used_milli = used_milli - ?, open_items = open_items - 1,"
    " last_bridge_end = ?, state = 'Waiting' WHERE name = ?",
    // agent_used
    "SELECT used_milli FROM agents WHERE agent_id = ?",
    // all_waiting
    "SELECT count(*) FROM members WHERE state = 'Waiting'",
};

struct Name {
  char text[24];
};
Name agent_name(uint64_t id) {
  Name n;
  std::snprintf(n.text, sizeof n.text, "a%" PRIu64, id);
  return n;
}
Name queue_name(uint64_t id) {
  Name n;
  std::snprintf(n.text, sizeof n.text, "q%" PRIu64, id);
  return n;
}
Name uuid_of(ItemId id) {
  Name n;
  std::snprintf(n.text, sizeof n.text, "%" PRIu64, static_cast<uint64_t>(index(id)));
  return n;
}

}  // namespace

void count_sqlite_allocations() {
  static const bool done = [] {
    sqlite3_config(SQLITE_CONFIG_GETMALLOC, &g_sqlite_default);
    sqlite3_mem_methods counted = g_sqlite_default;
    counted.xMalloc = counted_malloc;
    counted.xRealloc = counted_realloc;
    sqlite3_config(SQLITE_CONFIG_MALLOC, &counted);
    return true;
  }();
  (void)done;
}

SqlRouter::SqlRouter(const Scenario& scenario, Flavor flavor)
    : scenario_(scenario),
      flavor_(flavor),
      ids_(scenario.max_items),
      pending_(scenario.queues(), 0),
      max_pending_(std::bit_ceil(scenario.spec.max_waiting)) {
  count_sqlite_allocations();
  if (sqlite3_open_v2(":memory:", &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                            SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "bench: sqlite open failed\n");
    std::abort();
  }
  exec_script(kSchema);
  if (flavor_ == Flavor::indexed) exec_script(kIndexes);
  exec_script("BEGIN");
  sqlite3_stmt* agent = nullptr;
  sqlite3_stmt* tier = nullptr;
  sqlite3_prepare_v2(db_,
                     "INSERT INTO agents (name, agent_id, contact, status, state, capacity_milli)"
                     " VALUES (?, ?, 'loopback', 'Available', 'Waiting', ?)",
                     -1, &agent, nullptr);
  sqlite3_prepare_v2(db_, "INSERT INTO tiers (queue, agent, state) VALUES (?, ?, 'Ready')", -1,
                     &tier, nullptr);
  for (uint32_t a = 0; a < scenario.agents(); ++a) {
    const Name name = agent_name(a);
    sqlite3_bind_text(agent, 1, name.text, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(agent, 2, a);
    sqlite3_bind_int64(agent, 3, scenario.agent_capacity_milli);
    sqlite3_step(agent);
    sqlite3_reset(agent);
    for (uint32_t q : scenario.agent_queues[a]) {
      const Name qn = queue_name(q);
      sqlite3_bind_text(tier, 1, qn.text, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(tier, 2, name.text, -1, SQLITE_TRANSIENT);
      sqlite3_step(tier);
      sqlite3_reset(tier);
    }
  }
  sqlite3_finalize(agent);
  sqlite3_finalize(tier);
  exec_script("COMMIT");
  if (flavor_ == Flavor::indexed) {
    exec_script("ANALYZE");
    for (int s = 0; s < kSqlCount; ++s) {
      if (sqlite3_prepare_v3(db_, kSqlText[s], -1, SQLITE_PREPARE_PERSISTENT, &prepared_[s],
                             nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "bench: %s\n", sqlite3_errmsg(db_));
        std::abort();
      }
    }
  }
}

SqlRouter::~SqlRouter() {
  for (sqlite3_stmt* s : prepared_) sqlite3_finalize(s);
  sqlite3_close(db_);
}

void SqlRouter::exec_script(const char* script) {
  char* error = nullptr;
  if (sqlite3_exec(db_, script, nullptr, nullptr, &error) != SQLITE_OK) {
    std::fprintf(stderr, "bench: sqlite: %s\n", error ? error : "?");
    std::abort();
  }
}

template <class OnRow>
bool SqlRouter::run(Sql sql, std::initializer_list<Arg> args, OnRow&& row) const {
  ++statements_;
  sqlite3_stmt* stmt = nullptr;
  if (flavor_ == Flavor::indexed) {
    stmt = prepared_[sql];
    int i = 1;
    for (const Arg& a : args) {
      if (a.text != nullptr) sqlite3_bind_text(stmt, i++, a.text, -1, SQLITE_STATIC);
      else sqlite3_bind_int64(stmt, i++, a.number);
    }
  } else {
    // mod_callcenter formats each statement with the values inlined, then compiles it.
    std::string text;
    auto arg = args.begin();
    for (const char* c = kSqlText[sql]; *c != '\0'; ++c) {
      if (*c != '?') {
        text.push_back(*c);
      } else if (arg->text != nullptr) {
        char* quoted = sqlite3_mprintf("%Q", arg->text);
        text += quoted;
        sqlite3_free(quoted);
        ++arg;
      } else {
        text += std::to_string(arg->number);
        ++arg;
      }
    }
    if (sqlite3_prepare_v2(db_, text.c_str(), static_cast<int>(text.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return false;
    }
  }
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) row(stmt);
  if (flavor_ == Flavor::indexed) sqlite3_reset(stmt);
  else sqlite3_finalize(stmt);
  return rc == SQLITE_DONE;
}

bool SqlRouter::run(Sql sql, std::initializer_list<Arg> args) const {
  return run(sql, args, [](sqlite3_stmt*) {});
}

bool SqlRouter::assign(const char* uuid, uint32_t queue, int64_t size) {
  const Name qn = queue_name(queue);
  const Sql by_strategy = scenario_.queue_model[queue] == RoutingModel::most_available
                              ? agent_most_available
                              : agent_least_active;
  Name agent{};
  int64_t agent_id = -1;
  run(by_strategy, {{.text = qn.text}, {.number = size}}, [&](sqlite3_stmt* s) {
    std::snprintf(agent.text, sizeof agent.text, "%s",
                  reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    agent_id = sqlite3_column_int64(s, 1);
  });
  if (agent_id < 0) return false;
  run(mark_member, {{.text = agent.text}, {.text = uuid}});
  if (sqlite3_changes(db_) != 1) return false;
  int64_t claimed = 0;
  run(check_claim, {{.text = agent.text}, {.text = uuid}},
      [&](sqlite3_stmt* s) { claimed = sqlite3_column_int64(s, 0); });
  if (claimed != 1) return false;
  run(take_capacity, {{.number = size}, {.number = ++clock_}, {.text = agent.text}});
  offers_.push_back(Offer{ItemId{std::strtoull(uuid, nullptr, 10)},
                          AgentId{static_cast<uint32_t>(agent_id)}, QueueId{queue}});
  return true;
}

void SqlRouter::dispatch_queue(uint32_t queue) {
  const Name qn = queue_name(queue);
  for (;;) {
    Name uuid{};
    int64_t size = -1;
    run(best_member_of_queue, {{.text = qn.text}}, [&](sqlite3_stmt* s) {
      std::snprintf(uuid.text, sizeof uuid.text, "%s",
                    reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      size = sqlite3_column_int64(s, 2);
    });
    if (size < 0 || !assign(uuid.text, queue, size)) return;
  }
}

void SqlRouter::dispatch_agent(const char* name) {
  for (;;) {
    Name uuid{};
    int64_t size = -1;
    int64_t queue = 0;
    run(best_member_for_agent, {{.text = name}, {.text = name}}, [&](sqlite3_stmt* s) {
      std::snprintf(uuid.text, sizeof uuid.text, "%s",
                    reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
      queue = sqlite3_column_int64(s, 1);
      size = sqlite3_column_int64(s, 2);
    });
    if (size < 0 || !assign(uuid.text, static_cast<uint32_t>(queue), size)) return;
  }
}

Result<ItemId> SqlRouter::submit(QueueId queue, CustomerId customer) noexcept {
  const uint32_t q = index(queue);
  std::lock_guard lock(mutex_);
  if (q >= scenario_.queues()) return std::unexpected(Status::unknown_queue);
  if (pending_[q] >= max_pending_) return std::unexpected(Status::queue_full);
  if (ids_.empty()) return std::unexpected(Status::items_exhausted);
  const ItemId id = ids_.take();
  const Name uuid = uuid_of(id);
  const Name qn = queue_name(q);
  const int64_t now = ++clock_;
  run(insert_member, {{.text = qn.text},
                      {.number = q},
                      {.text = uuid.text},
                      {.text = uuid.text},
                      {.number = static_cast<int64_t>(index(customer))},
                      {.number = now},
                      {.number = now},
                      {.number = scenario_.queue_size_milli[q]},
                      {.number = scenario_.queue_priority[q]}});
  pending_[q] += 1;
  dispatch_queue(q);
  return id;
}

Status SqlRouter::accept(ItemId item, AgentId agent) noexcept {
  std::lock_guard lock(mutex_);
  if (!ids_.live(item)) return Status::unknown_item;
  const Name uuid = uuid_of(item);
  const Name name = agent_name(index(agent));
  int64_t queue = -1;
  run(member_of, {{.text = uuid.text}},
      [&](sqlite3_stmt* s) { queue = sqlite3_column_int64(s, 3); });
  run(answer_member, {{.number = ++clock_}, {.text = uuid.text}, {.text = name.text}});
  if (sqlite3_changes(db_) != 1) return Status::wrong_state;
  pending_[static_cast<uint32_t>(queue)] -= 1;
  return Status::ok;
}

Status SqlRouter::close(ItemId item) noexcept {
  std::lock_guard lock(mutex_);
  if (!ids_.live(item)) return Status::unknown_item;
  const Name uuid = uuid_of(item);
  std::string state;
  Name agent{};
  int64_t size = -1;
  int64_t queue = 0;
  run(member_of, {{.text = uuid.text}}, [&](sqlite3_stmt* s) {
    state = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    std::snprintf(agent.text, sizeof agent.text, "%s",
                  reinterpret_cast<const char*>(sqlite3_column_text(s, 1)));
    size = sqlite3_column_int64(s, 2);
    queue = sqlite3_column_int64(s, 3);
  });
  if (size < 0) return Status::unknown_item;
  run(delete_member, {{.text = uuid.text}});
  ids_.give_back(item);
  if (state != "Answered") pending_[static_cast<uint32_t>(queue)] -= 1;
  if (state == "Waiting") return Status::ok;
  run(release_capacity, {{.number = size}, {.number = ++clock_}, {.text = agent.text}});
  dispatch_agent(agent.text);
  return Status::ok;
}

size_t SqlRouter::drain_offers(std::span<Offer> out) noexcept {
  std::lock_guard lock(mutex_);
  const size_t n = std::min(out.size(), offers_.size());
  std::copy(offers_.end() - static_cast<std::ptrdiff_t>(n), offers_.end(), out.begin());
  offers_.resize(offers_.size() - n);
  return n;
}

int64_t SqlRouter::used_milli(AgentId agent) const noexcept {
  std::lock_guard lock(mutex_);
  int64_t used = -1;
  run(agent_used, {{.number = index(agent)}},
      [&](sqlite3_stmt* s) { used = sqlite3_column_int64(s, 0); });
  return used;
}

uint64_t SqlRouter::waiting() const noexcept {
  std::lock_guard lock(mutex_);
  int64_t n = 0;
  run(all_waiting, {}, [&](sqlite3_stmt* s) { n = sqlite3_column_int64(s, 0); });
  return static_cast<uint64_t>(n);
}

}  // namespace omni::bench
