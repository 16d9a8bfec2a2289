// SPDX-License-Identifier: MIT
#include "protocol/wire/message.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "protocol/wire/fields.hpp"
#include "protocol/wire/quick_decode.hpp"
#include "protocol/wire/quick_encode.hpp"

namespace groupchat::protocol {

namespace {

using json = nlohmann::json;
using namespace fields;

// Every message type with its wire name: the one place names are written.
constexpr std::pair<message_type, const char*> type_names[] = {
  {message_type::hello, "hello"},         {message_type::members, "members"},
  {message_type::greeting, "greeting"},   {message_type::welcome, "welcome"},
  {message_type::refuse, "refuse"},       {message_type::chat, "chat"},
  {message_type::heartbeat, "heartbeat"}, {message_type::leave, "leave"},
  {message_type::challenge, "challenge"}, {message_type::nick, "nick"},
  {message_type::carry, "carry"},         {message_type::route, "route"},
  {message_type::carried, "carried"},     {message_type::seal, "seal"},
  {message_type::probe, "probe"},         {message_type::suspect, "suspect"},
};

// A carried line: a public one needs a number, and its author's
// signature unless it is history (in a batch, only the last line has it,
// and the batch starts at or before it); a private one its recipient, and
// is never history.
bool carried_complete(const message& m) {
  if (m.whisper)
    return !m.to.empty() && !m.history && m.first == 0;
  return m.seq >= 1 && m.first <= m.seq
         && (m.history ? m.first == 0 || !m.proof.empty()
                       : !m.proof.empty() && m.first == 0);
}

std::optional<message_type> parse_type(std::string_view str) {
  for (auto& [type, name] : type_names)
    if (str == name)
      return type;
  return std::nullopt;
}

// -- one description per message type ----------------------------------------
//
// Each message type is described once, as the list of its fields in wire
// order, each with its JSON key, the member it maps to and its rules (range,
// form, optionality). The encoder and the decoder walk the same description,
// as CAF's inspect() serves serialisation and deserialisation alike: a field
// added to one direction cannot be forgotten in the other, and the fuzzer's
// round trip checks the description.

template <class Inspector>
auto describe(Inspector& f, message& x) {
  constexpr auto any_size = std::numeric_limits<size_t>::max();
  switch (x.type) {
    case message_type::hello:
    case message_type::heartbeat:
    case message_type::leave:
      break;
    case message_type::probe:
      return f(uint_field{"round", x.seq, 0, true, true});
    case message_type::suspect:
      return f(id_field(x.id));
    case message_type::members:
      return f(members_field{x.members});
    case message_type::challenge:
      return f(nonce_field(x.nonce));
    case message_type::nick:
      return f(name_field{x.name});
    case message_type::greeting:
      return f(name_field{x.name}, id_field(x.id), port_field{"port", x.port},
               nonce_field(x.nonce), uint_field{"seq", x.seq},
               uint_field{"seen", x.seen, 0, true},
               uint_field{"seen_since", x.seen_since, 0, true},
               uint_field{"since", x.since, 0, true},
               hex_field{"to", x.to, is_peer_id, "64 lowercase hex digits",
                         true},
               proof_field(x.proof));
    case message_type::welcome:
      return f(name_field{x.name}, id_field(x.id), members_field{x.members},
               uint_field{"seq", x.seq}, uint_field{"seen", x.seen, 0, true},
               uint_field{"seen_since", x.seen_since, 0, true},
               uint_field{"replay", x.replay, 0, true},
               uint_field{"since", x.since, 0, true}, proof_field(x.proof));
    case message_type::refuse:
      return f(code_field{x.code},
               string_field{"reason", x.text, max_reason_size},
               name_field{x.name, true});
    case message_type::chat:
      // `time`: when the line was said; `sig`: its author's signature of
      // the line alone, while a carrier passes it on (see line_seals.hpp).
      return f(
        uint_field{"seq", x.seq, 1}, string_field{"text", x.text, any_size},
        flag_field{"action", x.action}, flag_field{"private", x.whisper},
        flag_field{"history", x.history},
        rule_field{[](const message& m) { return !(m.history && m.whisper); },
                   x, "history", "false for a private line"},
        uint_field{"time", x.time, 0, true, true}, sig_field(x.proof));
    case message_type::carry:
      // `seen`, `seen_since`: how far the asker has shown `id`'s lines.
      return f(id_field(x.id), flag_field{"stop", x.stop},
               uint_field{"seen", x.seen, 0, true, true},
               uint_field{"seen_since", x.seen_since, 0, true, true});
    case message_type::route:
      return f(id_field(x.id), name_field{x.name, true},
               uint_field{"seq", x.seq, 0, true, true},
               uint_field{"since", x.since, 0, true, true},
               flag_field{"stop", x.stop}, flag_field{"left", x.left});
    case message_type::carried:
      return f(
        id_field(x.id), name_field{x.name, true},
        uint_field{"since", x.since, 0, true, true},
        uint_field{"seq", x.seq, 0, true, true},
        string_field{"text", x.text, any_size}, flag_field{"action", x.action},
        flag_field{"private", x.whisper}, flag_field{"history", x.history},
        uint_field{"time", x.time, 0, true, true}, sig_field(x.proof),
        uint_field{"first", x.first, 0, true, true},
        hex_field{"to", x.to, is_peer_id, "64 lowercase hex digits", true},
        rule_field{carried_complete, x, "sig",
                   "present with a number on a public line (only on the "
                   "last of a batch of history, `first` not above `seq`), "
                   "and `to` on a private one"});
    case message_type::seal:
      return f(uint_field{"first", x.first, 1}, uint_field{"seq", x.seq, 1},
               rule_field{[](const message& m) { return m.first <= m.seq; }, x,
                          "first", "not above `seq`"},
               sig_field(x.proof, true));
  }
  return f();
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

const char* to_string(refusal x) noexcept {
  for (auto& [code, name] : fields::refusal_names)
    if (code == x)
      return name;
  return "other";
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

message make_refuse(refusal code, std::string reason, std::string name) {
  auto msg = of_type(message_type::refuse);
  msg.code = code;
  msg.text = std::move(reason);
  msg.name = std::move(name);
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

message make_probe(uint64_t round) {
  auto msg = of_type(message_type::probe);
  msg.seq = round;
  return msg;
}

message make_suspect(peer_id id) {
  auto msg = of_type(message_type::suspect);
  msg.id = std::move(id);
  return msg;
}

message make_leave() {
  return of_type(message_type::leave);
}

message make_nick(std::string name) {
  auto msg = of_type(message_type::nick);
  msg.name = std::move(name);
  return msg;
}

message make_carry(peer_id id, bool stop, uint64_t seen, uint64_t seen_since) {
  auto msg = of_type(message_type::carry);
  msg.id = std::move(id);
  msg.stop = stop;
  msg.seen = seen;
  msg.seen_since = seen_since;
  return msg;
}

message make_route(peer_id id, std::string name, uint64_t seq, uint64_t since) {
  auto msg = of_type(message_type::route);
  msg.id = std::move(id);
  msg.name = std::move(name);
  msg.seq = seq;
  msg.since = since;
  return msg;
}

message make_seal(uint64_t first, uint64_t last, std::string sig) {
  auto msg = of_type(message_type::seal);
  msg.first = first;
  msg.seq = last;
  msg.proof = std::move(sig);
  return msg;
}

message make_unroute(peer_id id, bool left) {
  auto msg = of_type(message_type::route);
  msg.id = std::move(id);
  msg.stop = true;
  msg.left = left;
  return msg;
}

// -- encoding and decoding ----------------------------------------------------

std::string encode(const message& x) {
  // Chat lines are most of what a member sends: written without a tree
  // (quick_encode.hpp), byte for byte the same.
  if (auto body = quick_encode(x))
    return std::move(*body);
  return encode_tree(x);
}

std::string encode_tree(const message& x) {
  json obj{{"type", to_string(x.type)}, {"version", version}};
  encoder f{obj};
  describe(f, const_cast<message&>(x)); // The encoder only reads.
  return obj.dump(-1, ' ', false, json::error_handler_t::replace);
}

result<message> decode(std::string_view body) {
  // Nearly every frame is a chat line or a heartbeat: those skip the tree
  // (a node allocated per key, every string copied) and decode in about an
  // eighth of the time (quick_decode.hpp).
  if (auto msg = quick_decode(body))
    return std::move(*msg);
  return decode_tree(body);
}

result<message> decode_tree(std::string_view body) {
  // Refused before parsing: a deeply nested body would cost a DOM node per
  // bracket, tens of times its size in memory.
  if (nesting_depth(body) > max_nesting)
    return error{ec::invalid_json, "nested deeper than "
                                     + std::to_string(max_nesting) + " levels"};
  auto obj = json::parse(body.begin(), body.end(), nullptr, false);
  if (obj.is_discarded())
    return error{ec::invalid_json, "body is not well-formed UTF-8 JSON"};
  if (!obj.is_object())
    return error{ec::not_an_object,
                 std::string{"body is a JSON "} + obj.type_name()};
  auto v = obj.find("version");
  if (v == obj.end())
    return missing("version");
  if (!v->is_number_unsigned() || v->get<uint64_t>() != version)
    return error{ec::unsupported_version, "expected version "
                                            + std::to_string(version) + ", got "
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
  decoder f{obj};
  if (auto err = describe(f, result))
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
