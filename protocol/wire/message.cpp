#include "protocol/wire/message.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "protocol/wire/endpoint.hpp"


namespace groupchat::protocol {

namespace {

using json = nlohmann::json;

// Every message type with its wire name: the one place names are written.
constexpr std::pair<message_type, const char*> type_names[] = {
  {message_type::hello, "hello"},         {message_type::members, "members"},
  {message_type::greeting, "greeting"},   {message_type::welcome, "welcome"},
  {message_type::refuse, "refuse"},       {message_type::chat, "chat"},
  {message_type::heartbeat, "heartbeat"}, {message_type::leave, "leave"},
  {message_type::challenge, "challenge"}, {message_type::nick, "nick"},
};

std::optional<message_type> parse_type(std::string_view str) {
  for (auto& [type, name] : type_names)
    if (str == name)
      return type;
  return std::nullopt;
}

error missing(const char* field) {
  return error{ec::missing_field, std::string{"no field '"} + field + "'"};
}

error invalid(const char* field, const char* expected) {
  return error{ec::invalid_field,
               std::string{"field '"} + field + "' must be " + expected};
}

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

result<std::string> get_id(const json& obj) {
  return get_hex(obj, "id", is_peer_id, "64 lowercase hex digits");
}

result<std::string> get_nonce(const json& obj) {
  return get_hex(obj, "nonce", is_nonce, "64 lowercase hex digits");
}

result<std::string> get_proof(const json& obj) {
  return get_hex(obj, "proof", is_proof, "128 lowercase hex digits");
}

result<std::vector<member_info>> get_members(const json& obj) {
  auto i = obj.find("members");
  if (i == obj.end())
    return missing("members");
  if (!i->is_array())
    return invalid("members", "an array");
  std::vector<member_info> result;
  result.reserve(i->size());
  for (auto& entry : *i) {
    if (!entry.is_object())
      return invalid("members", "an array of objects");
    member_info m;
    if (auto err = take(get_name(entry), m.name))
      return std::move(*err);
    if (auto err = take(get_string(entry, "host", max_host_size), m.host))
      return std::move(*err);
    // Numeric only: no peer makes us look up a name it chose.
    if (!m.host.empty() && !is_ip_literal(m.host))
      return invalid("host", "empty or a numeric IP address");
    if (auto err = take(get_port(entry, "port"), m.port))
      return std::move(*err);
    if (auto err = take(get_id(entry), m.id))
      return std::move(*err);
    if (auto err = take(get_count(entry, "since"), m.since))
      return std::move(*err);
    result.push_back(std::move(m));
  }
  return result;
}

// Fills the type-specific fields of `msg` from `obj`; the first field that
// does not decode is the error.
std::optional<error> decode_fields(const json& obj, message& msg) {
  constexpr auto any_size = std::numeric_limits<size_t>::max();
  switch (msg.type) {
    case message_type::hello:
    case message_type::heartbeat:
    case message_type::leave:
      return std::nullopt;
    case message_type::members:
      return take(get_members(obj), msg.members);
    case message_type::challenge:
      return take(get_nonce(obj), msg.nonce);
    case message_type::nick:
      return take(get_name(obj), msg.name);
    case message_type::greeting:
      if (auto err = take(get_name(obj), msg.name))
        return err;
      if (auto err = take(get_id(obj), msg.id))
        return err;
      if (auto err = take(get_port(obj, "port"), msg.port))
        return err;
      if (auto err = take(get_nonce(obj), msg.nonce))
        return err;
      if (auto err = take(get_uint(obj, "seq", 0, max_seq), msg.seq))
        return err;
      if (auto err = take(get_count(obj, "seen"), msg.seen))
        return err;
      if (auto err = take(get_count(obj, "since"), msg.since))
        return err;
      if (obj.find("to") != obj.end())
        if (auto err = take(get_hex(obj, "to", is_peer_id,
                                    "64 lowercase hex digits"),
                            msg.to))
          return err;
      return take(get_proof(obj), msg.proof);
    case message_type::welcome:
      if (auto err = take(get_name(obj), msg.name))
        return err;
      if (auto err = take(get_id(obj), msg.id))
        return err;
      if (auto err = take(get_members(obj), msg.members))
        return err;
      if (auto err = take(get_uint(obj, "seq", 0, max_seq), msg.seq))
        return err;
      if (auto err = take(get_count(obj, "seen"), msg.seen))
        return err;
      if (auto err = take(get_count(obj, "replay"), msg.replay))
        return err;
      if (auto err = take(get_count(obj, "since"), msg.since))
        return err;
      return take(get_proof(obj), msg.proof);
    case message_type::refuse:
      return take(get_string(obj, "reason", max_reason_size), msg.text);
    case message_type::chat:
      if (auto err = take(get_uint(obj, "seq", 1, max_seq), msg.seq))
        return err;
      if (auto err = take(get_string(obj, "text", any_size), msg.text))
        return err;
      if (auto err = take(get_flag(obj, "action"), msg.action))
        return err;
      if (auto err = take(get_flag(obj, "private"), msg.whisper))
        return err;
      if (auto err = take(get_flag(obj, "history"), msg.history))
        return err;
      if (msg.history && msg.whisper)
        return invalid("history", "false for a private line");
      // A time belongs to history only; elsewhere it is ignored, like any
      // field this version does not know.
      if (!msg.history)
        return std::nullopt;
      return take(get_count(obj, "time"), msg.time);
  }
  return error{ec::unknown_type, "unhandled message type"};
}

} // namespace

size_t nesting_depth(std::string_view body) noexcept {
  size_t depth = 0;
  size_t deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < body.size(); ++i) {
    auto c = body[i];
    if (in_string) {
      if (c == '\\')
        ++i; // Whatever is escaped cannot end the string.
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

const char* to_string(message_type x) noexcept {
  for (auto& [type, name] : type_names)
    if (type == x)
      return name;
  return "unknown";
}

// -- factories ----------------------------------------------------------------

namespace {

message of_type(message_type type) {
  message msg;
  msg.type = type;
  return msg;
}

} // namespace

message make_hello() {
  return of_type(message_type::hello);
}

message make_members(std::vector<member_info> members) {
  auto msg = of_type(message_type::members);
  msg.members = std::move(members);
  return msg;
}

message make_greeting(std::string name, uint16_t port, peer_id id,
                      std::string nonce, uint64_t said) {
  auto msg = of_type(message_type::greeting);
  msg.name = std::move(name);
  msg.port = port;
  msg.id = std::move(id);
  msg.nonce = std::move(nonce);
  msg.seq = said;
  return msg;
}

message make_welcome(std::string name, peer_id id,
                     std::vector<member_info> members, uint64_t said) {
  auto msg = of_type(message_type::welcome);
  msg.name = std::move(name);
  msg.id = std::move(id);
  msg.members = std::move(members);
  msg.seq = said;
  return msg;
}

message make_challenge(std::string nonce) {
  auto msg = of_type(message_type::challenge);
  msg.nonce = std::move(nonce);
  return msg;
}

message make_refuse(std::string reason) {
  auto msg = of_type(message_type::refuse);
  msg.text = std::move(reason);
  return msg;
}

message make_chat(std::string text, uint64_t seq) {
  auto msg = of_type(message_type::chat);
  msg.seq = seq;
  msg.text = std::move(text);
  return msg;
}

message make_history(std::string text, uint64_t seq, bool action,
                     uint64_t time) {
  auto msg = make_chat(std::move(text), seq);
  msg.action = action;
  msg.history = true;
  msg.time = time;
  return msg;
}

message make_action(std::string text, uint64_t seq) {
  auto msg = make_chat(std::move(text), seq);
  msg.action = true;
  return msg;
}

message make_whisper(std::string text, uint64_t seq) {
  auto msg = make_chat(std::move(text), seq);
  msg.whisper = true;
  return msg;
}

message make_heartbeat() {
  return of_type(message_type::heartbeat);
}

message make_leave() {
  return of_type(message_type::leave);
}

message make_nick(std::string name) {
  auto msg = of_type(message_type::nick);
  msg.name = std::move(name);
  return msg;
}

// -- encoding and decoding ----------------------------------------------------

std::string encode(const message& x) {
  json obj{{"type", to_string(x.type)}, {"version", version}};
  auto add_members = [&] {
    auto& list = obj["members"] = json::array();
    for (auto& m : x.members)
      list.push_back({{"name", m.name},
                      {"host", m.host},
                      {"port", m.port},
                      {"id", m.id},
                      {"since", m.since}});
  };
  switch (x.type) {
    case message_type::hello:
    case message_type::heartbeat:
    case message_type::leave:
      break;
    case message_type::members:
      add_members();
      break;
    case message_type::challenge:
      obj["nonce"] = x.nonce;
      break;
    case message_type::nick:
      obj["name"] = x.name;
      break;
    case message_type::greeting:
      obj["name"] = x.name;
      obj["id"] = x.id;
      obj["port"] = x.port;
      obj["nonce"] = x.nonce;
      obj["seq"] = x.seq;
      obj["seen"] = x.seen;
      obj["since"] = x.since;
      if (!x.to.empty())
        obj["to"] = x.to;
      obj["proof"] = x.proof;
      break;
    case message_type::welcome:
      obj["name"] = x.name;
      obj["id"] = x.id;
      add_members();
      obj["seq"] = x.seq;
      obj["seen"] = x.seen;
      obj["replay"] = x.replay;
      obj["since"] = x.since;
      obj["proof"] = x.proof;
      break;
    case message_type::refuse:
      obj["reason"] = x.text;
      break;
    case message_type::chat:
      obj["seq"] = x.seq;
      obj["text"] = x.text;
      // Optional flags stay off the wire when false.
      if (x.action)
        obj["action"] = true;
      if (x.whisper)
        obj["private"] = true;
      if (x.history) {
        obj["history"] = true;
        obj["time"] = x.time;
      }
      break;
  }
  return obj.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<message> decode(std::string_view body) {
  // Refused before parsing: a deeply nested body would cost a DOM node per
  // bracket, tens of times its size in memory.
  if (nesting_depth(body) > max_nesting)
    return error{ec::invalid_json, "nested deeper than "
                                     + std::to_string(max_nesting) + " levels"};
  auto obj = json::parse(body.begin(), body.end(), nullptr, false);
  if (obj.is_discarded())
    return error{ec::invalid_json, "body is not well-formed UTF-8 JSON"};
  if (!obj.is_object())
    return error{ec::not_an_object, std::string{"body is a JSON "}
                                      + obj.type_name()};
  auto v = obj.find("version");
  if (v == obj.end())
    return missing("version");
  if (!v->is_number_unsigned() || v->get<uint64_t>() != version)
    return error{ec::unsupported_version,
                 "expected version " + std::to_string(version) + ", got "
                   + v->dump()};
  auto t = obj.find("type");
  if (t == obj.end())
    return missing("type");
  if (!t->is_string())
    return invalid("type", "a string");
  auto type = parse_type(t->get_ref<const std::string&>());
  if (!type)
    return error{ec::unknown_type, "unknown message type " + t->dump()};
  message result;
  result.type = *type;
  if (auto err = decode_fields(obj, result))
    return std::move(*err);
  return result;
}

// -- validation ---------------------------------------------------------------

result<std::string> validate_name(std::string_view name) {
  auto normal = normalize_name(name);
  if (normal && *normal != name)
    return error{ec::invalid_name, "a name must be in Unicode normal form C"};
  return normal;
}

} // namespace groupchat::protocol
