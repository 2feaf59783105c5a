#include "omnikernel/config/skill_requirements.h"

#include <algorithm>
#include <cstdint>

namespace omni::config {

std::vector<SkillRequirementSpec> read_skill_requirements(const Json& value, const std::string& path,
                                                          const std::vector<std::string>& skills) {
  std::vector<SkillRequirementSpec> out;
  for_each_element(value, path, [&](const Json& v, const std::string& p) {
    JsonObject o(v, p);
    SkillRequirementSpec r;
    r.skill = read_name(o.require("skill"), o.path_of("skill"));
    if (std::find(skills.begin(), skills.end(), r.skill) == skills.end()) {
      std::string reason = "unknown skill \"" + r.skill + "\"";
      if (auto g = did_you_mean(r.skill, skills)) reason += " (did you mean \"" + *g + "\"?)";
      if (skills.empty()) reason += " (the scenario names no \"skills\")";
      fail(o.path_of("skill"), reason);
    }
    for (const SkillRequirementSpec& earlier : out) {
      if (earlier.skill == r.skill) fail(o.path_of("skill"), "skill \"" + r.skill + "\" asked for twice");
    }
    if (const Json* level = o.find("min_level")) {
      const int64_t n = read_integer(*level, o.path_of("min_level"), INT32_MIN, INT32_MAX);
      if (n < 1 || n > 10) fail(o.path_of("min_level"), "must be between 1 and 10");
      r.min_level = static_cast<int>(n);
    }
    // The kernel drops the skill on its timer wheel, which holds at most 1 h.
    if (const Json* d = o.find("drop_after")) r.drop_after = read_kernel_timer(*d, o.path_of("drop_after"));
    o.refuse_unknown_keys();
    out.push_back(std::move(r));
  });
  if (out.empty()) fail(path, "must ask for at least one skill (leave the key out for none)");
  if (out.size() > 8) fail(path, "at most 8 skills per item (the kernel's bound)");
  return out;
}

}  // namespace omni::config
