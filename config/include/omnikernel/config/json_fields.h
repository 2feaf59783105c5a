// Reading JSON configuration with errors that name the field: "queues[2].routing.model: unknown
// model \"fastest\"". Shared by the kernel configuration loader and the simulator's scenario.
//
// Not a hot path. Readers throw FieldError; the public loaders catch it at their boundary and
// return omni::ConfigError, so no exception leaves the library.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "omnikernel/error.h"
#include "omnikernel/time.h"

namespace omni::config {

using Json = nlohmann::json;

struct FieldError {
  std::string field;
  std::string reason;
  [[nodiscard]] ConfigError to_config_error() const { return {field, reason}; }
};

[[noreturn]] void fail(std::string field, std::string reason);

// "object", "array", "string", "number", "boolean" or "null".
[[nodiscard]] std::string_view json_type_name(const Json& value);

// Leaf readers: each checks the JSON type and throws FieldError naming `path`.
[[nodiscard]] std::string read_string(const Json& value, const std::string& path);
[[nodiscard]] std::string read_name(const Json& value, const std::string& path);  // non-empty
[[nodiscard]] bool read_bool(const Json& value, const std::string& path);
[[nodiscard]] double read_number(const Json& value, const std::string& path);
[[nodiscard]] int64_t read_integer(const Json& value, const std::string& path, int64_t min,
                                   int64_t max);
[[nodiscard]] Duration read_duration(const Json& value, const std::string& path);
// A duration the kernel keeps on its timer wheel (a skill's drop_after, a preferred_wait): the
// wheel holds at most kKernelTimerMax, and the kernel refuses more with a bare status at run time,
// so the file is refused here, naming the field: "…: must be at most 1h".
inline constexpr Duration kKernelTimerMax = std::chrono::hours(1);
[[nodiscard]] Duration read_kernel_timer(const Json& value, const std::string& path);
[[nodiscard]] std::vector<std::string> read_string_list(const Json& value, const std::string& path);
// One of `choices`; the error lists them, e.g. `unknown model "fastest" (one of: least_active, …)`.
[[nodiscard]] size_t read_choice(const Json& value, const std::string& path, std::string_view what,
                                 std::initializer_list<std::string_view> choices);

// Calls visit(element, "path[i]") for each element of an array.
void for_each_element(const Json& value, const std::string& path,
                      const std::function<void(const Json&, const std::string&)>& visit);

// A JSON object whose keys are read one by one; refuse_unknown_keys() then rejects what was not
// read, so a typo ("capcity") is an error instead of a silently ignored setting.
class JsonObject {
 public:
  // Keeps a reference to `value`, which must outlive the reader.
  JsonObject(const Json& value, std::string path);
  JsonObject(Json&& value, std::string path) = delete;

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] std::string path_of(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const;
  // The member, marked as read; nullptr when absent.
  [[nodiscard]] const Json* find(std::string_view key);
  // The member, marked as read; FieldError "missing" when absent.
  [[nodiscard]] const Json& require(std::string_view key);

  // Optional members: `out` keeps its default when the key is absent.
  void read(std::string_view key, std::string& out);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, double& out);
  void read(std::string_view key, int32_t& out);
  void read(std::string_view key, uint32_t& out);
  void read(std::string_view key, uint64_t& out);
  void read(std::string_view key, Duration& out);
  void read(std::string_view key, std::vector<std::string>& out);

  // Marks keys as known without reading them (e.g. "$comment").
  void ignore(std::string_view key);
  void refuse_unknown_keys() const;

 private:
  const Json& value_;
  std::string path_;
  std::vector<std::string> read_keys_;
};

// Closest candidate by edit distance, if close enough to be a plausible typo.
[[nodiscard]] std::optional<std::string> did_you_mean(std::string_view word,
                                                      const std::vector<std::string>& candidates);

}  // namespace omni::config
