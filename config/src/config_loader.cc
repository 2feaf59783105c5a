#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "config_internal.h"
#include "omnikernel/config/loader.h"

namespace omni::config {
namespace {

// A duplicate key: JSON leaves its meaning undefined and nlohmann::json keeps the last one, so a
// second "capacity" would silently replace the first. Thrown from the SAX handler below.
struct DuplicateKey {
  std::string path;
};

// Builds the document like Json::parse and refuses a key its object already has, naming the
// key's path in the field-path style of the readers ("agents[3].name"). A syntax error is
// rethrown as nlohmann's parse_error, as Json::parse would.
class DomRefusingDuplicateKeys {
 public:
  explicit DomRefusingDuplicateKeys(Json& root) : root_(root) {}

  bool null() { return add(Json(nullptr)); }
  bool boolean(bool v) { return add(Json(v)); }
  bool number_integer(Json::number_integer_t v) { return add(Json(v)); }
  bool number_unsigned(Json::number_unsigned_t v) { return add(Json(v)); }
  bool number_float(Json::number_float_t v, const Json::string_t&) { return add(Json(v)); }
  bool string(Json::string_t& v) { return add(Json(std::move(v))); }
  bool binary(Json::binary_t& v) { return add(Json(std::move(v))); }

  bool start_object(std::size_t) { return open(Json::object()); }
  bool start_array(std::size_t) { return open(Json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(Json::string_t& k) {
    const Container& top = stack_.back();
    if (top.value->contains(k)) throw DuplicateKey{join(top.path, k)};
    key_ = std::move(k);
    return true;
  }

  template <class Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& e) {
    throw e;
  }

 private:
  struct Container {
    Json* value;
    std::string path;
  };

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

  // The path of the value about to be added.
  std::string next_path() const {
    if (stack_.empty()) return {};
    const Container& top = stack_.back();
    if (top.value->is_array()) return top.path + "[" + std::to_string(top.value->size()) + "]";
    return join(top.path, key_);
  }

  Json* place(Json&& v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    Json& top = *stack_.back().value;
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    // Objects are std::map: the element's address stays valid while its children are added.
    return &(top[key_] = std::move(v));
  }

  bool add(Json&& v) {
    place(std::move(v));
    return true;
  }

  bool open(Json&& container) {
    std::string path = next_path();
    stack_.push_back({place(std::move(container)), std::move(path)});
    return true;
  }

  bool close() {
    stack_.pop_back();
    return true;
  }

  Json& root_;
  std::vector<Container> stack_;
  std::string key_;
};

}  // namespace


std::expected<Json, ConfigError> parse_json_text(std::string_view text, std::string_view source) {
  try {
    Json json;
    DomRefusingDuplicateKeys dom(json);
    Json::sax_parse(text.begin(), text.end(), &dom);
    return json;
  } catch (const DuplicateKey& e) {
    return std::unexpected(ConfigError{e.path, "duplicate key"});
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

// A directory is not a file to read: an ifstream opens one and reads nothing, which the parser
// would call invalid JSON. A file that cannot be opened or read says why (errno), a missing one
// plainly "no such file".
std::expected<std::string, ConfigError> read_text_file(const std::filesystem::path& file,
                                                       std::string_view what) {
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) {
    return std::unexpected(ConfigError{file.string(), "is a directory, not a " + std::string(what)});
  }
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (f == nullptr) {
    const int error = errno;
    if (error == ENOENT) return std::unexpected(ConfigError{file.string(), "no such file"});
    return std::unexpected(ConfigError{file.string(), std::string("cannot open the file: ") + std::strerror(error)});
  }
  std::string text;
  char buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  const int error = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (error != 0) {
    return std::unexpected(ConfigError{file.string(), std::string("cannot read the file: ") + std::strerror(error)});
  }
  return text;
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
  auto text = read_text_file(file, "configuration file");
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
