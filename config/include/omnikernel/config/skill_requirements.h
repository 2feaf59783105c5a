// A work item's skill requirements as a host writes them in JSON (seed 002):
//   [{"skill": "Spanish", "min_level": 5}, {"skill": "French", "min_level": 3, "drop_after": "20s"}]
// The kernel takes them only at Kernel::prepare_requirements, where a bad one is a bare
// Status::invalid_requirements; reading them here refuses every such mistake against its path
// ("arrivals[0].requirements[1].drop_after: must be at most 1h") before anything runs.
// Used by the simulator's scenario reader; any host that reads requirements from JSON may use it.
#pragma once
#include <string>
#include <vector>

#include "omnikernel/config/json_fields.h"
#include "omnikernel/time.h"

namespace omni::config {

// One skill an item asks for: agents qualify with `min_level` or more. Required when drop_after is
// zero; otherwise optional, dropped once the item has waited drop_after since its arrival.
struct SkillRequirementSpec {
  std::string skill;  // one of Config::skills
  int min_level = 1;  // 1–10
  Duration drop_after{};  // 0 = required; at most 1 h (kKernelTimerMax)
};

// 1–8 requirements, each skill once and one of `skills`. Throws FieldError naming the element's
// field: skill (unknown, with a "did you mean"; twice), min_level (1–10), drop_after (≤ 1 h).
[[nodiscard]] std::vector<SkillRequirementSpec> read_skill_requirements(
    const Json& value, const std::string& path, const std::vector<std::string>& skills);

}  // namespace omni::config
