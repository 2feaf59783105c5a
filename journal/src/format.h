// The on-disk format (version 1), little-endian, no padding:
//
//   segment-<first LSN, 20 digits>.log
//     header (32 bytes): magic "OMNIJSEG" | u32 version | u32 reserved (0) | u64 first LSN |
//                        u32 CRC32C of the 24 bytes before it | u32 reserved (0)
//     records, back to back:
//       u32 payload length | u16 type | u16 flags | u64 LSN | u32 CRC32C | payload
//       The CRC covers the payload and then the 16 header bytes before it, so that producers can
//       checksum their payload before they take the append lock (only 16 bytes are left to do).
//       flags bit 0 (kCommitEnd): the last record of a group commit. A commit's sync makes every
//       earlier byte durable, so an intact commit end AFTER a damaged record proves the damage is
//       in once-durable data (a corrupt middle), while intact records with no commit end after
//       it are the unsynced rest of a torn commit (on power loss the page cache may have written
//       its pages out of order): still a torn tail.
//
//   snapshot-<covers LSN, 20 digits>.snap   (written as .snap.tmp, renamed when synced)
//     header (32 bytes): magic "OMNIJSNP" | u32 version | u32 reserved (0) | u64 covers LSN |
//                        u64 state length
//     u32 CRC32C over the state and then the 32 header bytes | state
//
// A record is accepted only if its length is plausible, its LSN is the next expected one and its
// CRC matches: a torn write (any prefix of a record, or garbage after it) fails one of the three.
#pragma once

#include <bit>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "crc32c.h"
#include "omnikernel/journal/types.h"

namespace omni::journal::internal {

static_assert(std::endian::native == std::endian::little,
              "the journal format is little-endian and written with memcpy");

inline constexpr uint32_t kFormatVersion = 1;
inline constexpr char kSegmentMagic[8] = {'O', 'M', 'N', 'I', 'J', 'S', 'E', 'G'};
inline constexpr char kSnapshotMagic[8] = {'O', 'M', 'N', 'I', 'J', 'S', 'N', 'P'};
inline constexpr size_t kSegmentHeaderBytes = 32;
inline constexpr size_t kRecordHeaderBytes = 20;
inline constexpr size_t kSnapshotHeaderBytes = 32;
inline constexpr size_t kSnapshotPrefixBytes = kSnapshotHeaderBytes + 4;
// The largest payload the format accepts. Bounds what a corrupt length field can make a reader
// believe; far above any kernel event.
inline constexpr uint32_t kMaxPayloadBytes = 64u << 20;

inline constexpr uint16_t kCommitEnd = 1;

struct RecordHeader {
  uint32_t length = 0;
  uint16_t type = 0;
  uint16_t flags = 0;
  Lsn lsn = 0;
  uint32_t crc = 0;
};

template <class T>
inline T load(const std::byte* p) noexcept {
  T v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <class T>
inline void store(std::byte* p, T v) noexcept {
  std::memcpy(p, &v, sizeof v);
}

// The CRC of a record: its payload's CRC (payload_crc) extended over the first 16 header bytes.
inline uint32_t record_crc(uint32_t payload_crc, const std::byte* header) noexcept {
  return crc32c({header, 16}, payload_crc);
}

// Writes a record header at `out` (kRecordHeaderBytes), given the payload's CRC.
inline void encode_record_header(std::byte* out, uint32_t length, uint16_t type, Lsn lsn,
                                 uint32_t payload_crc, uint16_t flags = 0) noexcept {
  store<uint32_t>(out, length);
  store<uint16_t>(out + 4, type);
  store<uint16_t>(out + 6, flags);
  store<uint64_t>(out + 8, lsn);
  store<uint32_t>(out + 16, record_crc(payload_crc, out));
}

inline RecordHeader decode_record_header(const std::byte* in) noexcept {
  return {load<uint32_t>(in), load<uint16_t>(in + 4), load<uint16_t>(in + 6),
          load<uint64_t>(in + 8), load<uint32_t>(in + 16)};
}

// Marks the encoded record at `record` as the end of a commit (and re-seals its checksum).
inline void mark_commit_end(std::byte* record) noexcept {
  RecordHeader h = decode_record_header(record);
  uint32_t payload_crc = crc32c({record + kRecordHeaderBytes, h.length});
  encode_record_header(record, h.length, h.type, h.lsn, payload_crc,
                       static_cast<uint16_t>(h.flags | kCommitEnd));
}

// True when the record at `in` (header + payload, `available` bytes readable) is whole and its
// CRC matches. Does not check the LSN.
inline bool record_intact(const std::byte* in, size_t available) noexcept {
  if (available < kRecordHeaderBytes) return false;
  RecordHeader h = decode_record_header(in);
  if (h.length > kMaxPayloadBytes || (h.flags & ~kCommitEnd) != 0) return false;
  if (available - kRecordHeaderBytes < h.length) return false;
  uint32_t payload_crc = crc32c({in + kRecordHeaderBytes, h.length});
  return record_crc(payload_crc, in) == h.crc;
}

inline void encode_segment_header(std::byte* out, Lsn first) noexcept {
  std::memcpy(out, kSegmentMagic, 8);
  store<uint32_t>(out + 8, kFormatVersion);
  store<uint32_t>(out + 12, 0);
  store<uint64_t>(out + 16, first);
  store<uint32_t>(out + 24, crc32c({out, 24}));
  store<uint32_t>(out + 28, 0);
}

// The first LSN the header names, or nothing when the header is not a valid version-1 header.
inline std::optional<Lsn> decode_segment_header(std::span<const std::byte> in) noexcept {
  if (in.size() < kSegmentHeaderBytes) return std::nullopt;
  if (std::memcmp(in.data(), kSegmentMagic, 8) != 0) return std::nullopt;
  if (load<uint32_t>(in.data() + 8) != kFormatVersion) return std::nullopt;
  if (load<uint32_t>(in.data() + 24) != crc32c(in.first(24))) return std::nullopt;
  return load<uint64_t>(in.data() + 16);
}

// File names. The LSN in a name is zero-padded so that names sort in LSN order.
inline std::string lsn_digits(Lsn lsn) {
  char buf[21];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, lsn);
  (void)ec;
  std::string digits(buf, end);
  return std::string(20 - digits.size(), '0') + digits;
}
inline std::string segment_name(Lsn first) { return "segment-" + lsn_digits(first) + ".log"; }
inline std::string snapshot_name(Lsn covers) { return "snapshot-" + lsn_digits(covers) + ".snap"; }
inline constexpr std::string_view kTempSuffix = ".tmp";
inline constexpr std::string_view kLockName = "LOCK";

// Parses "<prefix><20 digits><suffix>"; nothing when `name` is not exactly that.
inline std::optional<Lsn> parse_name(std::string_view name, std::string_view prefix,
                                     std::string_view suffix) {
  if (name.size() != prefix.size() + 20 + suffix.size()) return std::nullopt;
  if (!name.starts_with(prefix) || !name.ends_with(suffix)) return std::nullopt;
  std::string_view digits = name.substr(prefix.size(), 20);
  Lsn v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc{} || ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}
inline std::optional<Lsn> parse_segment_name(std::string_view name) {
  return parse_name(name, "segment-", ".log");
}
inline std::optional<Lsn> parse_snapshot_name(std::string_view name) {
  return parse_name(name, "snapshot-", ".snap");
}

}  // namespace omni::journal::internal
