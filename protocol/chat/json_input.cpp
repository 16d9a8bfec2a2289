// SPDX-License-Identifier: MIT
#include "protocol/chat/json_input.hpp"

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace groupchat::protocol {

namespace {

using json = nlohmann::json;
using kind = typed_line::kind;

typed_line mistake(std::string why) {
  return {kind::mistake, {}, std::move(why)};
}

// Field `key` of `obj` as a string: nothing if it is there but no string.
// `present` tells whether it is there at all.
std::optional<std::string> string_field(const json& obj, const char* key,
                                        bool& present) {
  auto i = obj.find(key);
  present = i != obj.end();
  if (!present)
    return std::string{};
  if (!i->is_string())
    return std::nullopt;
  return i->get<std::string>();
}

// A field that must be there, as a non-empty string: nothing wrong, or
// the mistake.
std::optional<typed_line> need(const json& obj, const char* key,
                               std::string& out) {
  bool present = false;
  auto value = string_field(obj, key, present);
  if (!value || !present || value->empty())
    return mistake(std::string{"\""} + key + "\" must be a non-empty string");
  out = std::move(*value);
  return std::nullopt;
}

typed_line with_text(const json& obj, kind what) {
  typed_line result{what, {}, {}};
  if (auto bad = need(obj, "text", result.text))
    return *bad;
  return result;
}

typed_line command(const json& obj, const std::string& cmd) {
  if (cmd == "say")
    return with_text(obj, kind::say);
  if (cmd == "me")
    return with_text(obj, kind::action);
  if (cmd == "msg") {
    auto result = with_text(obj, kind::whisper);
    if (result.what != kind::mistake)
      if (auto bad = need(obj, "to", result.name))
        return *bad;
    return result;
  }
  if (cmd == "nick") {
    typed_line result{kind::nick, {}, {}};
    if (auto bad = need(obj, "name", result.name))
      return *bad;
    return result;
  }
  if (cmd == "who")
    return {kind::who, {}, {}};
  if (cmd == "quit") {
    bool present = false;
    auto text = string_field(obj, "text", present);
    if (!text)
      return mistake("\"text\" must be a string");
    return {kind::leave, {}, std::move(*text)};
  }
  return mistake("unknown command \"" + cmd
                 + "\" (say, me, msg, nick, who or quit)");
}

} // namespace

typed_line parse_json_line(std::string_view line) {
  auto obj = json::parse(line.begin(), line.end(), nullptr, false);
  if (obj.is_discarded() || !obj.is_object())
    return mistake("not a JSON object");
  bool present = false;
  auto cmd = string_field(obj, "cmd", present);
  if (!cmd || !present)
    return mistake("\"cmd\" must be a string");
  return command(obj, *cmd);
}

} // namespace groupchat::protocol
