#include "directory_scan.h"

#include <algorithm>
#include <string>
#include <system_error>

#include "format.h"

namespace omni::journal::internal {
namespace {

namespace fs = std::filesystem;

OpenError error(const fs::path& path, uint64_t offset, std::string reason) {
  return OpenError{path, offset, std::move(reason)};
}

// Why a snapshot file is not usable, or empty when it is intact (state copied when collect).
std::string check_snapshot(const SnapshotFile& snap, bool collect, std::vector<std::byte>& state) {
  MappedFile map;
  if (int err = MappedFile::map(snap.path, map); err != 0) return "cannot read: " + errno_text(err);
  auto bytes = map.bytes();
  if (bytes.size() < kSnapshotPrefixBytes) return "shorter than its header";
  if (std::memcmp(bytes.data(), kSnapshotMagic, 8) != 0) return "bad magic";
  if (load<uint32_t>(bytes.data() + 8) != kFormatVersion) return "unknown format version";
  if (load<uint64_t>(bytes.data() + 16) != snap.covers) return "header LSN differs from its name";
  if (load<uint64_t>(bytes.data() + 24) != bytes.size() - kSnapshotPrefixBytes) {
    return "state length differs from the file size";
  }
  auto body = bytes.subspan(kSnapshotPrefixBytes);
  uint32_t crc = crc32c(bytes.first(kSnapshotHeaderBytes), crc32c(body));
  if (crc != load<uint32_t>(bytes.data() + kSnapshotHeaderBytes)) return "checksum mismatch";
  if (collect) state.assign(body.begin(), body.end());
  return {};
}

// After a bad record at `bad` in the last segment: is there an intact COMMIT END with a later LSN
// further on? Its sync made everything before it durable, so the bad record was once whole: the
// damage is in the middle. Intact records without a commit end after it are the unsynced rest of
// the commit that tore (written out of order by the page cache on power loss): a tail.
struct LaterRecords {
  std::optional<uint64_t> commit_end;  // offset of an intact later commit end
  uint64_t intact = 0;                 // intact later records of an unfinished commit
};
LaterRecords later_records(std::span<const std::byte> seg, uint64_t bad, Lsn expect) {
  LaterRecords out;
  const uint64_t size = seg.size();
  const Lsn max_lsn = expect + (size - bad) / kRecordHeaderBytes;
  for (uint64_t p = bad + 1; p + kRecordHeaderBytes <= size; ++p) {
    RecordHeader h = decode_record_header(seg.data() + p);
    if (h.lsn < expect || h.lsn > max_lsn) continue;
    if (h.length > size - p - kRecordHeaderBytes) continue;
    if (!record_intact(seg.data() + p, size - p)) continue;
    if (h.flags & kCommitEnd) {
      out.commit_end = p;
      return out;
    }
    ++out.intact;
  }
  return out;
}

class Scanner {
 public:
  Scanner(const fs::path& dir, bool repair, bool collect)
      : dir_(dir), repair_(repair), collect_(collect) {}

  std::expected<ScanResult, OpenError> run() {
    std::error_code ec;
    if (!fs::is_directory(dir_, ec)) return std::unexpected(error(dir_, 0, "not a directory"));
    if (auto e = list(); e) return std::unexpected(*e);
    choose_snapshot();
    if (auto e = scan_segments(); e) return std::unexpected(*e);
    for (const auto& s : out_.segments) out_.bytes_on_disk += s.bytes;
    for (const auto& s : out_.all_snapshots) out_.bytes_on_disk += s.bytes;
    return std::move(out_);
  }

 private:
  std::optional<OpenError> list() {
    std::error_code ec;
    fs::directory_iterator it(dir_, ec);
    if (ec) return error(dir_, 0, "cannot list: " + ec.message());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) return error(dir_, 0, "cannot list: " + ec.message());
      const fs::path& p = it->path();
      std::string name = p.filename().string();
      uint64_t bytes = it->is_regular_file(ec) ? it->file_size(ec) : 0;
      if (auto first = parse_segment_name(name)) {
        out_.segments.push_back({p, *first, bytes});
      } else if (auto covers = parse_snapshot_name(name)) {
        out_.all_snapshots.push_back({p, *covers, bytes});
      } else if (name.ends_with(kTempSuffix) && name.starts_with("snapshot-")) {
        out_.warnings.push_back({p, 0, "leftover temporary snapshot ignored (an interrupted "
                                       "write_snapshot; never renamed, so never valid)"});
      }
    }
    auto by_first = [](const auto& a, const auto& b) { return a.first < b.first; };
    std::sort(out_.segments.begin(), out_.segments.end(), by_first);
    std::sort(out_.all_snapshots.begin(), out_.all_snapshots.end(),
              [](const auto& a, const auto& b) { return a.covers < b.covers; });
    return std::nullopt;
  }

  void choose_snapshot() {
    for (auto it = out_.all_snapshots.rbegin(); it != out_.all_snapshots.rend(); ++it) {
      std::string why = check_snapshot(*it, collect_, out_.snapshot_state);
      if (why.empty()) {
        out_.snapshot = *it;
        return;
      }
      out_.warnings.push_back({it->path, 0, "snapshot not usable (" + why + "); trying an older one"});
    }
  }

