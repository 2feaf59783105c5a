// The fuzz build's stand-in for service/src/http_client.cc (Beast, ~20 s per compile and never
// reached: the fuzzer gives the service a sender that records instead of posting to the Graph
// API). Linked only so that GraphSender, which the service can construct, resolves.
#include "omnikernel/service/http_client.h"

namespace omni::service {

std::expected<ClientResponse, std::string> http_post(const std::string&, const std::vector<std::pair<std::string, std::string>>&,
                                                     const std::string&, std::chrono::milliseconds) {
  return std::unexpected(std::string("no network in the fuzz build"));
}

}  // namespace omni::service
