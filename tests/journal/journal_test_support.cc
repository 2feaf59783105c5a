#include "journal_test_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "format.h"

namespace omni::journal::test {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = info != nullptr ? std::string(info->test_suite_name()) + "." + info->name()
                                     : std::string("journal");
  static int made = 0;  // several per test are distinct
  path_ = fs::path(OMNI_JOURNAL_TEST_ROOT) /
          (name + "." + std::to_string(::getpid()) + "." + std::to_string(made++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
  fs::remove_all(path_, ec);
}

std::vector<std::byte> payload_for(Lsn lsn) {
  std::vector<std::byte> p((lsn * 7919) % 301);
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::byte>((lsn * 31 + i) & 0xFF);
  return p;
}

uint16_t type_for(Lsn lsn) { return static_cast<uint16_t>(lsn % 65521); }

bool record_matches(const Record& r) {
  auto want = payload_for(r.lsn);
  return r.type == type_for(r.lsn) && r.payload.size() == want.size() &&
         std::equal(want.begin(), want.end(), r.payload.begin());
}

Options test_options(const fs::path& dir) {
  Options o;
  o.dir = dir;
  o.group_commit_window = std::chrono::microseconds(1000);
  o.fsync = false;
  o.segment_bytes = 16 << 10;
  o.max_pending_bytes = 256 << 10;
  return o;
}

Lsn append_records(Writer& w, size_t n) {
  Lsn last = 0;
  for (size_t i = 0; i < n; ++i) {
    Lsn next = w.last_appended() + 1;
    for (;;) {
      auto r = w.append(type_for(next), payload_for(next));
      if (r) {
        last = *r;
        break;
      }
      if (r.error() != JournalStatus::busy) {
        ADD_FAILURE() << "append: " << to_string(r.error());
        return last;
      }
      std::this_thread::yield();
    }
  }
  return last;
}

static std::vector<fs::path> files_with(const fs::path& dir, std::string_view prefix,
                                        std::string_view suffix) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string n = e.path().filename().string();
    if (n.starts_with(prefix) && n.ends_with(suffix)) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> segment_files(const fs::path& dir) { return files_with(dir, "segment-", ".log"); }
std::vector<fs::path> snapshot_files(const fs::path& dir) { return files_with(dir, "snapshot-", ".snap"); }

void truncate_file(const fs::path& file, uint64_t size) { fs::resize_file(file, size); }

void flip_byte(const fs::path& file, uint64_t offset) {
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(offset));
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(c ^ 0x5A);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(&c, 1);
}

std::vector<uint64_t> record_offsets(const fs::path& segment) {
  std::ifstream f(segment, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<uint64_t> out;
  uint64_t off = internal::kSegmentHeaderBytes;
  while (off + internal::kRecordHeaderBytes <= bytes.size()) {
    auto h = internal::decode_record_header(reinterpret_cast<const std::byte*>(bytes.data() + off));
    if (off + internal::kRecordHeaderBytes + h.length > bytes.size()) break;
    out.push_back(off);
    off += internal::kRecordHeaderBytes + h.length;
  }
  return out;
}

}  // namespace omni::journal::test