  std::optional<OpenError> scan_segments() {
    const Lsn covers = out_.snapshot ? out_.snapshot->covers : 0;
    const Lsn start = covers + 1;
    auto& segs = out_.segments;
    // The first segment needed: the last one starting at or before `start`. Those before it
    // hold only records the snapshot covers (write_snapshot deletes them; a crash may not have).
    size_t idx = 0;
    while (idx + 1 < segs.size() && segs[idx + 1].first <= start) ++idx;
    expect_ = start;
    for (size_t i = idx; i < segs.size(); ++i) {
      const bool last = i + 1 == segs.size();
      auto e = scan_segment(segs[i], i == idx, last, start);
      if (e) return e;
      if (removed_last_) segs.pop_back();
    }
    out_.last_record_lsn = expect_ - 1;
    out_.last_segment_appendable = !segs.empty() && segs.back().path == last_scanned_;
    out_.last_lsn = std::max(expect_ - 1, covers);
    return std::nullopt;
  }

  std::optional<OpenError> scan_segment(SegmentFile& seg, bool first_needed, bool last, Lsn start) {
    MappedFile map;
    if (int err = MappedFile::map(seg.path, map); err != 0) {
      return error(seg.path, 0, "cannot read: " + errno_text(err));
    }
    auto bytes = map.bytes();
    auto header_first = decode_segment_header(bytes);
    if (!header_first) {
      if (!last) return error(seg.path, 0, "segment header missing or corrupt (not the last segment)");
      // Created but its header never reached the disk whole: nothing in it was ever durable.
      out_.warnings.push_back({seg.path, 0, repair_ ? "torn segment header: file removed"
                                                    : "torn segment header: file ignored"});
      if (repair_) {
        std::error_code ec;
        fs::remove(seg.path, ec);
        if (ec) return error(seg.path, 0, "cannot remove a torn segment: " + ec.message());
        if (int err = sync_dir(dir_); err != 0) return error(dir_, 0, "fsync: " + errno_text(err));
      }
      removed_last_ = true;
      return std::nullopt;
    }
    if (*header_first != seg.first) {
      return error(seg.path, 0, "header says first LSN " + std::to_string(*header_first) +
                                    " but the name says " + std::to_string(seg.first));
    }
    if (first_needed ? seg.first > start : seg.first != expect_) {
      Lsn want = first_needed ? start : expect_;
      return error(seg.path, 0, seg.first > want
                                    ? "LSN gap: records " + std::to_string(want) + ".." +
                                          std::to_string(seg.first - 1) + " are missing"
                                    : "segment overlaps the previous one (starts at LSN " +
                                          std::to_string(seg.first) + ", expected " +
                                          std::to_string(want) + ")");
    }
    expect_ = seg.first;
    uint64_t off = kSegmentHeaderBytes;
    const uint64_t size = bytes.size();
    bool kept = false;
    while (off < size) {
      if (!record_intact(bytes.data() + off, size - off)) break;
      RecordHeader h = decode_record_header(bytes.data() + off);
      if (h.lsn != expect_) break;
      if (collect_ && h.lsn >= start) {
        out_.records.push_back({h.lsn, h.type, bytes.subspan(off + kRecordHeaderBytes, h.length)});
        kept = true;
      }
      off += kRecordHeaderBytes + h.length;
      ++expect_;
    }
    if (off < size) {
      std::string at = "LSN " + std::to_string(expect_) + " expected";
      if (!last) {
        return error(seg.path, off, "corrupt record (" + at + ") in a segment that is not the last");
      }
      LaterRecords later = later_records(bytes, off, expect_);
      if (later.commit_end) {
        return error(seg.path, off, "corrupt record (" + at + ") followed by an intact commit at byte " +
                                        std::to_string(*later.commit_end) + ": corruption in the middle");
      }
      std::string what = (repair_ ? "torn tail cut at byte " : "torn tail (not repaired) at byte ") +
                         std::to_string(off) + " (" + std::to_string(size - off) +
                         " bytes after the last intact record, LSN " + std::to_string(expect_ - 1) + ")";
      if (later.intact > 0) {
        what += "; " + std::to_string(later.intact) +
                " intact records after it belong to the same unfinished commit and go with it";
      }
      out_.warnings.push_back({seg.path, off, std::move(what)});
      if (repair_) {
        if (int err = truncate_and_sync(seg.path, off); err != 0) {
          return error(seg.path, off, "cannot cut the torn tail: " + errno_text(err));
        }
        seg.bytes = off;
      }
    }
    last_scanned_ = seg.path;
    if (kept) out_.maps.push_back(std::move(map));
    return std::nullopt;
  }

  fs::path dir_;
  bool repair_;
  bool collect_;
  ScanResult out_;
  Lsn expect_ = 1;
  bool removed_last_ = false;
  fs::path last_scanned_;
};

}  // namespace

std::expected<ScanResult, OpenError> scan_directory(const fs::path& dir, bool repair_tail,
                                                    bool collect) {
  return Scanner(dir, repair_tail, collect).run();
}

}  // namespace omni::journal::internal
