// SPDX-License-Identifier: MIT
// The field rules that message descriptions are made of, one direction
// against the other.

#define CAF_SUITE protocol.wire.fields

#include "protocol/wire/fields.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using namespace groupchat::protocol::fields;

namespace {

// Decodes `text` (a JSON object) with the decoder, as one description.
template <class... Fields>
std::optional<error>
decode_json(const std::string& text, const Fields&... fields) {
  auto obj = json::parse(text);
  decoder f{obj};
  return f(fields...);
}

std::string code_of(const std::optional<error>& err) {
  return err ? std::string{to_string(err->code)} : std::string{"none"};
}

} // namespace

CAF_TEST(what one direction writes the other reads) {
  std::string name = "alice";
  uint64_t seq = 7;
  bool flag = true;
  std::string to;
  json obj = json::object();
  encoder enc{obj};
  enc(name_field{name}, uint_field{"seq", seq}, flag_field{"action", flag},
      hex_field{"to", to, is_peer_id, "hex", true});
  CAF_CHECK_EQUAL(obj.dump(), R"({"action":true,"name":"alice","seq":7})");
  std::string name2;
  uint64_t seq2 = 0;
  bool flag2 = false;
  std::string to2 = "x";
  decoder dec{obj};
  CAF_CHECK(!dec(name_field{name2}, uint_field{"seq", seq2},
                 flag_field{"action", flag2},
                 hex_field{"to", to2, is_peer_id, "hex", true}));
  CAF_CHECK_EQUAL(name2, name);
  CAF_CHECK_EQUAL(seq2, seq);
  CAF_CHECK(flag2);
  CAF_CHECK_EQUAL(to2, "x"); // Absent and optional: untouched.
}

CAF_TEST(optional fields read as zero or false when absent) {
  uint64_t count = 5;
  bool flag = true;
  CAF_CHECK(!decode_json("{}", uint_field{"seen", count, 0, true},
                         flag_field{"private", flag}));
  CAF_CHECK_EQUAL(count, 0u);
  CAF_CHECK(!flag);
  CAF_MESSAGE("a false flag stays off the wire; a count is always written");
  json obj = json::object();
  encoder{obj}(uint_field{"seen", count, 0, true}, flag_field{"private", flag});
  CAF_CHECK_EQUAL(obj.dump(), R"({"seen":0})");
}

CAF_TEST(required fields and ranges are enforced) {
  uint64_t seq = 0;
  uint16_t port = 0;
  CAF_CHECK_EQUAL(code_of(decode_json("{}", uint_field{"seq", seq})),
                  "missing_field");
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"seq":0})", uint_field{"seq", seq, 1})),
    "invalid_field");
  CAF_CHECK_EQUAL(code_of(decode_json(R"({"seq":-1})", uint_field{"seq", seq})),
                  "invalid_field");
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"seq":9007199254740992})", uint_field{"seq", seq})),
    "invalid_field");
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"port":0})", port_field{"port", port})),
    "invalid_field");
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"port":65536})", port_field{"port", port})),
    "invalid_field");
  CAF_CHECK(!decode_json(R"({"port":65535})", port_field{"port", port}));
  CAF_CHECK_EQUAL(port, 65535u);
}

CAF_TEST(strings hex and hosts keep their forms) {
  std::string str;
  CAF_CHECK_EQUAL(code_of(decode_json(R"({"reason":"abcd"})",
                                      string_field{"reason", str, 3})),
                  "invalid_field");
  CAF_CHECK_EQUAL(code_of(decode_json(R"({"id":"ABCD"})", id_field(str))),
                  "invalid_field");
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"host":"example.org"})", host_field{str})),
    "invalid_field");
  CAF_CHECK(!decode_json(R"({"host":"::1"})", host_field{str}));
  CAF_CHECK(!decode_json(R"({"host":""})", host_field{str}));
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"name":"a\u0007b"})", name_field{str})),
    "invalid_name");
}

CAF_TEST(conditional fields and rules follow fields decoded before them) {
  bool history = false;
  uint64_t time = 9;
  auto when = when_field<uint_field>{history,
                                     uint_field{"time", time, 0, true}};
  CAF_CHECK(!decode_json(R"({"time":5})", when));
  CAF_CHECK_EQUAL(time, 9u); // Not history: the time is ignored.
  history = true;
  CAF_CHECK(!decode_json(R"({"time":5})", when));
  CAF_CHECK_EQUAL(time, 5u);
  CAF_MESSAGE("a rule reads the fields as decoded before it");
  message msg;
  auto rule = rule_field{[](const message& m) { return !m.history; }, msg,
                         "history", "false here"};
  CAF_CHECK_EQUAL(code_of(decode_json(R"({"history":true})",
                                      flag_field{"history", msg.history},
                                      rule)),
                  "invalid_field");
  CAF_CHECK(!decode_json(R"({"history":false})",
                         flag_field{"history", msg.history}, rule));
}

CAF_TEST(member lists decode entry by entry) {
  std::vector<member_info> list{
    {"bob", "10.0.0.2", 5001, std::string(peer_id_size, 'b'), 42}};
  json obj = json::object();
  encoder{obj}(members_field{list});
  std::vector<member_info> back;
  decoder dec{obj};
  CAF_CHECK(!dec(members_field{back}));
  CAF_CHECK(back == list);
  CAF_CHECK_EQUAL(
    code_of(decode_json(R"({"members":[1]})", members_field{back})),
    "invalid_field");
}
