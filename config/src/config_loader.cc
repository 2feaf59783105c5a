#include <fstream>
#include <sstream>

#include "config_internal.h"
#include "omnikernel/config/loader.h"

namespace omni::config {

std::expected<Json, ConfigError> parse_json_text(std::string_view text, std::string_view source) {
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // Report line and column rather than nlohmann's byte offset.
    const size_t offset = std::min(e.byte == 0 ? 0 : e.byte - 1, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (text[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string reason = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
    if (auto colon = reason.find(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
    return std::unexpected(ConfigError{std::string(source) + ":" + std::to_string(line) + ":" +
                                           std::to_string(column),
                                       "invalid JSON: " + reason});
  }
}

std::expected<std::string, ConfigError> read_text_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::unexpected(ConfigError{file.string(), "cannot open the file"});
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(ConfigError{file.string(), "cannot read the file"});
  return text.str();
}

std::expected<Config, ConfigError> load_config_text(std::string_view text, std::string_view source) {
  auto json = parse_json_text(text, source);
  if (!json) return std::unexpected(json.error());
  try {
    JsonObject document(*json, "");
    Config config;
    read_config_sections(document, config);
    document.refuse_unknown_keys();
    return config;
  } catch (const FieldError& e) {
    return std::unexpected(e.to_config_error());
  }
}

std::expected<Config, ConfigError> load_config_file(const std::filesystem::path& file) {
  auto text = read_text_file(file);
  if (!text) return std::unexpected(text.error());
  return load_config_text(*text, file.string());
}

std::expected<void, ConfigError> validate_references(const Config& config) {
  try {
    internal::check_references(config, {});
    return {};
  } catch (const FieldError& e) {
    return std::unexpected(e.to_config_error());
  }
}

}  // namespace omni::config
