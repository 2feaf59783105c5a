// Candidate (c): SQLite in WAL mode with synchronous=FULL (the WAL is fsynced at every commit;
// NORMAL would not be durable). One BEGIN…COMMIT per group commit, a prepared INSERT per record
// into an INTEGER PRIMARY KEY table (the rowid B-tree, appended in order).
#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "group_committer.h"

namespace omni::bench::journal {
namespace {

class SqliteStore {
 public:
  explicit SqliteStore(const std::string& dir) {
    std::filesystem::create_directories(dir);
    if (sqlite3_open((dir + "/journal.db").c_str(), &db_) != SQLITE_OK) fail("open");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=FULL");
    exec("CREATE TABLE IF NOT EXISTS log(lsn INTEGER PRIMARY KEY, type INTEGER, payload BLOB)");
    if (sqlite3_prepare_v2(db_, "INSERT INTO log VALUES(?,?,?)", -1, &insert_, nullptr) != SQLITE_OK) {
      fail("prepare");
    }
  }
  ~SqliteStore() {
    sqlite3_finalize(insert_);
    sqlite3_close(db_);
  }

  bool commit(const BatchView& b) {
    if (sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    bool ok = true;
    for_each_record(b, [&](Lsn lsn, uint16_t type, std::span<const std::byte> payload) {
      sqlite3_bind_int64(insert_, 1, static_cast<sqlite3_int64>(lsn));
      sqlite3_bind_int(insert_, 2, type);
      sqlite3_bind_blob(insert_, 3, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
      ok = ok && sqlite3_step(insert_) == SQLITE_DONE;
      sqlite3_reset(insert_);
    });
    if (!ok) {
      sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
      return false;
    }
    return sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK;
  }

 private:
  void exec(const char* sql) {
    if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
  }
  [[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "sqlite %s: %s\n", what, sqlite3_errmsg(db_));
    std::abort();
  }
  sqlite3* db_ = nullptr;
  sqlite3_stmt* insert_ = nullptr;
};

}  // namespace

std::unique_ptr<DurableSink> make_sqlite_sink(const SinkConfig& c) {
  return std::make_unique<GroupCommitter<SqliteStore>>(std::make_unique<SqliteStore>(c.dir), c);
}

}  // namespace omni::bench::journal
