// JSON configuration files → omni::Config (kernel/include/omnikernel/config.h). The format is
// documented in docs/CONFIG.md. Every error is an omni::ConfigError whose `field` is a path into
// the document ("presence_configs[0].capacity") and whose `reason` says what is wrong; JSON syntax
// errors name the source, line and column instead.
//
// The loader refuses duplicate keys, unknown keys, wrong types, out-of-range values and references to names that
// are not defined. Kernel::create validates the result again (it is the authority); the loader's
// job is that a mistake in a file is reported against the place in the file.
#pragma once
#include <expected>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "omnikernel/config.h"
#include "omnikernel/config/json_fields.h"
#include "omnikernel/error.h"

namespace omni::config {

[[nodiscard]] std::expected<Config, ConfigError> load_config_text(std::string_view text,
                                                                  std::string_view source = "config");
[[nodiscard]] std::expected<Config, ConfigError> load_config_file(const std::filesystem::path& file);

// Checks that every name a Config refers to is defined, and that names are unique.
[[nodiscard]] std::expected<void, ConfigError> validate_references(const Config& config);

// ---- building blocks for documents that embed a configuration (the simulator's scenario) ----

// Syntax errors: field = "<source>:<line>:<column>". A key twice in one object is refused:
// field = its path ("agents[3].name"), reason "duplicate key".
[[nodiscard]] std::expected<Json, ConfigError> parse_json_text(std::string_view text,
                                                               std::string_view source);
// The file's text. Errors name the file: "is a directory, not a <what>", "no such file",
// "cannot open the file: Permission denied", "cannot read the file: …".
[[nodiscard]] std::expected<std::string, ConfigError> read_text_file(
    const std::filesystem::path& file, std::string_view what = "configuration file");

// Reads the configuration sections (skills, channels, routing_configs, queues, presence_configs,
// statuses, profiles, agents, limits) from `document` into `out`, leaving its other keys to the
// caller, then checks references. Throws FieldError.
void read_config_sections(JsonObject& document, Config& out);

}  // namespace omni::config
