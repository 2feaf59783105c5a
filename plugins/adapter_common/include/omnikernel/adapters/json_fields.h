// Typed access to a simdjson DOM that reports WHERE a payload is wrong. Every accessor takes the
// path of the value it reads; the error it returns names that path. Absent and null optional
// fields read as "not there"; a required field that is null is a type error.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include <simdjson.h>

#include "omnikernel/adapters/json_path.h"
#include "omnikernel/adapters/parse_error.h"
#include "omnikernel/adapters/parse_result.h"

namespace omni::adapters {

[[nodiscard]] ParseError make_error(ParseErrc code, const JsonPath& path, std::string detail);
[[nodiscard]] std::string_view type_name(simdjson::dom::element_type type) noexcept;

// Type conversions of a value already found.
[[nodiscard]] ParseResult<simdjson::dom::object> as_object(simdjson::dom::element value,
                                                           const JsonPath& path);
[[nodiscard]] ParseResult<simdjson::dom::array> as_array(simdjson::dom::element value,
                                                         const JsonPath& path);
[[nodiscard]] ParseResult<std::string_view> as_string(simdjson::dom::element value,
                                                      const JsonPath& path);
// A string that must not be empty (ids).
[[nodiscard]] ParseResult<std::string_view> as_id(simdjson::dom::element value,
                                                  const JsonPath& path);

// Field lookup. `path` is the path of the object; the error names object path + key.
[[nodiscard]] ParseResult<simdjson::dom::element> require_field(simdjson::dom::object object,
                                                                std::string_view key,
                                                                const JsonPath& path);
[[nodiscard]] std::optional<simdjson::dom::element> optional_field(simdjson::dom::object object,
                                                                   std::string_view key) noexcept;

[[nodiscard]] ParseResult<simdjson::dom::object> require_object(simdjson::dom::object object,
                                                                std::string_view key,
                                                                const JsonPath& path);
[[nodiscard]] ParseResult<std::string_view> require_id(simdjson::dom::object object,
                                                       std::string_view key,
                                                       const JsonPath& path);
[[nodiscard]] ParseResult<std::string_view> require_string(simdjson::dom::object object,
                                                           std::string_view key,
                                                           const JsonPath& path);
// Empty view when absent or null; an error when present with another type.
[[nodiscard]] ParseResult<std::string_view> optional_string(simdjson::dom::object object,
                                                            std::string_view key,
                                                            const JsonPath& path);
// A language tag (BCP 47 shape: "es", "pt-BR", "zh-Hant-TW": letters first, then subtags of 1-8
// letters or digits joined by '-', at most 35 bytes): empty when absent or null; an error naming
// the path when present as another type, empty, or not of that shape. Routing rules compare it.
[[nodiscard]] ParseResult<std::string_view> optional_language(simdjson::dom::object object,
                                                              std::string_view key,
                                                              const JsonPath& path);
// Empty object/array (nullopt) when absent or null; an error when present with another type.
[[nodiscard]] ParseResult<std::optional<simdjson::dom::object>> optional_object(
    simdjson::dom::object object, std::string_view key, const JsonPath& path);
[[nodiscard]] ParseResult<std::optional<simdjson::dom::array>> optional_array(
    simdjson::dom::object object, std::string_view key, const JsonPath& path);
// The string at `key` of `value` when `value` is an object holding one there, else empty. For
// naming a message that is being rejected (its id), so it never fails.
[[nodiscard]] std::string_view peek_string(simdjson::dom::element value,
                                           std::string_view key) noexcept;

// false when absent or null.
[[nodiscard]] ParseResult<bool> optional_bool(simdjson::dom::object object, std::string_view key,
                                              const JsonPath& path);

}  // namespace omni::adapters
