#include "omnikernel/adapters/json_fields.h"

#include <string>

namespace omni::adapters {

namespace dom = simdjson::dom;

std::string_view to_string(ParseErrc code) noexcept {
  switch (code) {
    case ParseErrc::invalid_json: return "invalid_json";
    case ParseErrc::too_large: return "too_large";
    case ParseErrc::wrong_object: return "wrong_object";
    case ParseErrc::missing_field: return "missing_field";
    case ParseErrc::wrong_type: return "wrong_type";
    case ParseErrc::bad_value: return "bad_value";
  }
  return "unknown";
}

ParseError make_error(ParseErrc code, const JsonPath& path, std::string detail) {
  return ParseError{code, path.to_string(), std::move(detail)};
}

std::string_view type_name(dom::element_type type) noexcept {
  switch (type) {
    case dom::element_type::ARRAY: return "array";
    case dom::element_type::OBJECT: return "object";
    case dom::element_type::INT64:
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE: return "number";
    case dom::element_type::STRING: return "string";
    case dom::element_type::BOOL: return "boolean";
    case dom::element_type::NULL_VALUE: return "null";
  }
  return "unknown";
}

namespace {
ParseError type_error(std::string_view expected, dom::element value, const JsonPath& path) {
  std::string detail = "expected ";
  detail += expected;
  detail += ", got ";
  detail += type_name(value.type());
  return make_error(ParseErrc::wrong_type, path, std::move(detail));
}
}  // namespace

ParseResult<dom::object> as_object(dom::element value, const JsonPath& path) {
  dom::object object;
  if (value.get(object) != simdjson::SUCCESS) return fail(type_error("object", value, path));
  return object;
}

ParseResult<dom::array> as_array(dom::element value, const JsonPath& path) {
  dom::array array;
  if (value.get(array) != simdjson::SUCCESS) return fail(type_error("array", value, path));
  return array;
}

ParseResult<std::string_view> as_string(dom::element value, const JsonPath& path) {
  std::string_view text;
  if (value.get(text) != simdjson::SUCCESS) return fail(type_error("string", value, path));
  return text;
}

ParseResult<std::string_view> as_id(dom::element value, const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(id, as_string(value, path));
  if (id.empty()) return fail(make_error(ParseErrc::bad_value, path, "empty id"));
  return id;
}

ParseResult<dom::element> require_field(dom::object object, std::string_view key,
                                        const JsonPath& path) {
  dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) {
    return fail(make_error(ParseErrc::missing_field, path.field(key), "missing"));
  }
  return value;
}

std::optional<dom::element> optional_field(dom::object object, std::string_view key) noexcept {
  dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) return std::nullopt;
  return value;
}

ParseResult<dom::object> require_object(dom::object object, std::string_view key,
                                        const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(value, require_field(object, key, path));
  return as_object(value, path.field(key));
}

ParseResult<std::string_view> require_id(dom::object object, std::string_view key,
                                         const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(value, require_field(object, key, path));
  return as_id(value, path.field(key));
}

ParseResult<std::string_view> require_string(dom::object object, std::string_view key,
                                             const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(value, require_field(object, key, path));
  return as_string(value, path.field(key));
}

ParseResult<std::string_view> optional_string(dom::object object, std::string_view key,
                                              const JsonPath& path) {
  auto value = optional_field(object, key);
  if (!value) return std::string_view{};
  return as_string(*value, path.field(key));
}

ParseResult<std::string_view> optional_language(dom::object object, std::string_view key,
                                                const JsonPath& path) {
  OMNI_ASSIGN_OR_RETURN(tag, optional_string(object, key, path));
  if (!optional_field(object, key)) return tag;  // absent or null: the channel gave none
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  bool ok = !tag.empty() && tag.size() <= 35 && ((tag[0] >= 'a' && tag[0] <= 'z') || (tag[0] >= 'A' && tag[0] <= 'Z'));
  size_t run = 0;  // length of the current subtag
  for (char c : tag) {
    if (c == '-') {
      ok = ok && run > 0;
      run = 0;
    } else {
      ok = ok && alnum(c) && ++run <= 8;
    }
  }
  if (!ok || run == 0) {
    return fail(make_error(ParseErrc::bad_value, path.field(key),
                           "not a language tag (BCP 47, e.g. \"es\" or \"pt-BR\")"));
  }
  return tag;
}

ParseResult<std::optional<dom::object>> optional_object(dom::object object, std::string_view key,
                                                        const JsonPath& path) {
  auto value = optional_field(object, key);
  if (!value) return std::optional<dom::object>{};
  OMNI_ASSIGN_OR_RETURN(result, as_object(*value, path.field(key)));
  return std::optional<dom::object>{result};
}

ParseResult<std::optional<dom::array>> optional_array(dom::object object, std::string_view key,
                                                      const JsonPath& path) {
  auto value = optional_field(object, key);
  if (!value) return std::optional<dom::array>{};
  OMNI_ASSIGN_OR_RETURN(result, as_array(*value, path.field(key)));
  return std::optional<dom::array>{result};
}

std::string_view peek_string(dom::element value, std::string_view key) noexcept {
  dom::object object;
  std::string_view text;
  if (value.get(object) != simdjson::SUCCESS) return {};
  if (object.at_key(key).get(text) != simdjson::SUCCESS) return {};
  return text;
}

ParseResult<bool> optional_bool(dom::object object, std::string_view key, const JsonPath& path) {
  auto value = optional_field(object, key);
  if (!value) return false;
  bool flag = false;
  if (value->get(flag) != simdjson::SUCCESS) {
    return fail(type_error("boolean", *value, path.field(key)));
  }
  return flag;
}

}  // namespace omni::adapters
