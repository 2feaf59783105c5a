// omni::Config → JSON text that load_config_text reads back into an equal Config: how a running
// kernel's configuration is written down (the journal keeps it beside the events, so recovery
// rebuilds the same kernel). Every field is written, defaults included, so the text does not
// depend on today's defaults; durations are exact ("1500ms", "250000ns").
#pragma once
#include <string>

#include "omnikernel/config.h"

namespace omni::config {

[[nodiscard]] std::string write_config(const Config& config);

}  // namespace omni::config
