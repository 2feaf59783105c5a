// The control records: configuration, prepared requirement sets, restarts.
#include "byte_io.h"
#include "skill_codec.h"
#include "omnikernel/durable/records.h"

namespace omni::durable {

using internal::ByteReader;
using internal::ByteWriter;

std::string_view to_string(RecordType t) noexcept {
  switch (t) {
    case RecordType::config: return "config";
    case RecordType::requirements: return "requirements";
    case RecordType::events: return "events";
    case RecordType::restart: return "restart";
    case RecordType::host: return "host";
  }
  return "unknown";
}

namespace internal {

void put_skills(ByteWriter& w, std::span<const SkillRequirement> skills) {
  w.u8(static_cast<uint8_t>(skills.size()));
  for (const SkillRequirement& s : skills) {
    w.u16(index(s.skill));
    w.u8(s.min_level);
    w.i64(s.drop_after.count());
  }
}

std::vector<SkillRequirement> get_skills(ByteReader& r) {
  std::vector<SkillRequirement> skills;
  const uint8_t n = r.u8();
  for (uint8_t i = 0; i < n && !r.failed(); ++i) {
    SkillRequirement s;
    s.skill = SkillId{r.u16()};
    s.min_level = r.u8();
    s.drop_after = Duration{r.i64()};
    skills.push_back(s);
  }
  return skills;
}

}  // namespace internal

std::vector<std::byte> encode_requirements(const RequirementsRecord& r) {
  std::vector<std::byte> out;
  ByteWriter w(out);
  w.u32(index(r.queue));
  w.u32(index(r.id));
  internal::put_skills(w, r.skills);
  return out;
}

std::expected<RequirementsRecord, std::string> decode_requirements(std::span<const std::byte> payload) {
  ByteReader r(payload);
  RequirementsRecord rec;
  rec.queue = QueueId{r.u32()};
  rec.id = RequirementsId{r.u32()};
  rec.skills = internal::get_skills(r);
  if (r.failed() || !r.at_end()) return std::unexpected("requirements record: bad length");
  return rec;
}

std::vector<std::byte> encode_config_text(std::string_view json) {
  std::vector<std::byte> out;
  ByteWriter(out).str(json);
  return out;
}

std::expected<std::string, std::string> decode_config_text(std::span<const std::byte> payload) {
  ByteReader r(payload);
  std::string s = r.str();
  if (r.failed() || !r.at_end()) return std::unexpected("config record: bad length");
  return s;
}

std::vector<std::byte> encode_restart(const RestartRecord& rec) {
  std::vector<std::byte> out;
  ByteWriter w(out);
  w.i64(rec.shift.count());
  w.i64(rec.at.time_since_epoch().count());
  return out;
}

std::expected<RestartRecord, std::string> decode_restart(std::span<const std::byte> payload) {
  ByteReader r(payload);
  RestartRecord rec;
  rec.shift = Duration{r.i64()};
  rec.at = Time{Duration{r.i64()}};
  if (r.failed() || !r.at_end()) return std::unexpected("restart record: bad length");
  return rec;
}

}  // namespace omni::durable
