// Candidate (b): LMDB (liblmdb-dev). One write transaction per group commit, records keyed by LSN
// (MDB_INTEGERKEY + MDB_APPEND, the cheapest insert LMDB has); mdb_txn_commit syncs (no
// MDB_NOSYNC / MDB_NOMETASYNC): data pages, then the meta page.
#include <lmdb.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "group_committer.h"

namespace omni::bench::journal {
namespace {

void check(int rc, const char* what) {
  if (rc != MDB_SUCCESS) {
    std::fprintf(stderr, "lmdb %s: %s\n", what, mdb_strerror(rc));
    std::abort();
  }
}

class LmdbStore {
 public:
  explicit LmdbStore(const std::string& dir) {
    std::filesystem::create_directories(dir);
    check(mdb_env_create(&env_), "env_create");
    check(mdb_env_set_mapsize(env_, size_t{4} << 30), "set_mapsize");  // sparse; bench files are deleted
    check(mdb_env_open(env_, dir.c_str(), 0, 0644), "env_open");
    MDB_txn* txn;
    check(mdb_txn_begin(env_, nullptr, 0, &txn), "txn_begin");
    check(mdb_dbi_open(txn, nullptr, MDB_INTEGERKEY, &dbi_), "dbi_open");
    check(mdb_txn_commit(txn), "txn_commit");
  }
  ~LmdbStore() { mdb_env_close(env_); }

  bool commit(const BatchView& b) {
    MDB_txn* txn;
    if (mdb_txn_begin(env_, nullptr, 0, &txn) != MDB_SUCCESS) return false;
    bool ok = true;
    for_each_record(b, [&](Lsn lsn, uint16_t type, std::span<const std::byte> payload) {
      value_.resize(2 + payload.size());
      std::memcpy(value_.data(), &type, 2);
      std::memcpy(value_.data() + 2, payload.data(), payload.size());
      MDB_val key{sizeof lsn, &lsn};
      MDB_val val{value_.size(), value_.data()};
      ok = ok && mdb_put(txn, dbi_, &key, &val, MDB_APPEND) == MDB_SUCCESS;
    });
    if (!ok) {
      mdb_txn_abort(txn);
      return false;
    }
    return mdb_txn_commit(txn) == MDB_SUCCESS;
  }

 private:
  MDB_env* env_ = nullptr;
  MDB_dbi dbi_ = 0;
  std::vector<std::byte> value_;
};

}  // namespace

std::unique_ptr<DurableSink> make_lmdb_sink(const SinkConfig& c) {
  return std::make_unique<GroupCommitter<LmdbStore>>(std::make_unique<LmdbStore>(c.dir), c);
}

}  // namespace omni::bench::journal
