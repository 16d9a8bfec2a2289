// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.chat.json_input

#include "protocol/chat/json_input.hpp"

#include <caf/test/unit_test.hpp>

using namespace groupchat::protocol;
using kind = typed_line::kind;

CAF_TEST(each command becomes the typed line it stands for) {
  auto x = parse_json_line(R"({"cmd":"say","text":"/me is not a command"})");
  CAF_CHECK(x.what == kind::say);
  CAF_CHECK_EQUAL(x.text, "/me is not a command");
  CAF_CHECK(parse_json_line(R"({"cmd":"me","text":"waves"})").what
            == kind::action);
  x = parse_json_line(R"({"cmd":"msg","to":"bob: x","text":"psst"})");
  CAF_CHECK(x.what == kind::whisper);
  CAF_CHECK_EQUAL(x.name, "bob: x");
  CAF_CHECK_EQUAL(x.text, "psst");
  x = parse_json_line(R"({"cmd":"nick","name":"robert"})");
  CAF_CHECK(x.what == kind::nick);
  CAF_CHECK_EQUAL(x.name, "robert");
  CAF_CHECK(parse_json_line(R"({"cmd":"who"})").what == kind::who);
  x = parse_json_line(R"({"cmd":"quit"})");
  CAF_CHECK(x.what == kind::leave);
  CAF_CHECK(x.text.empty());
  CAF_CHECK_EQUAL(parse_json_line(R"({"cmd":"quit","text":"bye"})").text,
                  "bye");
}

CAF_TEST(text is taken exactly) {
  auto x = parse_json_line(R"({"cmd":"say","text":"a\nb\t\u001b\u202e"})");
  CAF_CHECK_EQUAL(x.text, "a\nb\t\033\u202e");
}

CAF_TEST(unknown fields are ignored) {
  CAF_CHECK(parse_json_line(R"({"cmd":"say","text":"x","v":2})").what
            == kind::say);
}

CAF_TEST(anything malformed is a mistake that says why) {
  for (auto line :
       {"", "hi", "[1]", "{\"cmd\":1}", "{\"text\":\"x\"}",
        "{\"cmd\":\"shout\"}", "{\"cmd\":\"say\"}",
        "{\"cmd\":\"say\",\"text\":\"\"}", "{\"cmd\":\"say\",\"text\":5}",
        "{\"cmd\":\"msg\",\"text\":\"x\"}", "{\"cmd\":\"nick\"}",
        "{\"cmd\":\"quit\",\"text\":1}",
        "{\"cmd\":\"say\",\"text\":\"\xff\"}"}) {
    auto x = parse_json_line(line);
    CAF_CHECK(x.what == kind::mistake);
    CAF_CHECK(!x.text.empty());
  }
  CAF_CHECK_EQUAL(
    parse_json_line("{\"cmd\":\"shout\"}").text,
    "unknown command \"shout\" (say, me, msg, nick, who or quit)");
}
