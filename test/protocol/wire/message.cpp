// SPDX-License-Identifier: MIT
#define CAF_SUITE protocol.wire.message

#include "protocol/wire/message.hpp"

#include <caf/test/unit_test.hpp>

#include "protocol/wire/frame.hpp"

#include <limits>

using namespace groupchat::protocol;

namespace {

constexpr size_t max_size = 1024;

// Values of the right form: keys, a nonce, a proof.
const std::string key1(peer_id_size, 'a');
const std::string key2(peer_id_size, 'b');
const std::string key3(peer_id_size, 'c');
const std::string nonce(nonce_size, 'd');
const std::string proof(proof_size, 'e');

message signed_msg(message msg) {
  msg.proof = proof;
  return msg;
}

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
    make_members({{"alice", "", 5000, key1},
                  {"bob", "10.0.0.7", 5001, key2},
                  {"carol", "::1", 65535, key3}}),
    make_members({}),
    make_challenge(nonce),
    signed_msg(make_greeting("bob", 5001, key2, nonce, 0)),
    signed_msg(make_greeting("bob", 5001, key2, nonce, max_seq)),
    signed_msg(
      make_welcome("alice", key1, {{"bob", "10.0.0.7", 5001, key2}}, 7)),
    signed_msg(make_welcome("alice", key1, {}, 0)),
    make_refuse(refusal::name_taken, "the name 'bob' is already taken", "bob"),
    make_refuse(refusal::not_that_peer, "not the peer you meant"),
    make_refuse(refusal::other, "no"),
    make_chat("hi", 1),
    make_chat("hi", max_seq),
    make_action("waves", 2),
    make_whisper("just you", 3),
    make_heartbeat(),
    make_probe(0),
    make_probe(1796200000),
    make_suspect(key2),
    make_leave(),
    make_carry(key1, false),
    make_carry(key1, true),
    make_carry(key1, false, 7, 1764806400000000),
    make_route(key2, "bob", 12, 1764806500000000),
    make_unroute(key2, true),
  };
  auto line = signed_msg(make_chat("signed", 4));
  line.time = 1764806500000001;
  all.push_back(line);
  auto carried = line;
  carried.type = message_type::carried;
  carried.id = key3;
  carried.since = 1764806400000000;
  all.push_back(carried);
  // History in a batch: the last line has the seal and the first number.
  auto batch_end = carried;
  batch_end.history = true;
  batch_end.name = "carol";
  batch_end.first = 2;
  all.push_back(batch_end);
  auto batch_line = batch_end;
  batch_line.proof.clear();
  batch_line.first = 0;
  all.push_back(batch_line);
  all.push_back(make_seal(1, 4, signed_msg(make_chat("x", 1)).proof));
  message sealed;
  sealed.type = message_type::carried;
  sealed.id = key1;
  sealed.to = key2;
  sealed.whisper = true;
  sealed.text = "00ff";
  all.push_back(sealed);
  // The counts of a greeting and a welcome, each in the run it counts in.
  for (auto msg : {all[4], all[6]}) {
    msg.seen = 5;
    msg.seen_since = 1764806400000000;
    msg.since = 1764806500000000;
    all.push_back(msg);
  }
  for (auto& msg : all) {
    CAF_MESSAGE("round trip of " << to_string(msg.type));
    CAF_CHECK(roundtrip(msg) == msg);
  }
}

CAF_TEST(chat text arrives byte for byte) {
  std::vector<std::string> texts{
    "quotes \" and \\ backslashes",
    R"({"type":"leave","version":3})",
    "tab\tand unicode: äöü ✓ 🎉",
    std::string(900, 'x'),
    "",
  };
  for (auto& text : texts)
    CAF_CHECK_EQUAL(roundtrip(make_chat(text, 1)).text, text);
}

