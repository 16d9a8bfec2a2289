// SPDX-License-Identifier: MIT
// The quick path of decode() against the tree it stands in for: the
// encoder's chat lines and heartbeats take it and decode to the tree's
// message; every tricky body is either taken, with the tree's message, or
// left to the tree, and decode() answers as the tree does either way.

#define CAF_SUITE protocol.wire.quick_decode

#include "protocol/wire/quick_decode.hpp"

#include <caf/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace groupchat::protocol;

namespace {

const std::string sig(proof_size, 'e');

// Checks that decode() answers as the tree does: the same message, or an
// error with the same code and detail.
void check_decode_is_tree(const std::string& body) {
  auto both = decode(body);
  auto tree = decode_tree(body);
  if (both && tree)
    CAF_CHECK(*both == *tree);
  else if (!both && !tree)
    CAF_CHECK_EQUAL(both.error().to_string(), tree.error().to_string());
  else
    CAF_ERROR("decode() and the tree disagree on " << body);
}

// Checks that the quick path takes `body` with the tree's message, and
// returns that message.
message taken(const std::string& body) {
  check_decode_is_tree(body);
  auto quick = quick_decode(body);
  auto tree = decode_tree(body);
  if (!tree) {
    CAF_ERROR("the tree refuses " << body << ": " << tree.error().to_string());
    return {};
  }
  if (!quick) {
    CAF_ERROR("left to the tree: " << body);
    return {};
  }
  CAF_CHECK(*quick == *tree);
  return *quick;
}

// Checks that the quick path leaves `body` to the tree, which `accepts` it
// or not.
void left(const std::string& body, bool accepts) {
  check_decode_is_tree(body);
  if (quick_decode(body))
    CAF_ERROR("the quick path took " << body);
  if (static_cast<bool>(decode_tree(body)) != accepts)
    CAF_ERROR("the tree " << (accepts ? "refuses " : "accepts ") << body);
}

// A chat body with `fields` after its type and version.
std::string chat(const std::string& fields) {
  return R"({"type":"chat","version":3,)" + fields + "}";
}

// A chat body whose text is `text`, as written (escapes and all).
std::string chat_text(const std::string& text) {
  return chat(R"("seq":1,"text":")" + text + "\"");
}

} // namespace

CAF_TEST(chat lines and heartbeats as encoded take the quick path) {
  auto signed_line = make_chat("signed", 12);
  signed_line.proof = sig;
  signed_line.time = 1764806500000001;
  auto private_action = make_whisper("waves at you", 2);
  private_action.action = true;
  std::vector<message> all{
    make_chat("hello", 1),
    make_chat(std::string(64, 'x'), 2),
    make_chat("", max_seq),
    make_action("waves", 3),
    make_whisper("just you", 1),
    private_action,
    make_history("said earlier", 4, false, 1796200000000000),
    make_history("waved earlier", 5, true, 1),
    signed_line,
    make_chat("quotes \" and \\ backslashes / a slash", 6),
    make_chat("äöü ✓ 🎉 中文 ﷽", 7),
    make_chat("controls \x01\x08\x0c\n\r\t\x1b[31m\x1f\x7f end", 8),
    make_chat("\xE2\x80\xA8 line, paragraph \xE2\x80\xA9, bidi \xE2\x80\xAE",
              9),
    make_chat(std::string("a NUL \0 inside", 14), 10),
    make_chat(R"({"type":"leave","version":3})", 11),
    make_heartbeat(),
  };
  for (auto& msg : all)
    CAF_CHECK(taken(encode(msg)) == msg);
  CAF_MESSAGE("ill-formed UTF-8, replaced by the encoder, reads as the tree's");
  CAF_CHECK_EQUAL(taken(encode(make_chat("bad \xff byte", 1))).text,
                  "bad \xEF\xBF\xBD byte");
}

CAF_TEST(escapes decode to the bytes they stand for) {
  CAF_CHECK_EQUAL(taken(chat_text(R"(\"\\\/\b\f\n\r\t)")).text,
                  "\"\\/\b\f\n\r\t");
  CAF_CHECK_EQUAL(taken(chat_text(R"(\u00e9\u00E9\u20ac)")).text, "éé€");
  CAF_CHECK_EQUAL(taken(chat_text(R"(\ud83c\udf89 \uD83D\uDE00)")).text, "🎉 😀");
  CAF_CHECK_EQUAL(taken(chat_text(R"(\u0000)")).text, std::string(1, '\0'));
  CAF_CHECK_EQUAL(taken(chat_text(R"(\u007f\u0080\u07ff\u0800\uffff)")).text,
                  "\x7f\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF");
  CAF_CHECK_EQUAL(taken(chat_text(R"(\udbff\udfff)")).text, "\xF4\x8F\xBF\xBF");
  CAF_MESSAGE("raw bytes: DEL and well-formed UTF-8 of every length");
  CAF_CHECK_EQUAL(
    taken(chat_text("\x7f\xC2\x80\xED\x9F\xBF\xF0\x90\x80\x80")).text,
    "\x7f\xC2\x80\xED\x9F\xBF\xF0\x90\x80\x80");
}

