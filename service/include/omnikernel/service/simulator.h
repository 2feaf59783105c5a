// Simulator — `omni serve --simulate`: the default scenario's customers and agents drive a
// running Service in real time, so a newcomer opening the supervisor page sees the floor move.
// Customers' messages go through the webhook handlers (signed like Meta's, so the signature path
// runs); agents are played through the agent WebSocket handler (accept, handle, close, end
// wrap-up, breaks), exactly as a desktop would, without sockets.
#pragma once
#include <expected>
#include <memory>
#include <string>

#include "omnikernel/service/service.h"

namespace omni::service {

class Simulator {
 public:
  // `speed`: simulated seconds per wall second (1 = real time).
  [[nodiscard]] static std::expected<std::unique_ptr<Simulator>, std::string> start(Service& service, double speed);
  virtual ~Simulator() = default;
  virtual void stop() = 0;  // idempotent; joins its threads
};

}  // namespace omni::service
