// A requirement set's skills in the binary records and snapshots: u8 n, n × {u16 skill, u8 min
// level, i64 drop_after ns}. One encoding, shared by the `requirements` record and the snapshot.
#pragma once
#include <span>
#include <vector>

#include "byte_io.h"
#include "omnikernel/kernel.h"

namespace omni::durable::internal {

void put_skills(ByteWriter& w, std::span<const SkillRequirement> skills);
[[nodiscard]] std::vector<SkillRequirement> get_skills(ByteReader& r);

}  // namespace omni::durable::internal