CAF_TEST(escapes and bytes the tree refuses are left to it) {
  for (auto text : {R"(\ud83c)", R"(\ud83cx)", R"(\udf89)", R"(\ud83c\u0041)",
                    R"(\ud83c\ud83c)", R"(\x)", R"(\U00e9)", R"(\u12)",
                    R"(\u12g4)", R"(\u-123)", R"(\u+123)", R"(\)"})
    left(chat_text(text), false);
  CAF_MESSAGE("control characters and ill-formed UTF-8");
  // Overlong forms, a surrogate (U+D800), code points above U+10FFFF.
  for (auto text : {"\xC0\x80", "\xC1\xBF", "\xE0\x80\x80", "\xE0\x9F\xBF",
                    "\xF0\x80\x80\x80", "\xF0\x8F\xBF\xBF", "\xED\xA0\x80",
                    "\xF4\x90\x80\x80", "\xF5\x80\x80\x80"})
    left(chat_text(text), false);
  // No lead byte; a bad second byte, a bad last one, one cut short.
  for (auto text : {"\xFF", "\x80", "\xC3\x28", "\xE2(\xAC", "\xF0\x9Fx\x89",
                    "\xE2\x82x", "\xF0\x9F\x8Ex", "\xE2\x82", "\xF0\x9F\x8E"})
    left(chat_text(text), false);
  for (auto text : {"\x01", "\x1f", "a raw line\nbreak"})
    left(chat_text(text), false);
  left(R"({"type":"chat","version":3,"seq":1,"text":"unterminated)", false);
}

CAF_TEST(numbers are unsigned integers within range) {
  CAF_CHECK_EQUAL(taken(chat(R"("seq":1,"text":"x")")).seq, 1u);
  CAF_CHECK_EQUAL(taken(chat(R"("seq":9007199254740991,"text":"x")")).seq,
                  max_seq);
  CAF_CHECK_EQUAL(taken(chat(R"("seq":1,"text":"x","time":0)")).time, 0u);
  CAF_CHECK_EQUAL(
    taken(chat(R"("seq":1,"text":"x","time":9007199254740991)")).time, max_seq);
  for (auto seq :
       {"0", "01", "00", "-1", "-0", "1.0", "1.", "1e0", "1E2",
        "9007199254740992", "18446744073709551615", "18446744073709551616",
        "99999999999999999999999", "\"1\"", "null", "true", "+1", "0x1"})
    left(chat(R"("text":"x","seq":)" + std::string{seq}), false);
  for (auto time : {"-1", "1.5", "9007199254740992", "\"0\"", "null", "01"})
    left(chat(R"("seq":1,"text":"x","time":)" + std::string{time}), false);
  for (auto version : {"03", "3.0", "3e0", "\"3\"", "2", "4", "-3", "30",
                       "null", "18446744073709551619"})
    left(R"({"type":"chat","seq":1,"text":"x","version":)"
           + std::string{version} + "}",
         false);
}

CAF_TEST(white space is that of JSON and nothing follows the object) {
  auto spaced = taken(" \t\r\n{ \"type\" : \"chat\" ,\n\t\"version\"\n:3 , "
                      "\"seq\" :1,\"text\": \"x\" ,\"action\" : true\r\n} \n ");
  CAF_CHECK_EQUAL(spaced.text, "x");
  CAF_CHECK(spaced.action);
  auto body = chat(R"("seq":1,"text":"x")");
  for (auto bad : {"\v" + body, "\f" + body, body + "\f", body + "x",
                   body + body, body + ",", "{{" + body.substr(1)})
    left(bad, false);
  CAF_MESSAGE("what nlohmann takes and the quick path leaves: a BOM, a NUL");
  left("\xEF\xBB\xBF" + body, true);
  left(body + std::string(1, '\0') + "junk", true);
}

