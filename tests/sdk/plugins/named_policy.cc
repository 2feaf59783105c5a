// A trivial C++ policy; built twice under one name to prove the loader refuses a duplicate.
#include "omnikernel/sdk/plugin.hpp"

namespace {
class AllowAll final : public omni::sdk::Policy {
 public:
  omni::sdk::PolicyVerdict check(const omni::sdk::PolicyRequest&) override {
    return omni::sdk::PolicyVerdict::allowed();
  }
};
}  // namespace

OMNI_PLUGIN(AllowAll, "duplicate_name", "1.0.0");
