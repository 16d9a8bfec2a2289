// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.events.json_lines

#include "protocol/events/json_lines.hpp"

#include <string>

#include <caf/test/unit_test.hpp>
#include <nlohmann/json.hpp>

using namespace groupchat::protocol;
using json = nlohmann::json;

namespace {

const peer_id bob_id(peer_id_size, 'b');

json parsed(const event& ev) {
  auto line = to_json_line(ev);
  CAF_CHECK_EQUAL(line.find('\n'), std::string::npos);
  return json::parse(line);
}

} // namespace

CAF_TEST(times are RFC 3339 in UTC with microseconds) {
  CAF_CHECK_EQUAL(rfc3339(0), "1970-01-01T00:00:00.000000Z");
  CAF_CHECK_EQUAL(rfc3339(1764784501000042), "2025-12-03T17:55:01.000042Z");
  CAF_MESSAGE("a peer's time past year 9999 is the last RFC 3339 has");
  CAF_CHECK_EQUAL(rfc3339(UINT64_MAX), "9999-12-31T23:59:59.999999Z");
}

CAF_TEST(a chat line carries every field) {
  auto ev = event::line("bob: x", bob_id, "y");
  ev.time = 1764784501000042;
  ev.history = true;
  auto obj = parsed(ev);
  CAF_CHECK_EQUAL(to_json_line(ev).rfind("{\"event\":\"chat\",", 0), 0u);
  CAF_CHECK(obj["from"] == "bob: x");
  CAF_CHECK(obj["id"] == bob_id);
  CAF_CHECK(obj["text"] == "y");
  CAF_CHECK(obj["action"] == false);
  CAF_CHECK(obj["private"] == false);
  CAF_CHECK(obj["history"] == true);
  CAF_CHECK(obj["time"] == "2025-12-03T17:55:01.000042Z");
  CAF_CHECK(!obj.contains("to"));
}

CAF_TEST(text is exact whatever it holds) {
  std::string text = "a\nb\tc\033[2J\u202Ed\x7f";
  auto obj = parsed(event::line("bob", bob_id, text));
  CAF_CHECK_EQUAL(obj["text"].get<std::string>(), text);
  CAF_MESSAGE("ill-formed UTF-8 (only ever our own input) does not throw");
  auto line = to_json_line(event::line("bob", bob_id, "a\xff"));
  CAF_CHECK(json::parse(line)["text"] == "a\xEF\xBF\xBD");
}

CAF_TEST(ready carries the schema and where we listen) {
  auto ev = event::ready(false, "alice", bob_id);
  ev.addresses = {"127.0.0.1:5000"};
  auto obj = parsed(ev);
  CAF_CHECK(obj["event"] == "ready");
  CAF_CHECK(obj["schema"] == json_schema_version);
  CAF_CHECK(obj["created"] == false);
  CAF_CHECK(obj["name"] == "alice");
  CAF_CHECK(obj["addresses"][0] == "127.0.0.1:5000");
}

CAF_TEST(member events name the member and its key) {
  auto obj = parsed(event::member(event::kind::lost, "bob", bob_id));
  CAF_CHECK(obj == (json{{"event", "lost"}, {"name", "bob"}, {"id", bob_id}}));
  obj = parsed(event::renamed("bob", "robert", bob_id, false));
  CAF_CHECK(obj["name"] == "bob");
  CAF_CHECK(obj["new"] == "robert");
  CAF_CHECK(obj["you"] == false);
  obj = parsed(event::member_list({{"bob", bob_id, "10.0.0.2:5001"}}));
  CAF_CHECK(obj["members"][0]["address"] == "10.0.0.2:5001");
  CAF_CHECK(!obj["members"][0].contains("via"));
  obj = parsed(event::member_list({{"carol", bob_id, "10.0.0.3:5001", "bob"}}));
  CAF_CHECK(obj["members"][0]["via"] == "bob");
  obj = parsed(event::missed("bob", bob_id, 3));
  CAF_CHECK(obj["count"] == 3);
}

CAF_TEST(errors carry a code and the line of input they are about) {
  auto ev = event::failure("bad_input", "not a JSON object");
  ev.input_line = 7;
  auto obj = parsed(ev);
  CAF_CHECK(obj["code"] == "bad_input");
  CAF_CHECK(obj["text"] == "not a JSON object");
  CAF_CHECK(obj["line"] == 7);
  CAF_CHECK(!parsed(event::note("unreachable", "x")).contains("line"));
}