CAF_TEST(keys come in any order and each once) {
  auto reversed = taken(R"({"version":3,"type":"chat","time":5,"text":"x",)"
                        R"("sig":")"
                        + sig + R"(","seq":2,"history":true,"action":true})");
  CAF_CHECK_EQUAL(reversed.seq, 2u);
  CAF_CHECK_EQUAL(reversed.time, 5u);
  CAF_CHECK_EQUAL(reversed.proof, sig);
  CAF_CHECK(reversed.history && reversed.action && !reversed.whisper);
  CAF_MESSAGE("a key given twice: nlohmann keeps the last, the tree decides");
  auto twice = chat(R"("seq":1,"text":"x","seq":2)");
  left(twice, true);
  auto last = decode(twice);
  CAF_REQUIRE(last);
  CAF_CHECK_EQUAL(last->seq, 2u);
  left(R"({"type":"leave","version":3,"type":"chat","seq":1,"text":"x"})",
       true);
  left(chat(R"("seq":1,"text":"x","action":true,"action":false)"), true);
  left(chat(R"("seq":1,"text":"x","version":2)"), false);
  CAF_MESSAGE("unknown and escaped keys are the tree's, which ignores them");
  left(chat(R"("seq":1,"text":"x","color":"red")"), true);
  left(chat(R"("seq":1,"text":"x","later":{"a":[[1]]})"), true);
  left(chat(R"("seq":1,"t\u0065xt":"x")"), true);
  left(chat(R"("seq":1,"text":"x","Seq":"y")"), true);
  CAF_MESSAGE("ill-formed objects");
  for (auto bad : {"{}", "{", R"({"type":"chat",})", R"({"type" "chat"})",
                   R"({"type":"chat";"version":3})", R"({type:"chat"})",
                   R"({'type':'chat'})"})
    left(bad, false);
}

CAF_TEST(the rules of a chat line hold on the quick path) {
  left(chat(R"("text":"x")"), false);
  left(chat(R"("seq":1)"), false);
  for (auto text : {"42", "null", "[\"x\"]", "{}", "true"})
    left(chat(R"("seq":1,"text":)" + std::string{text}), false);
  for (auto key : {"action", "private", "history"}) {
    for (auto flag : {"\"yes\"", "1", "0", "null", "True", "tru", "falsey"})
      left(chat(R"("seq":1,"text":"x",")" + std::string{key} + "\":" + flag),
           false);
    auto off
      = taken(chat(R"("seq":1,"text":"x",")" + std::string{key} + "\":false"));
    CAF_CHECK(!off.action && !off.whisper && !off.history);
  }
  CAF_MESSAGE("a private line is never history");
  left(chat(R"("seq":1,"text":"x","private":true,"history":true)"), false);
  CAF_CHECK(taken(chat(R"("seq":1,"text":"x","private":true)")).whisper);
  CAF_MESSAGE("a signature is 128 lowercase hex digits");
  CAF_CHECK_EQUAL(
    taken(chat(R"("seq":1,"text":"x","sig":")" + sig + "\"")).proof, sig);
  for (auto bad : {sig.substr(1), sig + "e", std::string(proof_size, 'E'),
                   std::string(proof_size, 'g'), std::string{},
                   sig.substr(1) + "\xC3\xA9"})
    left(chat(R"("seq":1,"text":"x","sig":")" + bad + "\""), false);
  left(chat(R"("seq":1,"text":"x","sig":null)"), false);
  left(chat(R"("seq":1,"text":"x","sig":")" + sig.substr(1) + R"(\u0065")"),
       true);
}

CAF_TEST(other types are left to the tree) {
  CAF_CHECK(taken(R"({"version":3,"type":"heartbeat"})").type
            == message_type::heartbeat);
  CAF_CHECK(taken(R"({"type":"chat","version":3,"seq":1,"text":"x"})").type
            == message_type::chat);
  for (auto body :
       {R"({"type":"leave","version":3})", R"({"type":"hello","version":3})",
        R"({"type":"heartbeat","version":3,"seq":1})",
        R"({"type":"heartbeat","version":3,"text":7})",
        R"({"type":"ch\u0061t","version":3,"seq":1,"text":"x"})"})
    left(body, true);
  for (auto body :
       {R"({"type":"Chat","version":3,"seq":1,"text":"x"})",
        R"({"type":"shout","version":3})", R"({"type":7,"version":3})",
        R"({"version":3})", R"({"type":"heartbeat"})",
        R"({"type":"heartbeat","version":2})", "[]", "\"chat\"", "", "null",
        "3"})
    left(body, false);
}
