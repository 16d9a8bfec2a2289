#define CAF_SUITE protocol.message

#include "protocol/message.hpp"

#include <caf/test/unit_test.hpp>

#include "protocol/frame.hpp"

#include <limits>

using namespace groupchat::protocol;

namespace {

constexpr size_t max_size = 1024;

// Encodes `msg` as a frame, splits it off a stream as a connection does and
// decodes it again.
message roundtrip(const message& msg) {
  frame_reader reader{max_size};
  reader.append(make_frame(encode(msg)));
  auto body = reader.next();
  CAF_REQUIRE(body && !body->empty());
  CAF_CHECK_EQUAL(reader.buffered(), 0u);
  auto result = decode(*body);
  if (!result)
    CAF_FAIL("decode failed: " << result.error().to_string());
  return *result;
}

// Decodes a body that must be rejected with `code`.
void check_rejected(std::string_view body, ec code) {
  auto result = decode(body);
  if (result) {
    CAF_ERROR("accepted: " << std::string{body});
    return;
  }
  CAF_CHECK_EQUAL(std::string{to_string(result.error().code)}, to_string(code));
}

} // namespace

CAF_TEST(every message type survives a round trip) {
  std::vector<message> all{
    make_hello(),
    make_members({{"alice", "", 5000, 1}, {"bob", "10.0.0.7", 5001, 2},
                  {"carol", "::1", 65535, max_peer_id}}),
    make_members({}),
    make_greeting("bob", 5001, 42),
    make_welcome("alice", 7, {{"bob", "10.0.0.7", 5001, 2}}),
    make_welcome("alice", 7, {}),
    make_refuse("the name 'bob' is already taken"),
    make_chat("hi", 1),
    make_chat("hi", std::numeric_limits<uint64_t>::max()),
    make_action("waves", 2),
    make_whisper("just you", 3),
    make_heartbeat(),
    make_leave(),
  };
  for (auto& msg : all) {
    CAF_MESSAGE("round trip of " << to_string(msg.type));
    CAF_CHECK(roundtrip(msg) == msg);
  }
}

CAF_TEST(chat text arrives byte for byte) {
  std::vector<std::string> texts{
    "quotes \" and \\ backslashes",
    R"({"type":"leave","version":1})",
    "tab\tand unicode: äöü ✓ 🎉",
    std::string(900, 'x'),
    "",
  };
  for (auto& text : texts)
    CAF_CHECK_EQUAL(roundtrip(make_chat(text, 1)).text, text);
}

CAF_TEST(encoding replaces ill-formed UTF-8 instead of throwing) {
  auto body = encode(make_chat("bad \xff byte", 1));
  auto msg = decode(body);
  CAF_REQUIRE(static_cast<bool>(msg));
  CAF_CHECK_EQUAL(msg->text, "bad \xEF\xBF\xBD byte");
}

CAF_TEST(malformed bodies are rejected with an error value) {
  check_rejected("", ec::invalid_json);
  check_rejected("{", ec::invalid_json);
  check_rejected("{\"type\":\"chat\",\"version\":1,\"seq\":1,"
                 "\"text\":\"\xC3\x28\"}",
                 ec::invalid_json);
  check_rejected("{\"type\":\"chat\",\"version\":1,\"seq\":1,"
                 "\"text\":\"\xED\xA0\x80\"}",
                 ec::invalid_json);
  check_rejected("[1,2,3]", ec::not_an_object);
  check_rejected("\"chat\"", ec::not_an_object);
  check_rejected("null", ec::not_an_object);
  check_rejected(R"({"type":"chat","text":"x"})", ec::missing_field);
  check_rejected(R"({"type":"chat","version":2,"text":"x"})",
                 ec::unsupported_version);
  check_rejected(R"({"type":"chat","version":"1","text":"x"})",
                 ec::unsupported_version);
  check_rejected(R"({"version":1})", ec::missing_field);
  check_rejected(R"({"type":7,"version":1})", ec::invalid_field);
  check_rejected(R"({"type":"shout","version":1})", ec::unknown_type);
  check_rejected(R"({"type":"chat","version":1,"seq":1})", ec::missing_field);
  check_rejected(R"({"type":"chat","version":1,"text":"x"})",
                 ec::missing_field);
  check_rejected(R"({"type":"chat","version":1,"seq":0,"text":"x"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"chat","version":1,"seq":1,"text":42})",
                 ec::invalid_field);
  check_rejected(R"({"type":"greeting","version":1,"name":"bob","id":1})",
                 ec::missing_field);
  check_rejected(R"({"type":"greeting","version":1,"name":"bob","port":1})",
                 ec::missing_field);
  check_rejected(
    R"({"type":"greeting","version":1,"name":"bob","id":0,"port":1})",
    ec::invalid_field);
  check_rejected(R"({"type":"greeting","version":1,"name":"bob","id":)"
                 R"(9007199254740992,"port":1})",
                 ec::invalid_field);
  for (auto port : {"0", "70000", "-1", "1.5", "\"80\""})
    check_rejected(std::string{R"({"type":"greeting","version":1,"name":"b",)"}
                     + R"("id":1,"port":)" + port + "}",
                   ec::invalid_field);
  check_rejected(R"({"type":"greeting","version":1,"name":"","id":1,"port":1})",
                 ec::invalid_name);
  check_rejected(
    R"({"type":"welcome","version":1,"name":"a\u001bb","id":1,"members":[]})",
    ec::invalid_name);
  check_rejected(R"({"type":"welcome","version":1,"name":"a","id":1})",
                 ec::missing_field);
  check_rejected(R"({"type":"refuse","version":1})", ec::missing_field);
  check_rejected(R"({"type":"chat","version":1,"seq":1,"text":"x",)"
                 R"("action":"yes"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"chat","version":1,"seq":1,"text":"x",)"
                 R"("private":1})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":1,"members":{}})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":1,"members":[1]})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":1,"members":[{"name":"a"}]})",
                 ec::missing_field);
  check_rejected(R"({"type":"members","version":1,"members":[{"name":"a",)"
                 R"("host":"10.0.0.1","port":1}]})",
                 ec::missing_field);
}

