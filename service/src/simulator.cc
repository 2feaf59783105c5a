#include "omnikernel/service/simulator.h"

namespace omni::service {
std::expected<std::unique_ptr<Simulator>, std::string> Simulator::start(Service&, double) {
  return std::unexpected("not available in this build");
}
}  // namespace omni::service
