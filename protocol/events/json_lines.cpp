// SPDX-License-Identifier: MIT
#include "protocol/events/json_lines.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace groupchat::protocol {

namespace {

// Ordered: "event" first, the rest as documented, for people who read it.
using json = nlohmann::ordered_json;

json entries(const std::vector<member_entry>& members) {
  auto result = json::array();
  for (auto& m : members) {
    json entry{{"name", m.name}, {"id", m.id}, {"address", m.address}};
    if (!m.via.empty())
      entry["via"] = m.via;
    result.push_back(std::move(entry));
  }
  return result;
}

void add_chat(json& obj, const event& ev) {
  obj["from"] = ev.name;
  obj["id"] = ev.id;
  if (!ev.to.empty())
    obj["to"] = ev.to;
  obj["text"] = ev.text;
  obj["action"] = ev.action;
  obj["private"] = ev.whisper;
  obj["history"] = ev.history;
  obj["time"] = rfc3339(ev.time);
}

void add_fields(json& obj, const event& ev) {
  using kind = event::kind;
  switch (ev.what) {
    case kind::ready:
      obj["schema"] = json_schema_version;
      obj["created"] = ev.created;
      obj["name"] = ev.name;
      obj["id"] = ev.id;
      obj["addresses"] = ev.addresses;
      return;
    case kind::members:
      obj["members"] = entries(ev.members);
      return;
    case kind::joined:
    case kind::back:
    case kind::left:
    case kind::lost:
      obj["name"] = ev.name;
      obj["id"] = ev.id;
      if (!ev.via.empty())
        obj["via"] = ev.via;
      return;
    case kind::nick:
      obj["name"] = ev.name;
      obj["new"] = ev.text;
      obj["id"] = ev.id;
      obj["you"] = ev.you;
      if (!ev.via.empty())
        obj["via"] = ev.via;
      return;
    case kind::chat:
      return add_chat(obj, ev);
    case kind::gap:
      obj["from"] = ev.name;
      obj["id"] = ev.id;
      obj["count"] = ev.count;
      return;
    case kind::notice:
    case kind::error:
      obj["code"] = ev.code;
      obj["text"] = ev.text;
      if (!ev.to.empty())
        obj["to"] = ev.to;
      if (ev.input_line > 0)
        obj["line"] = ev.input_line;
      return;
  }
}

} // namespace

std::string to_json_line(const event& ev) {
  json obj;
  obj["event"] = to_string(ev.what);
  add_fields(obj, ev);
  // Text from the network is valid UTF-8 (the decoder refuses anything
  // else); what we typed ourselves might not be, and must not end the
  // program: an ill-formed byte becomes U+FFFD.
  return obj.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string rfc3339(uint64_t micros) {
  // RFC 3339 has four digits for the year: a time from a peer beyond them
  // is shown as the last one there is.
  constexpr uint64_t last = 253402300799999999; // 9999-12-31T23:59:59.999999Z
  micros = std::min(micros, last);
  auto secs = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&secs, &utc);
  char buf[40];
  auto n = std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(buf + n, sizeof(buf) - n, ".%06uZ",
                static_cast<unsigned>(micros % 1000000));
  return buf;
}

} // namespace groupchat::protocol
