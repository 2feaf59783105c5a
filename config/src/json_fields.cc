#include "omnikernel/config/json_fields.h"

#include <algorithm>
#include <cmath>

#include "omnikernel/config/duration.h"

namespace omni::config {

void fail(std::string field, std::string reason) {
  throw FieldError{std::move(field), std::move(reason)};
}

std::string_view json_type_name(const Json& value) {
  if (value.is_number()) return "number";
  return value.type_name();
}

namespace {

[[noreturn]] void wrong_type(const Json& value, const std::string& path, std::string_view wanted) {
  fail(path, "expected " + std::string(wanted) + ", got " + std::string(json_type_name(value)));
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

std::string read_string(const Json& value, const std::string& path) {
  if (!value.is_string()) wrong_type(value, path, "a string");
  return value.get<std::string>();
}

std::string read_name(const Json& value, const std::string& path) {
  std::string name = read_string(value, path);
  if (name.empty()) fail(path, "must not be empty");
  return name;
}

bool read_bool(const Json& value, const std::string& path) {
  if (!value.is_boolean()) wrong_type(value, path, "true or false");
  return value.get<bool>();
}

double read_number(const Json& value, const std::string& path) {
  if (!value.is_number()) wrong_type(value, path, "a number");
  const double d = value.get<double>();
  if (!std::isfinite(d)) fail(path, "must be a finite number");
  return d;
}

int64_t read_integer(const Json& value, const std::string& path, int64_t min, int64_t max) {
  if (!value.is_number()) wrong_type(value, path, "an integer");
  int64_t n = 0;
  if (value.is_number_unsigned()) {
    const uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) fail(path, "must be <= " + std::to_string(max));
    n = static_cast<int64_t>(u);
  } else if (value.is_number_integer()) {
    n = value.get<int64_t>();
  } else {
    const double d = value.get<double>();
    if (d != std::floor(d) || !std::isfinite(d)) fail(path, "must be a whole number");
    if (d < -9.2e18 || d > 9.2e18) fail(path, "is out of range");
    n = static_cast<int64_t>(d);
  }
  if (n < min) fail(path, "must be >= " + std::to_string(min));
  if (n > max) fail(path, "must be <= " + std::to_string(max));
  return n;
}

Duration read_duration(const Json& value, const std::string& path) {
  std::expected<Duration, std::string> d;
  if (value.is_number()) {
    d = duration_from_seconds(value.get<double>());
  } else if (value.is_string()) {
    d = parse_duration(value.get<std::string>());
  } else {
    wrong_type(value, path, "a duration (seconds, or a string such as \"30s\")");
  }
  if (!d) fail(path, d.error());
  return *d;
}

Duration read_kernel_timer(const Json& value, const std::string& path) {
  const Duration d = read_duration(value, path);
  if (d > kKernelTimerMax) fail(path, "must be at most 1h");
  return d;
}

std::vector<std::string> read_string_list(const Json& value, const std::string& path) {
  std::vector<std::string> out;
  for_each_element(value, path, [&](const Json& element, const std::string& element_path) {
    out.push_back(read_name(element, element_path));
  });
  return out;
}

size_t read_choice(const Json& value, const std::string& path, std::string_view what,
                   std::initializer_list<std::string_view> choices) {
  const std::string s = read_string(value, path);
  size_t i = 0;
  std::string list;
  for (std::string_view c : choices) {
    if (c == s) return i;
    list += (i ? ", " : "") + std::string(c);
    ++i;
  }
  fail(path, "unknown " + std::string(what) + " " + in_quotes(s) + " (one of: " + list + ")");
}

void for_each_element(const Json& value, const std::string& path,
                      const std::function<void(const Json&, const std::string&)>& visit) {
  if (!value.is_array()) wrong_type(value, path, "an array");
  for (size_t i = 0; i < value.size(); ++i) {
    visit(value[i], path + "[" + std::to_string(i) + "]");
  }
}

JsonObject::JsonObject(const Json& value, std::string path)
    : value_(value), path_(std::move(path)) {
  if (!value_.is_object()) {
    wrong_type(value_, path_.empty() ? std::string("(top level)") : path_, "an object");
  }
}

std::string JsonObject::path_of(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

bool JsonObject::has(std::string_view key) const { return value_.contains(key); }

const Json* JsonObject::find(std::string_view key) {
  // Every key asked for is known vocabulary, present or not: refuse_unknown_keys() suggests
  // among them when it meets a typo.
  read_keys_.emplace_back(key);
  auto it = value_.find(key);
  if (it == value_.end()) return nullptr;
  return &*it;
}

const Json& JsonObject::require(std::string_view key) {
  const Json* v = find(key);
  if (v == nullptr) fail(path_of(key), "missing (required)");
  return *v;
}

void JsonObject::read(std::string_view key, std::string& out) {
  if (const Json* v = find(key)) out = read_string(*v, path_of(key));
}
void JsonObject::read(std::string_view key, bool& out) {
  if (const Json* v = find(key)) out = read_bool(*v, path_of(key));
}
void JsonObject::read(std::string_view key, double& out) {
  if (const Json* v = find(key)) out = read_number(*v, path_of(key));
}
void JsonObject::read(std::string_view key, int32_t& out) {
  if (const Json* v = find(key)) {
    out = static_cast<int32_t>(read_integer(*v, path_of(key), INT32_MIN, INT32_MAX));
  }
}
void JsonObject::read(std::string_view key, uint32_t& out) {
  if (const Json* v = find(key)) {
    out = static_cast<uint32_t>(read_integer(*v, path_of(key), 0, UINT32_MAX));
  }
}
void JsonObject::read(std::string_view key, uint64_t& out) {
  if (const Json* v = find(key)) {
    out = static_cast<uint64_t>(read_integer(*v, path_of(key), 0, INT64_MAX));
  }
}
void JsonObject::read(std::string_view key, Duration& out) {
  if (const Json* v = find(key)) out = read_duration(*v, path_of(key));
}
void JsonObject::read(std::string_view key, std::vector<std::string>& out) {
  if (const Json* v = find(key)) out = read_string_list(*v, path_of(key));
}

void JsonObject::ignore(std::string_view key) { read_keys_.emplace_back(key); }

void JsonObject::refuse_unknown_keys() const {
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    const std::string& key = it.key();
    if (key.starts_with("$")) continue;  // "$comment" and friends document a file
    if (std::find(read_keys_.begin(), read_keys_.end(), key) != read_keys_.end()) continue;
    std::string reason = "unknown key";
    if (auto guess = did_you_mean(key, read_keys_)) reason += " (did you mean \"" + *guess + "\"?)";
    fail(path_of(key), reason);
  }
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  auto distance = [](std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
      size_t diagonal = row[0];
      row[0] = i;
      for (size_t j = 1; j <= b.size(); ++j) {
        const size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  std::optional<std::string> best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const std::string& c : candidates) {
    const size_t d = distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace omni::config