CAF_TEST(encoding replaces ill - formed UTF - 8 instead of throwing) {
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
  check_rejected(R"({"type":"chat","version":1,"text":"x"})",
                 ec::unsupported_version);
  check_rejected(R"({"type":"chat","version":"1","text":"x"})",
                 ec::unsupported_version);
  check_rejected(R"({"version":3})", ec::missing_field);
  check_rejected(R"({"type":7,"version":3})", ec::invalid_field);
  check_rejected(R"({"type":"shout","version":3})", ec::unknown_type);
  check_rejected(R"({"type":"chat","version":3,"seq":1})", ec::missing_field);
  check_rejected(R"({"type":"chat","version":3,"text":"x"})",
                 ec::missing_field);
  check_rejected(R"({"type":"chat","version":3,"seq":0,"text":"x"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"chat","version":3,"seq":1,"text":42})",
                 ec::invalid_field);
  check_rejected(R"({"type":"suspect","version":3})", ec::missing_field);
  check_rejected(R"({"type":"suspect","version":3,"id":"alice"})",
                 ec::invalid_field);
  // A greeting with every field right, then with each one wrong.
  auto greeting = [](std::string name, std::string id, std::string port,
                     std::string nonce, std::string seq, std::string proof) {
    std::string body = R"({"type":"greeting","version":3)";
    for (auto [key, value] : {std::pair{"name", name},
                              {"id", id},
                              {"port", port},
                              {"nonce", nonce},
                              {"seq", seq},
                              {"proof", proof}})
      if (!value.empty())
        body += std::string{",\""} + key + "\":" + value;
    return body + "}";
  };
  auto q = [](const std::string& str) { return '"' + str + '"'; };
  auto ok = greeting(q("bob"), q(key1), "1", q(nonce), "0", q(proof));
  CAF_CHECK(static_cast<bool>(decode(ok)));
  check_rejected(greeting(q("bob"), "", "1", q(nonce), "0", q(proof)),
                 ec::missing_field);
  check_rejected(greeting(q("bob"), q(key1), "", q(nonce), "0", q(proof)),
                 ec::missing_field);
  check_rejected(greeting(q("bob"), q(key1), "1", "", "0", q(proof)),
                 ec::missing_field);
  check_rejected(greeting(q("bob"), q(key1), "1", q(nonce), "", q(proof)),
                 ec::missing_field);
  check_rejected(greeting(q("bob"), q(key1), "1", q(nonce), "0", ""),
                 ec::missing_field);
  CAF_MESSAGE("IDs, nonces and proofs are lowercase hex of their size");
  for (auto bad :
       {std::string{"1"}, q("1"), q(key1 + "a"),
        q(std::string(peer_id_size, 'A')), q(std::string(peer_id_size, 'g'))})
    check_rejected(greeting(q("bob"), bad, "1", q(nonce), "0", q(proof)),
                   ec::invalid_field);
  check_rejected(greeting(q("bob"), q(key1), "1", q(key1 + "0"), "0", q(proof)),
                 ec::invalid_field);
  check_rejected(greeting(q("bob"), q(key1), "1", q(nonce), "0", q(key1)),
                 ec::invalid_field);
  check_rejected(greeting(q("bob"), q(key1), "1", q(nonce), "9007199254740992",
                          q(proof)),
                 ec::invalid_field);
  for (auto port : {"0", "70000", "-1", "1.5", "\"80\""})
    check_rejected(greeting(q("b"), q(key1), port, q(nonce), "0", q(proof)),
                   ec::invalid_field);
  check_rejected(greeting(q(""), q(key1), "1", q(nonce), "0", q(proof)),
                 ec::invalid_name);
  check_rejected(R"({"type":"challenge","version":3})", ec::missing_field);
  check_rejected(R"({"type":"challenge","version":3,"nonce":"ab"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"welcome","version":3,"name":"a\u001bb","id":")"
                   + key1 + R"(","members":[],"seq":0,"proof":")" + proof
                   + "\"}",
                 ec::invalid_name);
  check_rejected(R"({"type":"welcome","version":3,"name":"a","id":")" + key1
                   + R"(","seq":0,"proof":")" + proof + "\"}",
                 ec::missing_field);
  check_rejected(R"({"type":"refuse","version":3})", ec::missing_field);
  check_rejected(R"({"type":"chat","version":3,"seq":1,"text":"x",)"
                 R"("action":"yes"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"chat","version":3,"seq":1,"text":"x",)"
                 R"("private":1})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":3,"members":{}})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":3,"members":[1]})",
                 ec::invalid_field);
  check_rejected(R"({"type":"members","version":3,"members":[{"name":"a"}]})",
                 ec::missing_field);
  check_rejected(R"({"type":"members","version":3,"members":[{"name":"a",)"
                 R"("host":"10.0.0.1","port":1}]})",
                 ec::missing_field);
}

CAF_TEST(member lists carry numeric addresses only) {
  for (auto host : {"example.org", "localhost", "10.0.0.1x", " 10.0.0.1"})
    check_rejected(R"({"type":"members","version":3,"members":[{"name":"a",)"
                   R"("host":")"
                     + std::string{host} + R"(","port":1,"id":")" + key1
                     + "\"}]}",
                   ec::invalid_field);
  for (auto host : {"", "10.0.0.1", "::1", "fe80::1"}) {
    auto msg = decode(R"({"type":"members","version":3,"members":[{"name":"a",)"
                      R"("host":")"
                      + std::string{host} + R"(","port":1,"id":")" + key1
                      + "\"}]}");
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
  std::string ok = R"({"type":"leave","version":3,"x":)"
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

