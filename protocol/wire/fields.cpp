// SPDX-License-Identifier: MIT
#include "protocol/wire/fields.hpp"

#include <limits>
#include <utility>

#include "protocol/wire/endpoint.hpp"

namespace groupchat::protocol::fields {

error missing(const char* field) {
  return error{ec::missing_field, std::string{"no field '"} + field + "'"};
}

error invalid(const char* field, const char* expected) {
  return error{ec::invalid_field,
               std::string{"field '"} + field + "' must be " + expected};
}

namespace {

// Moves a decoded field into `out`; returns the error if it did not decode.
template <class T>
std::optional<error> take(result<T> field, T& out) {
  if (!field)
    return field.error();
  out = std::move(*field);
  return std::nullopt;
}

// The decoders below look up one field each and never throw: every access is
// preceded by a type check.

result<std::string> get_string(const json& obj, const char* field,
                               size_t max_size) {
  auto i = obj.find(field);
  if (i == obj.end())
    return missing(field);
  if (!i->is_string())
    return invalid(field, "a string");
  auto& str = i->get_ref<const std::string&>();
  if (str.size() > max_size)
    return invalid(field, "shorter");
  return str;
}

result<uint16_t> get_port(const json& obj, const char* field) {
  auto i = obj.find(field);
  if (i == obj.end())
    return missing(field);
  if (!i->is_number_unsigned())
    return invalid(field, "an integer from 1 to 65535");
  auto value = i->get<uint64_t>();
  if (value == 0 || value > std::numeric_limits<uint16_t>::max())
    return invalid(field, "an integer from 1 to 65535");
  return static_cast<uint16_t>(value);
}

result<uint64_t> get_uint(const json& obj, const char* field, uint64_t min,
                          uint64_t max) {
  auto i = obj.find(field);
  if (i == obj.end())
    return missing(field);
  auto range = "an integer from " + std::to_string(min) + " to "
               + std::to_string(max);
  if (!i->is_number_unsigned())
    return invalid(field, range.c_str());
  auto value = i->get<uint64_t>();
  if (value < min || value > max)
    return invalid(field, range.c_str());
  return value;
}

// An optional boolean: absent is false.
result<bool> get_flag(const json& obj, const char* field) {
  auto i = obj.find(field);
  if (i == obj.end())
    return false;
  if (!i->is_boolean())
    return invalid(field, "true or false");
  return i->get<bool>();
}

// An optional count: absent is 0.
result<uint64_t> get_count(const json& obj, const char* field) {
  if (obj.find(field) == obj.end())
    return uint64_t{0};
  return get_uint(obj, field, 0, max_seq);
}

result<std::string> get_name(const json& obj) {
  // The size bound here only guards the copy; validate_name has the real one.
  auto str = get_string(obj, "name", max_name_size * 4);
  if (!str)
    return str.error();
  return validate_name(*str);
}

// A string of hex digits whose form `valid` checks (an ID, nonce, proof).
result<std::string> get_hex(const json& obj, const char* field,
                            bool (*valid)(std::string_view) noexcept,
                            const char* expected) {
  auto str = get_string(obj, field, proof_size);
  if (!str)
    return str.error();
  if (!valid(*str))
    return invalid(field, expected);
  return str;
}

} // namespace

void encoder::put(const name_field& x) {
  if (!x.optional || !x.value.empty())
    obj["name"] = x.value;
}

void encoder::put(const code_field& x) {
  obj["code"] = to_string(x.value);
}

void encoder::put(const string_field& x) {
  obj[x.key] = x.value;
}

void encoder::put(const hex_field& x) {
  if (!x.optional || !x.value.empty())
    obj[x.key] = x.value;
}

void encoder::put(const port_field& x) {
  obj[x.key] = x.value;
}

void encoder::put(const uint_field& x) {
  if (x.omit_zero && x.value == 0)
    return;
  obj[x.key] = x.value;
}

void encoder::put(const flag_field& x) {
  if (x.value)
    obj[x.key] = true;
}

void encoder::put(const host_field& x) {
  obj["host"] = x.value;
}

void encoder::put(const members_field& x) {
  auto& list = obj["members"] = json::array();
  for (auto& m : x.value) {
    json entry = json::object();
    encoder nested{entry};
    describe(nested, const_cast<member_info&>(m)); // Only read.
    list.push_back(std::move(entry));
  }
}

std::optional<error> decoder::get(const name_field& x) {
  if (x.optional && obj.find("name") == obj.end())
    return std::nullopt;
  return take(get_name(obj), x.value);
}

std::optional<error> decoder::get(const code_field& x) {
  x.value = refusal::other;
  auto i = obj.find("code");
  if (i == obj.end())
    return std::nullopt;
  if (!i->is_string())
    return invalid("code", "a string");
  for (auto& [code, name] : refusal_names)
    if (*i == name)
      x.value = code;
  return std::nullopt;
}

std::optional<error> decoder::get(const string_field& x) {
  return take(get_string(obj, x.key, x.max_size), x.value);
}

std::optional<error> decoder::get(const hex_field& x) {
  if (x.optional && obj.find(x.key) == obj.end())
    return std::nullopt;
  return take(get_hex(obj, x.key, x.valid, x.expected), x.value);
}

std::optional<error> decoder::get(const port_field& x) {
  return take(get_port(obj, x.key), x.value);
}

std::optional<error> decoder::get(const uint_field& x) {
  if (x.optional)
    return take(get_count(obj, x.key), x.value);
  return take(get_uint(obj, x.key, x.min, max_seq), x.value);
}

std::optional<error> decoder::get(const flag_field& x) {
  return take(get_flag(obj, x.key), x.value);
}

std::optional<error> decoder::get(const host_field& x) {
  if (auto err = take(get_string(obj, "host", max_host_size), x.value))
    return err;
  // Numeric only: no peer makes us look up a name it chose.
  if (!x.value.empty() && !is_ip_literal(x.value))
    return invalid("host", "empty or a numeric IP address");
  return std::nullopt;
}

std::optional<error> decoder::get(const members_field& x) {
  auto i = obj.find("members");
  if (i == obj.end())
    return missing("members");
  if (!i->is_array())
    return invalid("members", "an array");
  x.value.clear();
  x.value.reserve(i->size());
  for (auto& entry : *i) {
    if (!entry.is_object())
      return invalid("members", "an array of objects");
    member_info m;
    decoder nested{entry};
    if (auto err = describe(nested, m))
      return err;
    x.value.push_back(std::move(m));
  }
  return std::nullopt;
}

std::optional<error> decoder::get(const rule_field& x) {
  if (x.holds(x.msg))
    return std::nullopt;
  return invalid(x.key, x.expected);
}

} // namespace groupchat::protocol::fields