CAF_TEST(member lists carry numeric addresses only) {
  for (auto host : {"example.org", "localhost", "10.0.0.1x", " 10.0.0.1"})
    check_rejected(R"({"type":"members","version":1,"members":[{"name":"a",)"
                   R"("host":")" + std::string{host}
                     + R"(","port":1,"id":1}]})",
                   ec::invalid_field);
  for (auto host : {"", "10.0.0.1", "::1", "fe80::1"}) {
    auto msg = decode(R"({"type":"members","version":1,"members":[{"name":"a",)"
                      R"("host":")" + std::string{host}
                      + R"(","port":1,"id":1}]})");
    CAF_CHECK(static_cast<bool>(msg));
  }
}

CAF_TEST(deeply nested JSON is refused before it is parsed) {
  std::string deep(100000, '[');
  check_rejected(deep, ec::invalid_json);
  deep += std::string(100000, ']');
  check_rejected(deep, ec::invalid_json);
  CAF_MESSAGE("a whole frame of nesting: 1 MiB of brackets");
  std::string frame(512 * 1024, '[');
  frame += std::string(512 * 1024, ']');
  check_rejected(frame, ec::invalid_json);
  CAF_MESSAGE("as deep as allowed still decodes");
  std::string ok = R"({"type":"leave","version":1,"x":)"
                   + std::string(max_nesting - 1, '[')
                   + std::string(max_nesting - 1, ']') + "}";
  CAF_CHECK(static_cast<bool>(decode(ok)));
}

CAF_TEST(nesting is counted outside strings only) {
  CAF_CHECK_EQUAL(nesting_depth(R"({"a":[{"b":[]}]})"), 4u);
  CAF_CHECK_EQUAL(nesting_depth(R"({"a":"[[[[{{{{"})"), 1u);
  CAF_CHECK_EQUAL(nesting_depth(R"({"a":"\"[[[["})"), 1u);
  CAF_CHECK_EQUAL(nesting_depth(R"({"a":"\\","b":[[]]})"), 3u);
  CAF_CHECK_EQUAL(nesting_depth("plain"), 0u);
}

CAF_TEST(unknown fields are ignored for forward compatibility) {
  auto msg = decode(
    R"({"type":"chat","version":1,"seq":1,"text":"x","color":"red"})");
  CAF_REQUIRE(static_cast<bool>(msg));
  CAF_CHECK_EQUAL(msg->text, "x");
}

CAF_TEST(names are checked for sanity) {
  CAF_CHECK(static_cast<bool>(validate_name("alice")));
  CAF_CHECK(static_cast<bool>(validate_name("Zoë the 2nd")));
  CAF_CHECK(static_cast<bool>(validate_name(std::string(max_name_size, 'a'))));
  CAF_CHECK(!validate_name(""));
  CAF_CHECK(!validate_name(std::string(max_name_size + 1, 'a')));
  CAF_CHECK(!validate_name(" alice"));
  CAF_CHECK(!validate_name("alice "));
  CAF_CHECK(!validate_name("al\nice"));
  CAF_CHECK(!validate_name("al\x1b[31mice"));
  CAF_CHECK(!validate_name("al\xC2\x9Bice")); // C1 control (CSI)
  CAF_CHECK(!validate_name("al\xffice"));
}

CAF_TEST(UTF-8 validation rejects overlong forms and surrogates) {
  CAF_CHECK(is_valid_utf8("plain ascii"));
  CAF_CHECK(is_valid_utf8("\xF0\x9F\x8E\x89"));
  CAF_CHECK(!is_valid_utf8("\xC0\xAF"));         // overlong '/'
  CAF_CHECK(!is_valid_utf8("\xED\xA0\x80"));     // surrogate
  CAF_CHECK(!is_valid_utf8("\xF4\x90\x80\x80")); // beyond U+10FFFF
  CAF_CHECK(!is_valid_utf8("\xE2\x9C"));         // truncated
}
