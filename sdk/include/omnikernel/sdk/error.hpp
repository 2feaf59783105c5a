// omni::sdk::Error — how a plugin written in C++ reports a failure. Throw it (or any exception)
// from a plugin method: the boundary in plugin.hpp catches everything and turns it into an
// omni_status plus a message in the host's buffer, so no exception ever crosses into the host.
#pragma once
#include <stdexcept>
#include <string>

#include "omnikernel/sdk/omni_plugin.h"

namespace omni::sdk {

class Error : public std::runtime_error {
 public:
  Error(omni_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  [[nodiscard]] omni_status status() const noexcept { return status_; }

 private:
  omni_status status_;
};

// The config text given to the plugin is invalid: name the field, e.g. "window_hours: not a number".
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(OMNI_ERR_CONFIG, message) {}
};

// An inbound payload is not what the channel sends: name the JSON path, e.g. "entry[0].changes".
class PayloadError : public Error {
 public:
  explicit PayloadError(const std::string& message) : Error(OMNI_ERR_MALFORMED_PAYLOAD, message) {}
};

}  // namespace omni::sdk