CAF_TEST(a chat line keeps its time) {
  // Signed lines and history say when they were said; 0 is left out.
  auto msg
    = decode(R"({"type":"chat","version":3,"seq":4,"text":"x","time":17})");
  CAF_REQUIRE(static_cast<bool>(msg));
  CAF_CHECK_EQUAL(msg->time, 17u);
  auto again = decode(encode(*msg));
  CAF_REQUIRE(static_cast<bool>(again));
  CAF_CHECK(*again == *msg);
  auto history = decode(encode(make_history("y", 3, true, 99)));
  CAF_REQUIRE(static_cast<bool>(history));
  CAF_CHECK(history->history && history->action);
  CAF_CHECK_EQUAL(history->time, 99u);
}

CAF_TEST(a carried line needs a signature or a recipient) {
  auto id = std::string(peer_id_size, 'a');
  check_rejected(R"({"type":"carried","version":3,"id":")" + id
                   + R"(","seq":1,"text":"x"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"carried","version":3,"id":")" + id
                   + R"(","private":true,"text":"00"})",
                 ec::invalid_field);
  check_rejected(R"({"type":"carry","version":3})", ec::missing_field);
  // Only history may wait for its batch's seal; a batch ends where it
  // starts or after.
  check_rejected(R"({"type":"carried","version":3,"id":")" + id
                   + R"(","seq":1,"text":"x","first":1,"sig":")"
                   + std::string(proof_size, 'e') + R"("})",
                 ec::invalid_field);
  check_rejected(R"({"type":"carried","version":3,"id":")" + id
                   + R"(","seq":2,"text":"x","history":true,"first":3,"sig":")"
                   + std::string(proof_size, 'e') + R"("})",
                 ec::invalid_field);
  CAF_CHECK(
    static_cast<bool>(decode(R"({"type":"carried","version":3,"id":")" + id
                             + R"(","seq":2,"text":"x","history":true})")));
}

CAF_TEST(a seal names its batch and carries a signature) {
  auto sig = std::string(proof_size, 'e');
  check_rejected(R"({"type":"seal","version":3,"first":1,"seq":2})",
                 ec::missing_field);
  check_rejected(R"({"type":"seal","version":3,"first":3,"seq":2,"sig":")" + sig
                   + R"("})",
                 ec::invalid_field);
  check_rejected(R"({"type":"seal","version":3,"first":0,"seq":2,"sig":")" + sig
                   + R"("})",
                 ec::invalid_field);
  auto ok = decode(R"({"type":"seal","version":3,"first":2,"seq":2,"sig":")"
                   + sig + R"("})");
  CAF_REQUIRE(static_cast<bool>(ok));
  CAF_CHECK_EQUAL(ok->first, 2u);
}

CAF_TEST(a private line cannot be history) {
  auto msg = decode(R"({"type":"chat","version":3,"seq":1,"text":"x",)"
                    R"("private":true,"history":true})");
  CAF_REQUIRE(!msg);
  CAF_CHECK_EQUAL(msg.error().code, ec::invalid_field);
}

CAF_TEST(a refusal code this version does not know reads as other) {
  auto decoded = [](const std::string& body) {
    auto msg = decode(body);
    CAF_REQUIRE(msg);
    return msg->code;
  };
  CAF_CHECK(decoded(R"({"type":"refuse","version":3,"reason":"x"})")
            == refusal::other);
  CAF_CHECK(decoded(R"({"type":"refuse","version":3,"reason":"x",)"
                    R"("code":"not_that_peer"})")
            == refusal::not_that_peer);
  CAF_CHECK(decoded(R"({"type":"refuse","version":3,"reason":"x",)"
                    R"("code":"from_the_future"})")
            == refusal::other);
  CAF_CHECK(!decode(R"({"type":"refuse","version":3,"reason":"x","code":7})"));
}

CAF_TEST(unknown fields are ignored for forward compatibility) {
  auto msg
    = decode(R"({"type":"chat","version":3,"seq":1,"text":"x","color":"red"})");
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
  CAF_CHECK(!validate_name("bob\xE2\x80\x8B")); // zero-width space
  // On the wire, only normal form C: the greeting's signature covers it.
  CAF_CHECK(!validate_name("Zoe\xCC\x81"));
  CAF_CHECK(static_cast<bool>(validate_name("Zo\xC3\xA9")));
}
