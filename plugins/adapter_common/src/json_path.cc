#include "omnikernel/adapters/json_path.h"

namespace omni::adapters {

void JsonPath::append_to(std::string& out) const {
  if (parent_ == nullptr) return;  // the root prints as nothing
  parent_->append_to(out);
  if (index_ != kNoIndex) {
    out += '[';
    out += std::to_string(index_);
    out += ']';
  } else {
    if (!out.empty()) out += '.';
    out += key_;
  }
}

std::string JsonPath::to_string() const {
  std::string out;
  append_to(out);
  return out;
}

}  // namespace omni::adapters
